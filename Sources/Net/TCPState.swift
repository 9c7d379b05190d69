/// Where a TCP connection stands (RFC 9293 section 3.3.2). LISTEN is not here: a listener is
/// a port in `TCPSocketSet`, not a connection, and each SYN it takes becomes one.
public enum TCPState: Equatable, Sendable, CustomStringConvertible {
  /// We sent a SYN and wait for the peer's (active open).
  case synSent
  /// We received a SYN, answered with ours, and wait for its acknowledgement.
  case synReceived
  /// Both SYNs are acknowledged: data flows both ways.
  case established
  /// We sent a FIN that is not yet acknowledged; the peer may still send.
  case finWait1
  /// Our FIN is acknowledged; the peer may still send until its FIN.
  case finWait2
  /// The peer sent its FIN; we may still send until we close.
  case closeWait
  /// Both sides sent a FIN at once; ours is not yet acknowledged.
  case closing
  /// The peer closed first, then we sent our FIN; we wait for its acknowledgement.
  case lastAck
  /// Both FINs are acknowledged; we linger for 2 MSL so that a lost last ACK can be repeated
  /// and old duplicates die out before the same four-tuple is used again.
  case timeWait
  /// Nothing is left: the connection ended normally or by an error.
  case closed

  /// Whether both SYNs have been exchanged (RFC 9293's "synchronized states").
  public var isSynchronized: Bool {
    switch self {
    case .synSent, .synReceived, .closed: return false
    default: return true
    }
  }

  /// Whether the peer may still send data in this state.
  var receivesData: Bool {
    switch self {
    case .synReceived, .established, .finWait1, .finWait2: return true
    default: return false
    }
  }

  /// Whether the application may still queue data to send in this state.
  var acceptsData: Bool {
    switch self {
    case .synSent, .synReceived, .established, .closeWait: return true
    default: return false
    }
  }

  public var description: String {
    switch self {
    case .synSent: return "SYN-SENT"
    case .synReceived: return "SYN-RECEIVED"
    case .established: return "ESTABLISHED"
    case .finWait1: return "FIN-WAIT-1"
    case .finWait2: return "FIN-WAIT-2"
    case .closeWait: return "CLOSE-WAIT"
    case .closing: return "CLOSING"
    case .lastAck: return "LAST-ACK"
    case .timeWait: return "TIME-WAIT"
    case .closed: return "CLOSED"
    }
  }
}
