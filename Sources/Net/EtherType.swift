/// The EtherType of an Ethernet II frame: which protocol its payload carries (IEEE registry).
///
/// A struct rather than an enum so that every 16-bit value, known or not, can be represented and
/// passed on; the stack switches on the few it handles.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The value as it appears on the wire, big-endian.
  public var rawValue: UInt16

  /// The EtherType with this value.
  public init(rawValue: UInt16) {
    self.rawValue = rawValue
  }

  /// Internet Protocol version 4 (RFC 894).
  public static let ipv4 = EtherType(rawValue: 0x0800)
  /// Address Resolution Protocol (RFC 826).
  public static let arp = EtherType(rawValue: 0x0806)
  /// Internet Protocol version 6 (RFC 2464).
  public static let ipv6 = EtherType(rawValue: 0x86DD)
  /// An IEEE 802.1Q VLAN tag in place of the EtherType.
  public static let vlan = EtherType(rawValue: 0x8100)
  /// An IEEE 802.1ad service VLAN tag (the outer tag of "Q-in-Q").
  public static let serviceVLAN = EtherType(rawValue: 0x88A8)

  /// The smallest EtherType; values below it are IEEE 802.3 length fields, not EtherTypes.
  public static let minimumValue: UInt16 = 0x0600

  /// Whether this value introduces a VLAN tag rather than naming a payload protocol.
  public var isVLANTag: Bool { self == .vlan || self == .serviceVLAN }

  public var description: String {
    switch self {
    case .ipv4: return "IPv4"
    case .arp: return "ARP"
    case .ipv6: return "IPv6"
    default: return "EtherType \(rawValue)"
    }
  }
}
