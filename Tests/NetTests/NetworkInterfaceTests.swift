import Net
import Time
import XCTest

final class NetworkInterfaceTests: XCTestCase {
  private let first = SimulatedHosts.address(host: 0)
  private let second = SimulatedHosts.address(host: 1)

  func testStartAnnouncesTheAddressWithAGratuitousARP() throws {
    var interface = NetworkInterface(configuration: SimulatedHosts.configuration(host: 0))
    interface.start(now: .zero)
    let frame = try XCTUnwrap(interface.transmit())
    let (ethernet, payload) = try EthernetHeader.parse(frame[...])
    XCTAssertEqual(ethernet.destination, .broadcast)
    XCTAssertEqual(ethernet.etherType, .arp)
    let packet = try ARPPacket.parse(payload)
    XCTAssertEqual(packet.operation, .request)
    XCTAssertEqual(packet.senderProtocolAddress, first)
    XCTAssertEqual(packet.targetProtocolAddress, first)
    XCTAssertNil(interface.transmit())
    XCTAssertNil(interface.deadline, "nothing waits after the announcement")
  }

  func testPingResolvesTheNeighbourAndWorksBothWays() {
    var network = SimulatedHosts(count: 2)
    network.run(for: .milliseconds(1))
    XCTAssertTrue(
      network.hosts[0].sendEchoRequest(
        to: second, identifier: 7, sequenceNumber: 1, data: Array("hello".utf8), now: network.now
      ))
    network.run(for: .milliseconds(10))
    XCTAssertEqual(
      network.hosts[0].receiveEchoReply(),
      EchoReply(source: second, identifier: 7, sequenceNumber: 1, data: Array("hello".utf8)))
    XCTAssertEqual(network.hosts[0].counters.arpRequestsSent, 2, "the announcement and one query")
    XCTAssertEqual(network.hosts[1].counters.arpRepliesSent, 1)

    network.hosts[1].sendEchoRequest(
      to: first, identifier: 8, sequenceNumber: 2, data: [1, 2, 3], now: network.now)
    network.run(for: .milliseconds(10))
    XCTAssertEqual(
      network.hosts[1].receiveEchoReply(),
      EchoReply(source: first, identifier: 8, sequenceNumber: 2, data: [1, 2, 3]))
    XCTAssertEqual(network.hosts[1].counters.arpRequestsSent, 1, "learned from the first query")
    XCTAssertEqual(network.hosts[0].counters.icmpEchoRequestsAnswered, 1)
  }

  func testA4000BytePingIsFragmentedAndReassembledBothWays() {
    var network = SimulatedHosts(count: 2)
    let data = (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    for (sender, receiver) in [(0, 1), (1, 0)] {
      let before = network.wire.counters.sent
      network.hosts[sender].sendEchoRequest(
        to: SimulatedHosts.address(host: receiver), identifier: 1, sequenceNumber: 9, data: data,
        now: network.now)
      network.run(for: .milliseconds(20))
      let reply = network.hosts[sender].receiveEchoReply()
      XCTAssertEqual(reply?.data, data)
      XCTAssertEqual(reply?.source, SimulatedHosts.address(host: receiver))
      // 4028 bytes of ICMP in 1480-byte pieces: three fragments each way (plus ARP at first).
      XCTAssertGreaterThanOrEqual(network.wire.counters.sent - before, 6)
    }
    XCTAssertEqual(network.wire.counters.oversized, 0, "no frame exceeds the MTU")
  }

  func testUDPEchoReturnsTheDatagramToTheSendersPort() throws {
    var network = SimulatedHosts(count: 2)
    let echo = try network.hosts[1].bindUDP(port: 7)
    let client = try network.hosts[0].bindUDP(port: 40_000)
    try network.hosts[0].sendUDP(
      from: client, to: second, port: 7, payload: Array("ping".utf8), now: network.now)
    network.run(for: .milliseconds(10))
    let request = try XCTUnwrap(network.hosts[1].receiveUDP(echo))
    XCTAssertEqual(request.source, first)
    XCTAssertEqual(request.sourcePort, 40_000)
    XCTAssertEqual(request.destination, second)
    try network.hosts[1].sendUDP(
      from: echo, to: request.source, port: request.sourcePort, payload: request.payload,
      now: network.now)
    network.run(for: .milliseconds(10))
    let reply = try XCTUnwrap(network.hosts[0].receiveUDP(client))
    XCTAssertEqual(reply.payload, Array("ping".utf8))
    XCTAssertEqual(reply.sourcePort, 7)
    XCTAssertNil(network.hosts[0].receiveUDP(client))
  }

  func testALargeUDPDatagramCrossesInFragments() throws {
    var network = SimulatedHosts(count: 2)
    let server = try network.hosts[1].bindUDP(port: 9000)
    let client = try network.hosts[0].bindUDP(port: 9001)
    let payload = (0..<20_000).map { UInt8(truncatingIfNeeded: $0) }
    try network.hosts[0].sendUDP(
      from: client, to: second, port: 9000, payload: payload, now: network.now)
    network.run(for: .milliseconds(50))
    XCTAssertEqual(network.hosts[1].receiveUDP(server)?.payload, payload)
  }

  func testTenPercentLossIsOvercomeByRetriesTheSameWayForTheSameSeed() throws {
    let run = try lossyExchanges(seed: 42)
    XCTAssertEqual(run.answered, 40, "every UDP echo and large ping came back at last")
    XCTAssertGreaterThan(run.attempts, 40, "some exchanges needed a retry")
    XCTAssertGreaterThan(run.wire.dropped, 0, "the seed loses some frames")
    print(
      "lossy run: \(run.attempts) attempts, \(run.wire.dropped) of \(run.wire.sent) frames lost")
    let again = try lossyExchanges(seed: 42)
    XCTAssertEqual(again.wire, run.wire, "the same seed loses the same frames")
    XCTAssertEqual(again.hosts, run.hosts)
    XCTAssertEqual(again.attempts, run.attempts)
  }

  /// 30 small UDP echoes and 10 pings of 4000 bytes over a wire that drops 10% of frames, each
  /// retried up to 10 times; how many were answered, how many tries it took, and the counters.
  private func lossyExchanges(seed: UInt64) throws -> (
    answered: Int, attempts: Int, wire: SimulatedWire.Counters, hosts: [NetworkInterfaceCounters]
  ) {
    var configuration = SimulatedWireConfiguration()
    configuration.dropProbability = 0.1
    var network = SimulatedHosts(count: 2, configuration: configuration, seed: seed)
    let echo = try network.hosts[1].bindUDP(port: 7)
    let client = try network.hosts[0].bindUDP(port: 5000)
    var answered = 0
    var attempts = 0
    for sequence in 0..<30 {
      let payload = [UInt8(sequence)]
      for _ in 0..<10 {
        attempts += 1
        try network.hosts[0].sendUDP(
          from: client, to: second, port: 7, payload: payload, now: network.now)
        // ARP retries once a second, so a lost query or answer needs a longer wait.
        network.run(for: .milliseconds(1500))
        while let request = network.hosts[1].receiveUDP(echo) {
          try network.hosts[1].sendUDP(
            from: echo, to: request.source, port: request.sourcePort, payload: request.payload,
            now: network.now)
        }
        network.run(for: .milliseconds(1500))
        var cameBack = false
        while let reply = network.hosts[0].receiveUDP(client) {
          cameBack = reply.payload == payload
        }
        if cameBack {
          answered += 1
          break
        }
      }
    }
    let data = (0..<4000).map { UInt8(truncatingIfNeeded: $0) }
    for sequence in 0..<10 {
      for _ in 0..<10 {
        attempts += 1
        network.hosts[0].sendEchoRequest(
          to: second, identifier: 1, sequenceNumber: UInt16(sequence), data: data,
          now: network.now)
        network.run(for: .milliseconds(1500))
        var cameBack = false
        while let reply = network.hosts[0].receiveEchoReply() {
          cameBack = reply.sequenceNumber == UInt16(sequence) && reply.data == data
        }
        if cameBack {
          answered += 1
          break
        }
      }
    }
    return (answered, attempts, network.wire.counters, network.hosts.map { $0.counters })
  }

  func testUDPToAnUnboundPortComesBackAsAnICMPError() throws {
    var network = SimulatedHosts(count: 2)
    network.run(for: .milliseconds(1))
    let client = try network.hosts[0].bindUDP(port: 1234)
    try network.hosts[0].sendUDP(
      from: client, to: second, port: 9, payload: [1, 2, 3, 4], now: network.now)
    network.run(for: .milliseconds(10))
    XCTAssertEqual(network.hosts[1].counters.udpNoSocket, 1)
    XCTAssertEqual(network.hosts[0].counters.icmpUDPErrors, 1)
    XCTAssertEqual(
      network.hosts[0].lastUDPError(client)?.reason, .destinationUnreachable(.portUnreachable))
  }
}
