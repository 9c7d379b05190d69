/// An ICMP error that reached a socket: what went wrong, which host said so, and where the
/// datagram it is about was going. TCP keeps the latest soft one for the application (RFC 1122
/// section 4.2.3.9); a UDP socket keeps the latest of any kind (RFC 1122 section 4.1.3.3).
public struct ICMPv4ErrorReport: Hashable, Sendable, CustomStringConvertible {
  /// The kind of error, from the message's type and code.
  public enum Reason: Hashable, Sendable {
    /// Destination unreachable (type 3) with this code.
    case destinationUnreachable(ICMPv4Message.UnreachableCode)
    /// Time exceeded (type 11): the time to live ran out in transit (code 0), or reassembly
    /// timed out (code 1).
    case timeExceeded(code: UInt8)
  }

  /// What went wrong.
  public var reason: Reason
  /// The router or host that sent the ICMP message.
  public var reporter: IPv4Address
  /// The destination of the datagram it is about.
  public var destination: IPv4Address
  /// That datagram's destination port.
  public var destinationPort: UInt16

  /// A report with these fields.
  public init(
    reason: Reason, reporter: IPv4Address, destination: IPv4Address, destinationPort: UInt16
  ) {
    self.reason = reason
    self.reporter = reporter
    self.destination = destination
    self.destinationPort = destinationPort
  }

  public var description: String {
    let what: String
    switch reason {
    case .destinationUnreachable(let code): what = "destination unreachable (code \(code.rawValue))"
    case .timeExceeded(let code): what = "time exceeded (code \(code))"
    }
    return "ICMP \(what) from \(reporter) about \(destination):\(destinationPort)"
  }
}
