/// Why a TCP connection ended other than by both sides closing it. The socket API reports it as
/// a value; the application decides what to do (retry, tell the user).
public enum TCPConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The peer answered our SYN with a reset: nothing listens on that port.
  case refused
  /// The peer reset an established connection.
  case reset
  /// Retransmissions or keepalive probes went unanswered for too long.
  case timedOut
  /// An ICMP error said the peer cannot be reached while the connection was opening.
  case unreachable

  public var description: String {
    switch self {
    case .refused: return "TCP: connection refused"
    case .reset: return "TCP: connection reset by peer"
    case .timedOut: return "TCP: connection timed out"
    case .unreachable: return "TCP: peer unreachable"
    }
  }
}
