/// An IPv4 address, kept as its 32 bits in network order (the first octet in the high byte).
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The address as a big-endian number: 192.0.2.1 is 0xC000_0201.
  public var value: UInt32

  /// The address with these 32 bits.
  public init(_ value: UInt32) {
    self.value = value
  }

  /// The address `a.b.c.d`.
  public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
    value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
  }

  /// Reads dotted-decimal text such as `192.0.2.1`; nil for anything else (no leading zeros,
  /// which some parsers read as octal).
  public init?(_ text: String) {
    var octets: [UInt32] = []
    for part in text.split(separator: ".", omittingEmptySubsequences: false) {
      guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
        part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
      else { return nil }
      octets.append(octet)
    }
    guard octets.count == 4 else { return nil }
    value = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
  }

  /// The four octets in network order.
  public var octets: [UInt8] {
    [
      UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
      UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
    ]
  }

  /// 0.0.0.0, the "this host" address a DHCP client uses before it has one.
  public static let any = IPv4Address(0)
  /// 255.255.255.255, the limited broadcast address.
  public static let broadcast = IPv4Address(0xFFFF_FFFF)

  /// Whether this is a multicast address (224.0.0.0/4).
  public var isMulticast: Bool { value >> 28 == 0xE }

  public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

  public var description: String {
    "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
  }
}
