import Glibc

/// A failed system call: which call, on what (if a path or address was involved), and `errno`.
///
/// Every host-platform operation that talks to the kernel throws this type, so a log line reads
/// like `open(/var/lib/loam/log) failed: No such file or directory (errno 2)`.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The name of the failing call, such as `epoll_ctl` or `open`.
  public var call: String
  /// The path, address or other subject of the call, if there is one.
  public var subject: String?
  /// The `errno` value the call reported.
  public var errorNumber: Int32

  /// An error for `call` failing with `errorNumber` (on `subject`, if given).
  public init(call: String, subject: String? = nil, errorNumber: Int32) {
    self.call = call
    self.subject = subject
    self.errorNumber = errorNumber
  }

  /// The error the calling thread's `errno` describes right now, for `call` that just failed.
  public static func fromErrno(_ call: String, subject: String? = nil) -> SystemError {
    SystemError(call: call, subject: subject, errorNumber: errno)
  }

  /// The C library's text for `errorNumber`, such as "Connection refused".
  public var message: String {
    // Swift sees the XSI strerror_r, which fills the buffer and returns 0 or an error number.
    var buffer = [CChar](repeating: 0, count: 256)
    let result = buffer.withUnsafeMutableBufferPointer { storage in
      strerror_r(errorNumber, storage.baseAddress!, storage.count)
    }
    guard result == 0 else { return "Unknown error \(errorNumber)" }
    let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: text, as: UTF8.self)
  }

  public var description: String {
    let target = subject.map { "(\($0))" } ?? ""
    return "\(call)\(target) failed: \(message) (errno \(errorNumber))"
  }
}

/// Repeats `operation` while it fails with `EINTR`, the "interrupted by a signal" non-error.
/// Returns the first result that is not an `EINTR` failure; `errno` is left as the call set it.
func retryingOnInterrupt<Result: BinaryInteger>(_ operation: () -> Result) -> Result {
  while true {
    let result = operation()
    if result == -1 && errno == EINTR { continue }
    return result
  }
}
