/// Names a TCP connection of a `NetworkInterface`: its slot, and the slot's generation so that
/// a handle kept after close cannot reach a later connection in the same slot.
public struct TCPSocketHandle: Hashable, Sendable {
  let index: Int
  let generation: UInt32
}

/// Names a listening port of a `NetworkInterface`.
public struct TCPListenerHandle: Hashable, Sendable {
  /// The port it listens on.
  public let port: UInt16
}

/// What the application can do with a connection now: the socket API's readiness.
public struct TCPSocketStatus: Equatable, Sendable {
  /// Where the connection stands.
  public var state: TCPState
  /// Bytes received in order and not yet read.
  public var readableBytes: Int
  /// Room in the send buffer, 0 once the sending side is closed.
  public var writableBytes: Int
  /// Whether the peer has closed its side and everything it sent has been read.
  public var reachedEndOfStream: Bool
  /// Why the connection ended, if it ended badly.
  public var error: TCPConnectionError?
  /// Bytes queued and not yet acknowledged by the peer.
  public var unacknowledgedBytes: Int
  /// The latest soft ICMP error about the connection's segments (net or host unreachable,
  /// time exceeded: RFC 1122 section 4.2.3.9), until the peer acknowledges new data; with
  /// `error` `.timedOut`, the likely reason the peer never answered.
  public var lastSoftError: ICMPv4ErrorReport? = nil
}

/// Why a TCP socket call was refused.
public enum TCPSocketError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Port 0 names no port.
  case invalidPort
  /// Another listener has this port.
  case portInUse(UInt16)
  /// Every listener slot is taken.
  case noFreeListener
  /// The connection table is full.
  case noFreeConnection
  /// Every ephemeral port to that destination is in use.
  case noFreeEphemeralPort
  /// The handle names no open socket (never opened, or closed).
  case notOpen
  /// The interface has no address, or no route to the destination.
  case noRoute(IPv4Address)
  /// The application closed the sending side already.
  case sendingClosed
  /// The connection has ended with this error.
  case connection(TCPConnectionError)

  public var description: String {
    switch self {
    case .invalidPort: return "TCP: port 0 cannot be used"
    case .portInUse(let port): return "TCP: port \(port) is already listening"
    case .noFreeListener: return "TCP: no free listener"
    case .noFreeConnection: return "TCP: the connection table is full"
    case .noFreeEphemeralPort: return "TCP: no free ephemeral port"
    case .notOpen: return "TCP: the socket is not open"
    case .noRoute(let address): return "TCP: no route to \(address)"
    case .sendingClosed: return "TCP: the sending side is closed"
    case .connection(let error): return error.description
    }
  }
}
