import Net
import Time
import XCTest

/// One interface (192.0.2.11, host 1) fed hand-made frames from a peer (192.0.2.10, host 0),
/// checking what it sends back and what it counts.
final class NetworkInterfaceInputTests: XCTestCase {
  private let peer = SimulatedHosts.address(host: 0)
  private let peerMAC = SimulatedHosts.mac(host: 0)
  private let ours = SimulatedHosts.address(host: 1)
  private let ourMAC = SimulatedHosts.mac(host: 1)

  private func makeInterface() -> NetworkInterface {
    NetworkInterface(configuration: SimulatedHosts.configuration(host: 1))
  }

  private func arpFrame(
    _ operation: ARPPacket.Operation, from sender: IPv4Address, asking target: IPv4Address,
    to destination: MACAddress = .broadcast
  ) -> [UInt8] {
    var bytes: [UInt8] = []
    ARPPacket(
      operation: operation, senderHardwareAddress: peerMAC, senderProtocolAddress: sender,
      targetHardwareAddress: destination == .broadcast ? MACAddress(0, 0, 0, 0, 0, 0) : ourMAC,
      targetProtocolAddress: target
    ).emit(into: &bytes)
    return ethernetFrame(to: destination, etherType: .arp, payload: bytes)
  }

  private func ethernetFrame(
    to destination: MACAddress, etherType: EtherType, payload: [UInt8]
  ) -> [UInt8] {
    var frame: [UInt8] = []
    EthernetHeader(destination: destination, source: peerMAC, etherType: etherType)
      .emit(payload: payload, into: &frame)
    return frame
  }

  private func datagram(
    to destination: IPv4Address, _ payloadProtocol: IPProtocol, _ payload: [UInt8]
  ) -> [UInt8] {
    var bytes: [UInt8] = []
    IPv4Header(source: peer, destination: destination, payloadProtocol: payloadProtocol)
      .emit(payload: payload, into: &bytes)
    return bytes
  }

  private func udp(to destination: IPv4Address, port: UInt16, _ payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    UDPHeader(sourcePort: 5353, destinationPort: port)
      .emit(payload: payload, source: peer, destination: destination, into: &bytes)
    return datagram(to: destination, .udp, bytes)
  }

  private func drain(_ interface: inout NetworkInterface) -> [[UInt8]] {
    var frames: [[UInt8]] = []
    while let frame = interface.transmit() { frames.append(frame) }
    return frames
  }

  func testAnswersARPRequestsForItsAddressAndLearnsTheAsker() throws {
    var interface = makeInterface()
    interface.receive(frame: arpFrame(.request, from: peer, asking: ours), now: .zero)
    let frames = drain(&interface)
    XCTAssertEqual(frames.count, 1)
    let (ethernet, payload) = try EthernetHeader.parse(frames[0][...])
    XCTAssertEqual(ethernet.destination, peerMAC)
    let reply = try ARPPacket.parse(payload)
    XCTAssertEqual(reply.operation, .reply)
    XCTAssertEqual(reply.senderHardwareAddress, ourMAC)
    XCTAssertEqual(reply.senderProtocolAddress, ours)
    XCTAssertEqual(reply.targetProtocolAddress, peer)
    // Learned: a ping to the asker goes out at once, without a query.
    interface.sendEchoRequest(to: peer, identifier: 1, sequenceNumber: 1, data: [], now: .zero)
    let ping = try EthernetHeader.parse(try XCTUnwrap(interface.transmit())[...]).header
    XCTAssertEqual(ping.destination, peerMAC)
    XCTAssertEqual(ping.etherType, .ipv4)
  }

  func testIgnoresRequestsForOthersFromUnknownSendersAndReleasesWaitingDatagrams() throws {
    var interface = makeInterface()
    let other = IPv4Address(192, 0, 2, 99)
    interface.receive(frame: arpFrame(.request, from: peer, asking: other), now: .zero)
    XCTAssertTrue(drain(&interface).isEmpty, "not for us: no reply")
    interface.sendEchoRequest(to: peer, identifier: 1, sequenceNumber: 1, data: [9], now: .zero)
    let query = try XCTUnwrap(interface.transmit())
    XCTAssertEqual(
      try ARPPacket.parse(EthernetHeader.parse(query[...]).payload).operation, .request)
    XCTAssertNotNil(interface.deadline, "a retry is scheduled")
    interface.receive(frame: arpFrame(.reply, from: peer, asking: ours, to: ourMAC), now: .zero)
    let released = try EthernetHeader.parse(try XCTUnwrap(interface.transmit())[...])
    XCTAssertEqual(released.header.destination, peerMAC)
    let (ip, icmp) = try IPv4Header.parse(released.payload)
    XCTAssertEqual(ip.destination, peer)
    XCTAssertEqual(
      try ICMPv4Message.parse(icmp), .echoRequest(identifier: 1, sequenceNumber: 1, data: [9]))
  }

  func testGivesUpOnANeighbourThatNeverAnswers() {
    var interface = makeInterface()
    interface.sendEchoRequest(to: peer, identifier: 1, sequenceNumber: 1, data: [], now: .zero)
    var now = Instant.zero
    for _ in 0..<10 {
      _ = drain(&interface)
      guard let deadline = interface.deadline else { break }
      now = deadline
      interface.poll(now: now)
    }
    XCTAssertNil(interface.deadline)
    XCTAssertEqual(interface.counters.arpRequestsSent, 3)
    XCTAssertEqual(interface.counters.arpUnresolved, 1)
  }

  func testPortUnreachableQuotesTheHeaderAndEightBytes() throws {
    var interface = makeInterface()
    interface.receive(frame: arpFrame(.request, from: peer, asking: ours), now: .zero)
    _ = drain(&interface)
    let original = udp(to: ours, port: 9, Array("no one listens here".utf8))
    interface.receive(
      frame: ethernetFrame(to: ourMAC, etherType: .ipv4, payload: original), now: .zero)
    let frames = drain(&interface)
    XCTAssertEqual(frames.count, 1)
    let (ip, icmp) = try IPv4Header.parse(try EthernetHeader.parse(frames[0][...]).payload)
    XCTAssertEqual(ip.source, ours)
    XCTAssertEqual(ip.destination, peer)
    XCTAssertEqual(ip.payloadProtocol, .icmp)
    XCTAssertEqual(
      try ICMPv4Message.parse(icmp),
      .destinationUnreachable(
        code: .portUnreachable, nextHopMTU: 0, original: original.prefix(28)))
    XCTAssertEqual(interface.counters.udpNoSocket, 1)
  }

  func testBroadcastsReachSocketsButGetNoICMP() throws {
    var interface = makeInterface()
    let socket = try interface.bindUDP(port: 67)
    for destination in [IPv4Address.broadcast, IPv4Address(192, 0, 2, 255)] {
      let frame = ethernetFrame(
        to: .broadcast, etherType: .ipv4, payload: udp(to: destination, port: 67, [1]))
      interface.receive(frame: frame, now: .zero)
      XCTAssertEqual(interface.receiveUDP(socket)?.destination, destination)
    }
    interface.receive(
      frame: ethernetFrame(
        to: .broadcast, etherType: .ipv4, payload: udp(to: .broadcast, port: 68, [1])),
      now: .zero)
    var echo: [UInt8] = []
    ICMPv4Message.echoRequest(identifier: 1, sequenceNumber: 1, data: []).emit(into: &echo)
    interface.receive(
      frame: ethernetFrame(
        to: .broadcast, etherType: .ipv4, payload: datagram(to: .broadcast, .icmp, echo)),
      now: .zero)
    XCTAssertTrue(drain(&interface).isEmpty, "no port unreachable, no echo reply to a broadcast")
    XCTAssertEqual(interface.counters.udpNoSocket, 1)
    XCTAssertEqual(interface.counters.icmpEchoRequestsIgnored, 1)
  }

  func testMulticastIsReceivedOnlyForJoinedGroups() throws {
    var interface = makeInterface()
    let group = IPv4Address(224, 0, 0, 251)
    let socket = try interface.bindUDP(port: 5353)
    let frame = ethernetFrame(
      to: NetworkInterface.macAddress(ofGroup: group), etherType: .ipv4,
      payload: udp(to: group, port: 5353, [7]))
    interface.receive(frame: frame, now: .zero)
    XCTAssertNil(interface.receiveUDP(socket))
    XCTAssertEqual(interface.counters.ethernetNotForUs, 1)
    XCTAssertTrue(interface.joinMulticastGroup(group))
    XCTAssertFalse(interface.joinMulticastGroup(IPv4Address(10, 0, 0, 1)), "not a group")
    interface.receive(frame: frame, now: .zero)
    XCTAssertEqual(interface.receiveUDP(socket)?.payload, [7])
  }

  func testMalformedFramesAreCountedAndDropped() {
    var interface = makeInterface()
    let socket = try? interface.bindUDP(port: 7)
    var badChecksum = udp(to: ours, port: 7, [1, 2])
    badChecksum[10] ^= 0xFF
    var badUDPChecksum = udp(to: ours, port: 7, [1, 2])
    badUDPChecksum[badUDPChecksum.count - 1] ^= 0xFF
    var badICMP: [UInt8] = []
    ICMPv4Message.echoRequest(identifier: 1, sequenceNumber: 1, data: [5]).emit(into: &badICMP)
    badICMP[2] ^= 0xFF
    var shortHeader = udp(to: ours, port: 7, [1, 2])
    shortHeader[0] = 0x44  // A header length of 16 bytes, below IPv4's 20.
    let frames: [[UInt8]] = [
      Array(repeating: 0, count: 10),
      ethernetFrame(to: ourMAC, etherType: .ipv4, payload: badChecksum),
      ethernetFrame(
        to: MACAddress(2, 9, 9, 9, 9, 9), etherType: .ipv4, payload: udp(to: ours, port: 7, [1])),
      ethernetFrame(
        to: ourMAC, etherType: .ipv4, payload: udp(to: IPv4Address(192, 0, 2, 50), port: 7, [1])),
      ethernetFrame(to: ourMAC, etherType: .ipv4, payload: badUDPChecksum),
      ethernetFrame(to: ourMAC, etherType: .ipv4, payload: datagram(to: ours, .icmp, badICMP)),
      ethernetFrame(to: ourMAC, etherType: .ipv6, payload: [0x60]),
      ethernetFrame(to: ourMAC, etherType: .arp, payload: [0, 1, 8, 0]),
    ]
    for frame in frames { interface.receive(frame: frame, now: .zero) }
    interface.receive(
      frame: ethernetFrame(to: ourMAC, etherType: .ipv4, payload: shortHeader), now: .zero)
    XCTAssertTrue(drain(&interface).isEmpty, "nothing is answered")
    XCTAssertNil(socket.flatMap { interface.receiveUDP($0) })
    var expected = NetworkInterfaceCounters()
    expected.framesReceived = 9
    expected.ethernetMalformed = 1
    expected.ipv4BadChecksum = 1
    expected.ethernetNotForUs = 1
    expected.ipv4NotForUs = 1
    expected.udpBadChecksum = 1
    expected.icmpBadChecksum = 1
    expected.ethernetUnsupportedType = 1
    expected.arpMalformed = 1
    expected.ipv4Malformed = 1
    XCTAssertEqual(interface.counters, expected)
  }

  func testSocketsAreBoundedAndTheirQueuesDropWhenFull() throws {
    var configuration = SimulatedHosts.configuration(host: 1)
    configuration.maximumUDPSockets = 2
    configuration.maximumQueuedDatagramsPerSocket = 3
    var interface = NetworkInterface(configuration: configuration)
    let socket = try interface.bindUDP(port: 7)
    XCTAssertThrowsError(try interface.bindUDP(port: 7)) {
      XCTAssertEqual($0 as? UDPSocketError, .portInUse(7))
    }
    XCTAssertThrowsError(try interface.bindUDP(port: 0)) {
      XCTAssertEqual($0 as? UDPSocketError, .invalidPort)
    }
    let second = try interface.bindUDP(port: 8)
    XCTAssertThrowsError(try interface.bindUDP(port: 9)) {
      XCTAssertEqual($0 as? UDPSocketError, .noFreeSocket)
    }
    interface.closeUDP(second)
    XCTAssertEqual(try interface.bindUDP(port: 9), second, "a closed slot is reused")
    for index in 0..<5 {
      let frame = ethernetFrame(
        to: ourMAC, etherType: .ipv4, payload: udp(to: ours, port: 7, [UInt8(index)]))
      interface.receive(frame: frame, now: .zero)
    }
    XCTAssertEqual(interface.counters.udpQueueFull, 2)
    XCTAssertEqual(interface.droppedDatagramCount(socket), 2)
    XCTAssertEqual(interface.receiveUDP(socket)?.payload, [0], "the oldest are kept")
    XCTAssertThrowsError(
      try interface.sendUDP(
        from: socket, to: peer, port: 7,
        payload: Array(repeating: 0, count: NetworkInterface.maximumUDPPayloadLength + 1),
        now: .zero))
    XCTAssertThrowsError(
      try interface.sendUDP(
        from: socket, to: IPv4Address(10, 0, 0, 1), port: 7, payload: [],
        now: .zero)
    ) { XCTAssertEqual($0 as? UDPSocketError, .noRoute(IPv4Address(10, 0, 0, 1))) }
  }

  func testAFragmentedPingIsReassembledAndItsReplyFragmented() throws {
    var interface = makeInterface()
    interface.receive(frame: arpFrame(.request, from: peer, asking: ours), now: .zero)
    _ = drain(&interface)
    let data = (0..<4000).map { UInt8(truncatingIfNeeded: $0) }
    var echo: [UInt8] = []
    ICMPv4Message.echoRequest(identifier: 3, sequenceNumber: 4, data: data[...]).emit(into: &echo)
    let header = IPv4Header(
      source: peer, destination: ours, payloadProtocol: .icmp, identification: 77)
    for fragment in try header.fragments(of: echo[...], maximumTransmissionUnit: 1500).reversed() {
      var bytes: [UInt8] = []
      fragment.header.emit(payload: fragment.payload, into: &bytes)
      interface.receive(
        frame: ethernetFrame(to: ourMAC, etherType: .ipv4, payload: bytes), now: .zero)
    }
    let frames = drain(&interface)
    XCTAssertEqual(frames.count, 3)
    var reassembler = IPv4Reassembler()
    var reply: ICMPv4Message?
    for frame in frames {
      XCTAssertLessThanOrEqual(frame.count, 1514)
      let (ip, payload) = try IPv4Header.parse(try EthernetHeader.parse(frame[...]).payload)
      if case .complete(_, let whole) = reassembler.accept(ip, payload: payload, now: .zero) {
        reply = try ICMPv4Message.parse(whole[...])
      }
    }
    XCTAssertEqual(reply, .echoReply(identifier: 3, sequenceNumber: 4, data: data[...]))
  }
}
