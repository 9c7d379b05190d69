import Glibc

/// Writes `text` and a newline with one `write(2)` call, unbuffered.
///
/// `print` buffers fully when output goes to a file or pipe, so a supervisor (a test, systemd,
/// `make run`) would see a process's log only when it exits. One call per line also keeps lines
/// from two processes sharing a terminal from interleaving mid-line.
public func writeLine(_ text: String, to descriptor: Int32 = STDOUT_FILENO) {
  var bytes = Array(text.utf8)
  bytes.append(UInt8(ascii: "\n"))
  var offset = 0
  while offset < bytes.count {
    let written = bytes.withUnsafeBytes {
      write(descriptor, $0.baseAddress! + offset, $0.count - offset)
    }
    if written < 0 && errno == EINTR { continue }
    guard written > 0 else { return }  // Nowhere to report a broken log; drop the line.
    offset += written
  }
}
