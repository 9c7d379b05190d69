/// An interface's address with its prefix length, such as 192.0.2.10/24: where the interface is
/// and which neighbours it reaches directly.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
  /// The interface's own address.
  public var address: IPv4Address
  /// How many leading bits name the network, 0 to 32.
  public var prefixLength: Int

  /// An address with its prefix length; nil if the length is over 32.
  public init?(address: IPv4Address, prefixLength: Int) {
    guard (0...32).contains(prefixLength) else { return nil }
    self.address = address
    self.prefixLength = prefixLength
  }

  /// Reads `a.b.c.d/n`.
  public init?(_ text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let address = IPv4Address(String(parts[0])),
      parts[1].count <= 2, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let length = Int(parts[1])
    else { return nil }
    self.init(address: address, prefixLength: length)
  }

  /// The network mask: 255.255.255.0 for /24.
  public var mask: UInt32 {
    prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
  }

  /// The network's own address (host bits zero).
  public var network: IPv4Address { IPv4Address(address.value & mask) }

  /// The directed broadcast address (host bits one).
  public var broadcast: IPv4Address { IPv4Address(address.value | ~mask) }

  /// Whether `other` is on this network, so it is reached without a gateway.
  public func contains(_ other: IPv4Address) -> Bool {
    other.value & mask == address.value & mask
  }

  public var description: String { "\(address)/\(prefixLength)" }
}

/// How an interface reaches an address: directly on its subnet, or through the default gateway.
public struct IPv4Routes: Hashable, Sendable {
  /// The interface's address and subnet.
  public var subnet: IPv4Subnet
  /// The router for every address off the subnet, if there is one.
  public var gateway: IPv4Address?

  /// Routes for an interface; a gateway must be on the subnet, or it could not be reached.
  public init?(subnet: IPv4Subnet, gateway: IPv4Address?) {
    if let gateway, !subnet.contains(gateway) { return nil }
    self.subnet = subnet
    self.gateway = gateway
  }

  /// The neighbour whose MAC address a datagram to `destination` is sent to: the destination
  /// itself when it is on the subnet (or a broadcast or multicast group, which go out on the
  /// link), else the gateway; nil when unreachable.
  public func nextHop(for destination: IPv4Address) -> IPv4Address? {
    if destination == .broadcast || destination == subnet.broadcast || destination.isMulticast
      || subnet.contains(destination)
    {
      return destination
    }
    return gateway
  }
}
