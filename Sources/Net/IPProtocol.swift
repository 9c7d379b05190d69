/// The protocol number in an IPv4 header: what the datagram's payload is (IANA registry).
///
/// A struct so that every 8-bit value can be represented; the stack handles the three named here.
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The value as it appears in the header.
  public var rawValue: UInt8

  /// The protocol with this number.
  public init(rawValue: UInt8) {
    self.rawValue = rawValue
  }

  /// Internet Control Message Protocol (RFC 792).
  public static let icmp = IPProtocol(rawValue: 1)
  /// Transmission Control Protocol (RFC 9293).
  public static let tcp = IPProtocol(rawValue: 6)
  /// User Datagram Protocol (RFC 768).
  public static let udp = IPProtocol(rawValue: 17)

  public var description: String {
    switch self {
    case .icmp: return "ICMP"
    case .tcp: return "TCP"
    case .udp: return "UDP"
    default: return "protocol \(rawValue)"
    }
  }
}
