import CLinux
import Glibc

/// The kernel's random bytes (getrandom(2)), for secrets such as the key of TCP's sequence
/// numbers and SYN cookies. Blocks only until the kernel's pool is first seeded at boot.
public enum SystemEntropy {
  /// `count` random bytes. A kernel that cannot supply them leaves nothing safe to do, so
  /// that stops the process.
  public static func bytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let result = bytes.withUnsafeMutableBytes { buffer in
        getrandom(buffer.baseAddress! + filled, count - filled, 0)
      }
      if result < 0 && errno == EINTR { continue }
      precondition(result > 0, "getrandom failed: errno \(errno)")
      filled += result
    }
    return bytes
  }
}
