import Net
import Randomness
import Time
import XCTest

private let ourMAC = MACAddress(2, 0, 0, 0, 0, 0x20)
private let peerMAC = MACAddress(2, 0, 0, 0, 0, 0x01)
private let peerAddress = IPv4Address(192, 0, 2, 1)
private let sensors = DNSName("sensors.example")!
private let sensorsAddress = IPv4Address(198, 51, 100, 7)

/// Our interface, unconfigured, with `NetworkServices`, and a peer at 192.0.2.1 that serves DHCP
/// (`DHCPTestServer`) and DNS and asks mDNS questions, on one `SimulatedWire` in simulated time.
private struct ServicesOnAWire {
  var wire = SimulatedWire(configuration: SimulatedWireConfiguration(), seed: 7)
  var ours = NetworkInterface(
    configuration: .init(macAddress: ourMAC, routes: nil, secret: testSecret(host: 0)))
  var services = NetworkServices(hostLabel: "hub", macAddress: ourMAC, seed: 11)!
  var peer = NetworkInterface(
    configuration: .init(
      macAddress: peerMAC,
      routes: IPv4Routes(subnet: IPv4Subnet("192.0.2.1/24")!, gateway: nil),
      secret: testSecret(host: 1)))
  let ourPort: SimulatedWire.PortID
  let peerPort: SimulatedWire.PortID
  let dhcpServer, dnsServer, mdnsClient: UDPSocketHandle
  var answersDHCP = true
  var now = Instant.zero
  var events: [NetworkServicesEvent] = []
  /// The frames our interface sent, in order.
  var sentFrames: [[UInt8]] = []
  /// The mDNS messages the peer received on port 5353.
  var mdnsReceived: [DNSMessage] = []

  init() throws {
    ourPort = wire.attach()
    peerPort = wire.attach()
    dhcpServer = try peer.bindUDP(port: 67)
    dnsServer = try peer.bindUDP(port: 53)
    mdnsClient = try peer.bindUDP(port: 5353)
    XCTAssertTrue(peer.joinMulticastGroup(MDNSResponder.multicastAddress))
    try services.start(interface: &ours, now: now)
  }

  /// Runs both hosts and the wire for `duration` of simulated time, jumping from deadline to
  /// deadline (at most 10,000 steps).
  mutating func run(for duration: Duration) throws {
    let end = now + duration
    for _ in 0..<10_000 {
      if try exchange() { continue }
      let deadlines = [
        ours.deadline, peer.deadline, services.deadline, wire.nextDeliveryTime,
      ].compactMap { $0 }
      guard let next = deadlines.min(), next <= end else { break }
      now = max(now, next)
    }
    now = end
  }

  /// Runs what is due and moves what is queued; true if anything moved.
  private mutating func exchange() throws -> Bool {
    if let deadline = ours.deadline, deadline <= now, deadline != .zero { ours.poll(now: now) }
    if let deadline = peer.deadline, deadline <= now, deadline != .zero { peer.poll(now: now) }
    events += services.poll(interface: &ours, now: now)
    try serve()
    var moved = false
    while let frame = ours.transmit() {
      sentFrames.append(frame)
      wire.send(frame, from: ourPort, now: now)
      moved = true
    }
    while let frame = peer.transmit() {
      wire.send(frame, from: peerPort, now: now)
      moved = true
    }
    while let frame = wire.receive(at: ourPort, now: now) {
      ours.receive(frame: frame, now: now)
      moved = true
    }
    while let frame = wire.receive(at: peerPort, now: now) {
      peer.receive(frame: frame, now: now)
      moved = true
    }
    return moved
  }

  /// The peer's servers: DHCP replies are broadcast to port 68, DNS knows one name.
  private mutating func serve() throws {
    while let datagram = peer.receiveUDP(dhcpServer) {
      let request = try DHCPMessage.parse(datagram.payload[...])
      guard answersDHCP, let reply = DHCPTestServer().answer(request) else { continue }
      try peer.sendUDP(
        from: dhcpServer, to: .broadcast, port: 68, payload: reply.bytes, now: now)
    }
    while let datagram = peer.receiveUDP(dnsServer) {
      let query = try DNSMessage.parse(datagram.payload[...])
      let answer = DNSResourceRecord(name: sensors, timeToLive: 300, data: .a(sensorsAddress))
      let reply = DNSMessage(
        id: query.id, isResponse: true, recursionDesired: query.recursionDesired,
        recursionAvailable: true, questions: query.questions, answers: [answer])
      try peer.sendUDP(
        from: dnsServer, to: datagram.source, port: datagram.sourcePort, payload: reply.bytes,
        now: now)
    }
    while let datagram = peer.receiveUDP(mdnsClient) {
      mdnsReceived.append(try DNSMessage.parse(datagram.payload[...]))
    }
  }

  /// The peer asks the link for `name`'s address over mDNS.
  mutating func askMDNS(for name: DNSName) throws {
    let query = DNSMessage(id: 0, questions: [DNSQuestion(name: name, type: .a)])
    try peer.sendUDP(
      from: mdnsClient, to: MDNSResponder.multicastAddress, port: MDNSResponder.port,
      payload: query.bytes, now: now)
  }
}

final class NetworkServicesTests: XCTestCase {
  func testLeasesAnAddressResolvesANameAndAnswersForHubLocal() throws {
    var net = try ServicesOnAWire()
    XCTAssertThrowsError(try net.services.resolve(sensors, interface: &net.ours, now: net.now)) {
      XCTAssertEqual($0 as? NetworkServicesError, .noDNSServer)
    }
    try net.run(for: .seconds(1))

    // The DISCOVER went out before we had an address: from 0.0.0.0 to the limited broadcast.
    let (ethernet, ipPayload) = try EthernetHeader.parse(try XCTUnwrap(net.sentFrames.first)[...])
    let (discover, _) = try IPv4Header.parse(ipPayload)
    XCTAssertEqual(ethernet.destination, .broadcast)
    XCTAssertEqual(discover.source, .any)
    XCTAssertEqual(discover.destination, .broadcast)

    let leased = IPv4Address(192, 0, 2, 10)
    guard case .configured(let lease) = try XCTUnwrap(net.events.first) else {
      return XCTFail("expected a lease, got \(net.events)")
    }
    XCTAssertEqual(lease.address, leased)
    XCTAssertEqual(net.ours.address, leased)
    XCTAssertEqual(net.ours.configuration.routes?.gateway, peerAddress)
    XCTAssertEqual(net.services.resolver?.configuration.server, peerAddress)

    XCTAssertNil(try net.services.resolve(sensors, interface: &net.ours, now: net.now))
    try net.run(for: .seconds(1))
    XCTAssertEqual(net.events.last, .resolved(sensors, .addresses([sensorsAddress])))
    XCTAssertEqual(
      try net.services.resolve(sensors, interface: &net.ours, now: net.now),
      .addresses([sensorsAddress]), "answered from the cache")

    try net.run(for: .seconds(3))  // Probing and announcing are over.
    XCTAssertEqual(net.services.responder?.phase, .announced)
    let announcements = net.mdnsReceived.filter { $0.isResponse }.count
    XCTAssertEqual(announcements, 2)
    try net.askMDNS(for: DNSName("hub.local")!)
    try net.run(for: .seconds(1))
    let answer = try XCTUnwrap(net.mdnsReceived.last)
    XCTAssertTrue(answer.isResponse)
    XCTAssertEqual(answer.answers.first?.name, DNSName("hub.local")!)
    XCTAssertEqual(answer.answers.first?.data, .a(leased))
    XCTAssertEqual(net.services.sendFailures, 0)

    // RFC 6762 section 11: mDNS packets carry IP TTL 255; everything else the default 64.
    var timeToLiveByDestination: [IPv4Address: Set<UInt8>] = [:]
    for frame in net.sentFrames {
      let (ethernet, ipPayload) = try EthernetHeader.parse(frame[...])
      guard ethernet.etherType == .ipv4 else { continue }
      let (header, _) = try IPv4Header.parse(ipPayload)
      timeToLiveByDestination[header.destination, default: []].insert(header.timeToLive)
    }
    XCTAssertEqual(timeToLiveByDestination[MDNSResponder.multicastAddress], [255])
    XCTAssertEqual(timeToLiveByDestination[.broadcast], [64])
    XCTAssertEqual(timeToLiveByDestination[peerAddress], [64])
  }

  func testALeaseThatRunsOutTakesTheAddressAndTheServicesAway() throws {
    var net = try ServicesOnAWire()
    try net.run(for: .seconds(1))
    XCTAssertNotNil(net.ours.address)
    net.answersDHCP = false
    try net.run(for: .seconds(3601))
    XCTAssertTrue(net.events.contains(.deconfigured), "\(net.events)")
    XCTAssertNil(net.ours.address)
    XCTAssertNil(net.services.resolver)
    XCTAssertNil(net.services.responder)
    XCTAssertEqual(net.services.dhcp.state, .selecting, "discovering again")
    XCTAssertThrowsError(try net.services.resolve(sensors, interface: &net.ours, now: net.now))
  }

  func testAHostLabelThatIsNotADNSLabelIsRefused() {
    XCTAssertNil(NetworkServices(hostLabel: "", macAddress: ourMAC, seed: 1))
    let tooLong = String(repeating: "a", count: 64)
    XCTAssertNil(NetworkServices(hostLabel: tooLong, macAddress: ourMAC, seed: 1))
    XCTAssertNotNil(NetworkServices(hostLabel: "hub", macAddress: ourMAC, seed: 1))
  }

  func testAnInterfaceWithoutAnAddressOnlyBroadcasts() throws {
    var interface = NetworkInterface(
      configuration: .init(macAddress: ourMAC, routes: nil, secret: testSecret(host: 0)))
    let socket = try interface.bindUDP(port: 68)
    XCTAssertThrowsError(
      try interface.sendUDP(from: socket, to: peerAddress, port: 67, payload: [1], now: .zero)
    ) { XCTAssertEqual($0 as? UDPSocketError, .noRoute(peerAddress)) }
    XCTAssertNil(interface.transmit())
    try interface.sendUDP(from: socket, to: .broadcast, port: 67, payload: [1], now: .zero)
    let frame = try XCTUnwrap(interface.transmit())
    let (_, ipPayload) = try EthernetHeader.parse(frame[...])
    let (header, udp) = try IPv4Header.parse(ipPayload)
    XCTAssertEqual(header.source, .any)
    let (udpHeader, payload) = try UDPHeader.parse(udp, source: .any, destination: .broadcast)
    XCTAssertEqual(udpHeader.destinationPort, 67)
    XCTAssertEqual(Array(payload), [1])
  }
}
