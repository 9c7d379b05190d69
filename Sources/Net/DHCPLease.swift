import Time

/// An address lease granted by a DHCP server, with the parameters the interface applies.
public struct DHCPLease: Equatable, Sendable {
  /// The leased address with the subnet's prefix length (option 1; when a server leaves it out,
  /// the historical class of the address gives it).
  public var subnet: IPv4Subnet
  /// The default gateway: the first router (option 3) on the subnet, if any.
  public var router: IPv4Address?
  /// The DNS servers (option 6), in order of preference.
  public var domainNameServers: [IPv4Address]
  /// The server that granted the lease (option 54), to which renewals go.
  public var serverIdentifier: IPv4Address
  /// How long the lease lasts from `start` (option 51); nil for an infinite lease.
  public var duration: Duration?
  /// When after `start` the client starts renewing (T1, option 58, by default half the lease).
  public var renewalTime: Duration?
  /// When after `start` the client asks any server (T2, option 59, by default 7/8 of the lease).
  public var rebindingTime: Duration?
  /// When the lease began: when the client sent the request that won it (RFC 2131 section 4.4.1),
  /// which errs on the early side of the server's clock.
  public var start: Instant

  /// The leased address.
  public var address: IPv4Address { subnet.address }
  /// When the client must start renewing; nil for an infinite lease.
  public var renewsAt: Instant? { renewalTime.map { start + $0 } }
  /// When the client must start rebinding; nil for an infinite lease.
  public var rebindsAt: Instant? { rebindingTime.map { start + $0 } }
  /// When the address must be given up; nil for an infinite lease.
  public var expiresAt: Instant? { duration.map { start + $0 } }

  /// A lease from a server's DHCPACK; nil when the acknowledgement lacks an address, a lease
  /// time or a server identifier, all of which RFC 2131 (table 3) requires.
  init?(acknowledgement: DHCPMessage, start: Instant) {
    let options = acknowledgement.options
    let address = acknowledgement.yourAddress
    guard address != .any, address != .broadcast, let serverIdentifier = options.serverIdentifier,
      let leaseTime = options.leaseTime
    else { return nil }
    let prefixLength = options.subnetPrefixLength ?? classfulPrefixLength(of: address)
    let subnet = IPv4Subnet(address: address, prefixLength: prefixLength)!
    self.subnet = subnet
    router = options.routers.first { subnet.contains($0) && $0 != address }
    domainNameServers = options.domainNameServers
    self.serverIdentifier = serverIdentifier
    self.start = start
    guard leaseTime != .max else { return }  // Infinite: never renewed.
    var renewal = options.renewalTime ?? leaseTime / 2
    var rebinding = options.rebindingTime ?? UInt32(UInt64(leaseTime) * 7 / 8)
    // Times out of order would renew after expiry; fall back to the defaults.
    if !(renewal <= rebinding && rebinding <= leaseTime) {
      renewal = leaseTime / 2
      rebinding = UInt32(UInt64(leaseTime) * 7 / 8)
    }
    duration = .seconds(leaseTime)
    renewalTime = .seconds(renewal)
    rebindingTime = .seconds(rebinding)
  }
}

/// The network prefix of an address's old class (A: /8, B: /16, C: /24), for a server that
/// sends no subnet mask.
private func classfulPrefixLength(of address: IPv4Address) -> Int {
  switch address.value >> 29 {
  case 0...3: return 8
  case 4, 5: return 16
  case 6: return 24
  default: return 32
  }
}
