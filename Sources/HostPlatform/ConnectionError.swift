import Glibc

/// Why a TCP connection failed or ended abnormally.
public enum ConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The host name could not be resolved.
  case resolutionFailed(AddressError)
  /// Nothing listens on the port (`ECONNREFUSED`).
  case refused
  /// No answer in time: the connect timeout elapsed, or the kernel gave up (`ETIMEDOUT`).
  case timedOut
  /// The peer reset the connection or vanished (`ECONNRESET`, `EPIPE`, hang-up).
  case reset
  /// No route to the network or host (`ENETUNREACH`, `EHOSTUNREACH`).
  case unreachable
  /// Another system failure.
  case system(SystemError)

  /// Classifies the failure of `call` with `errorNumber`.
  init(call: String, errorNumber: Int32) {
    switch errorNumber {
    case ECONNREFUSED: self = .refused
    case ETIMEDOUT: self = .timedOut
    case ECONNRESET, EPIPE, ECONNABORTED: self = .reset
    case ENETUNREACH, EHOSTUNREACH: self = .unreachable
    default: self = .system(SystemError(call: call, errorNumber: errorNumber))
    }
  }

  init(_ error: SystemError) {
    self.init(call: error.call, errorNumber: error.errorNumber)
  }

  public var description: String {
    switch self {
    case .resolutionFailed(let error): "\(error)"
    case .refused: "connection refused"
    case .timedOut: "connection timed out"
    case .reset: "connection reset by peer"
    case .unreachable: "network or host unreachable"
    case .system(let error): "\(error)"
    }
  }
}
