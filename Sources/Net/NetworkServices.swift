import Randomness
import Time

/// What `NetworkServices` reports to its driver.
public enum NetworkServicesEvent: Equatable, Sendable {
  /// DHCP granted (or renewed) a lease, and the interface now has its address and routes.
  case configured(DHCPLease)
  /// The lease was lost: the interface has no address, and the resolver and responder stopped.
  case deconfigured
  /// A name asked with `resolve` has resolved (or failed to).
  case resolved(DNSName, DNSResolution)
}

/// Why `NetworkServices` refused a request.
public enum NetworkServicesError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The interface has no lease, or the lease names no DNS server, so there is no one to ask.
  case noDNSServer
  /// A socket could not be opened.
  case socket(UDPSocketError)
  /// The interface is in as many multicast groups as it may be, so it cannot join mDNS's.
  case multicastGroupsFull

  public var description: String {
    switch self {
    case .noDNSServer: return "network services: no DNS server (no lease yet, or none offered)"
    case .socket(let error): return "network services: \(error)"
    case .multicastGroupsFull: return "network services: cannot join 224.0.0.251 (groups full)"
    }
  }
}

/// The host's own services on one `NetworkInterface`: a DHCP client that gives the interface its
/// address, a DNS stub resolver that asks the server the lease names, and an mDNS responder that
/// answers for `hostLabel.local` once there is an address to answer with.
///
/// It is sans-IO glue: it owns no interface, but works on the one the driver passes in, over the
/// interface's UDP sockets (68 for DHCP, 5353 and group 224.0.0.251 for mDNS, a random
/// ephemeral port for DNS). The driver calls `start` once, then `poll` after handing the
/// interface received frames and whenever `deadline` passes, and sends what the interface then
/// queues. Randomness (DHCP transaction ids, DNS query ids, the DNS port) comes from `seed`,
/// which a platform takes from a real entropy source.
public struct NetworkServices {
  /// The name the host gives DHCP and claims over mDNS, such as `hub`.
  public let hostLabel: String
  /// The DHCP client, whose `lease` is the one in force.
  public private(set) var dhcp: DHCPClient<SeededRandom>
  /// The resolver, while the lease names a DNS server.
  public private(set) var resolver: DNSStubResolver<SeededRandom>?
  /// The resolver of `.local` names: one-shot queries to the mDNS group from an ordinary port,
  /// which responders answer by unicast (RFC 6762 sections 5.1 and 6.7), so that appliances
  /// find `hub.local` with no DNS server and no configuration.
  public private(set) var localResolver: DNSStubResolver<SeededRandom>
  /// The responder, while the interface has an address.
  public private(set) var responder: MDNSResponder?
  /// Datagrams the interface refused to send (no route, no socket); protocols retry on their own.
  public private(set) var sendFailures = 0

  private var random: SeededRandom
  private var sockets: (dhcp: UDPSocketHandle, dns: UDPSocketHandle, mdns: UDPSocketHandle)?
  private var events: [NetworkServicesEvent] = []

  /// Services for the interface with `macAddress`; nil if `hostLabel` cannot be a DNS label
  /// (empty, or over 63 bytes).
  public init?(hostLabel: String, macAddress: MACAddress, seed: UInt64) {
    let probe = MDNSResponderConfiguration(hostLabel: hostLabel, address: .any)
    guard MDNSResponder(configuration: probe) != nil else { return nil }
    self.hostLabel = hostLabel
    random = SeededRandom(seed: seed)
    var configuration = DHCPClientConfiguration(hardwareAddress: macAddress)
    configuration.hostName = hostLabel
    dhcp = DHCPClient(configuration: configuration, random: SeededRandom(seed: random.next()))
    var local = DNSStubResolverConfiguration(server: MDNSResponder.multicastAddress)
    local.serverPort = MDNSResponder.port
    local.initialTimeout = .seconds(1)
    localResolver = DNSStubResolver(configuration: local, random: SeededRandom(seed: random.next()))
  }

  /// When `poll` must next run for the services' own timers (the interface has its own
  /// `deadline`). Its getter is `mutating` for the reason `NetworkInterface.deadline` gives.
  public var deadline: Instant? {
    mutating get {
      let resolvers = Instant.earliest(resolver?.deadline, localResolver.deadline)
      return Instant.earliest(Instant.earliest(dhcp.deadline, resolvers), responder?.deadline)
    }
  }

  /// Opens the three sockets, joins the mDNS group, and broadcasts the first DHCP DISCOVER.
  /// With `dhcp` false the interface keeps the address it was configured with: the responder
  /// claims the host name for that address at once, and DHCP stays silent.
  public mutating func start(
    interface: inout NetworkInterface, now: Instant, dhcp usesDHCP: Bool = true
  ) throws(NetworkServicesError) {
    precondition(sockets == nil, "started twice")
    precondition(interface.configuration.macAddress == dhcp.configuration.hardwareAddress)
    do {
      let dhcpSocket = try interface.bindUDP(port: 68)
      let mdnsSocket = try interface.bindUDP(port: MDNSResponder.port)
      sockets = (dhcpSocket, try bindEphemeralPort(&interface), mdnsSocket)
    } catch {
      throw .socket(error)
    }
    guard interface.joinMulticastGroup(MDNSResponder.multicastAddress) else {
      throw .multicastGroupsFull
    }
    if usesDHCP {
      apply(dhcp.start(now: now), to: &interface, now: now)
    } else if let address = interface.address {
      startResponder(for: address, &interface, now: now)
    }
  }

  /// Starts resolving `name`: a `.local` name over mDNS, any other through the lease's DNS
  /// server. Returns the resolution at once when it is cached (or cannot be had); otherwise
  /// nil, and `poll` reports it as `.resolved`.
  public mutating func resolve(
    _ name: DNSName, interface: inout NetworkInterface, now: Instant
  ) throws(NetworkServicesError) -> DNSResolution? {
    let action: DNSResolverAction
    if name.labels.last.map({ Array("local".utf8) == $0.map { $0 | 0x20 } }) ?? false {
      action = localResolver.resolve(name, now: now)
    } else {
      guard resolver != nil else { throw .noDNSServer }
      action = resolver!.resolve(name, now: now)
    }
    switch action {
    case .answer(_, let resolution):
      return resolution
    case .send(let query, let server, let port):
      send(
        query, from: sockets!.dns, to: server, port: port,
        timeToLive: server.isMulticast ? 255 : IPv4Header.defaultTimeToLive, &interface, now: now)
      return nil
    case .wait:
      return nil
    }
  }

  /// Hands every datagram the sockets received to its protocol, runs the timers due by `now`,
  /// and returns what happened. Sends go to the interface's transmit queue.
  /// (What happened is gathered in `events` during this call only, so it stays bounded.)
  public mutating func poll(interface: inout NetworkInterface, now: Instant)
    -> [NetworkServicesEvent]
  {
    guard let sockets else { return [] }
    while let datagram = interface.receiveUDP(sockets.dhcp) {
      guard let message = try? DHCPMessage.parse(datagram.payload[...]) else { continue }
      apply(dhcp.receive(message, now: now), to: &interface, now: now)
    }
    apply(dhcp.poll(now: now), to: &interface, now: now)
    while let datagram = interface.receiveUDP(sockets.dns) {
      // Both resolvers share the socket; each takes only replies to its own pending queries.
      var action = localResolver.receive(
        datagram.payload[...], from: datagram.source, port: datagram.sourcePort, now: now)
      if action == .wait, resolver != nil {
        action = resolver!.receive(
          datagram.payload[...], from: datagram.source, port: datagram.sourcePort, now: now)
      }
      apply([action], to: &interface, now: now)
    }
    if resolver != nil { apply(resolver!.poll(now: now), to: &interface, now: now) }
    apply(localResolver.poll(now: now), to: &interface, now: now)
    while let datagram = interface.receiveUDP(sockets.mdns) {
      guard responder != nil else { continue }
      let actions = responder!.receive(
        datagram.payload[...], from: datagram.source, port: datagram.sourcePort, now: now)
      apply(actions, to: &interface, now: now)
    }
    if responder != nil { apply(responder!.poll(now: now), to: &interface, now: now) }
    defer { events = [] }
    return events
  }

  /// Binds a random port in the dynamic range (RFC 6335), so that an off-path attacker must
  /// guess it as well as the query id to forge a DNS reply.
  private mutating func bindEphemeralPort(
    _ interface: inout NetworkInterface
  ) throws(UDPSocketError) -> UDPSocketHandle {
    for attempt in 1...8 {
      let port = UInt16(49152 + random.next(below: 16384))
      do {
        return try interface.bindUDP(port: port)
      } catch .portInUse where attempt < 8 {
        continue
      }
    }
    preconditionFailure("the last attempt returns or throws")
  }
}

// MARK: - Carrying out the protocols' actions

extension NetworkServices {
  private mutating func apply(
    _ actions: [DHCPClientAction], to interface: inout NetworkInterface, now: Instant
  ) {
    for action in actions {
      switch action {
      case .send(let message, let server):
        send(message.bytes, from: sockets!.dhcp, to: server, port: 67, &interface, now: now)
      case .configure(let lease):
        configure(lease, &interface, now: now)
      case .deconfigure:
        interface.setRoutes(nil, now: now)
        resolver = nil
        responder = nil
        events.append(.deconfigured)
      }
    }
  }

  /// Gives the interface the lease's address and gateway, points the resolver at the lease's
  /// first DNS server, and (for a new address) starts claiming the host name over mDNS.
  private mutating func configure(
    _ lease: DHCPLease, _ interface: inout NetworkInterface, now: Instant
  ) {
    interface.setRoutes(IPv4Routes(subnet: lease.subnet, gateway: lease.router), now: now)
    if let server = lease.domainNameServers.first {
      if resolver?.configuration.server != server {
        resolver = DNSStubResolver(
          configuration: DNSStubResolverConfiguration(server: server),
          random: SeededRandom(seed: random.next()))
      }
    } else {
      resolver = nil
    }
    if responder?.configuration.address != lease.address {
      startResponder(for: lease.address, &interface, now: now)
    }
    events.append(.configured(lease))
  }

  /// Starts claiming the host name over mDNS for `address`.
  private mutating func startResponder(
    for address: IPv4Address, _ interface: inout NetworkInterface, now: Instant
  ) {
    let configuration = MDNSResponderConfiguration(hostLabel: hostLabel, address: address)
    responder = MDNSResponder(configuration: configuration)
    apply(responder!.start(now: now), to: &interface, now: now)
  }

  private mutating func apply(
    _ actions: [DNSResolverAction], to interface: inout NetworkInterface, now: Instant
  ) {
    for action in actions {
      switch action {
      case .send(let query, let server, let port):
        send(
          query, from: sockets!.dns, to: server, port: port,
          timeToLive: server.isMulticast ? 255 : IPv4Header.defaultTimeToLive, &interface, now: now)
      case .answer(let name, let resolution):
        events.append(.resolved(name, resolution))
      case .wait:
        break
      }
    }
  }

  private mutating func apply(
    _ actions: [MDNSAction], to interface: inout NetworkInterface, now: Instant
  ) {
    for case .send(let payload, let address, let port) in actions {
      // RFC 6762 section 11: every mDNS packet goes out with IP TTL 255.
      send(
        payload, from: sockets!.mdns, to: address, port: port, timeToLive: 255, &interface,
        now: now)
    }
  }

  private mutating func send(
    _ payload: [UInt8], from socket: UDPSocketHandle, to address: IPv4Address, port: UInt16,
    timeToLive: UInt8 = IPv4Header.defaultTimeToLive, _ interface: inout NetworkInterface,
    now: Instant
  ) {
    do {
      try interface.sendUDP(
        from: socket, to: address, port: port, payload: payload, timeToLive: timeToLive, now: now)
    } catch {
      sendFailures += 1
    }
  }
}
