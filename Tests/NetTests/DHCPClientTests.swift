import Net
import Randomness
import Time
import XCTest

final class DHCPClientTests: XCTestCase {
  private let mac = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x0A)

  func testFullExchangeConfiguresTheLease() throws {
    var client = makeClient()
    let server = DHCPTestServer()
    let discover = try sentMessage(client.start(now: .zero), to: .broadcast)
    XCTAssertEqual(client.state, .selecting)
    XCTAssertEqual(discover.options.messageType, .discover)
    XCTAssertTrue(discover.isBroadcast)
    XCTAssertEqual(discover.clientAddress, .any)
    XCTAssertEqual(discover.clientHardwareAddress, mac)
    XCTAssertEqual(discover.options.hostName, Array("sensor".utf8))
    XCTAssertEqual(discover.options.parameterRequestList, [1, 3, 6, 51, 58, 59])

    let requestTime = at(0.5)
    let offer = try XCTUnwrap(server.answer(discover))
    let request = try sentMessage(client.receive(offer, now: requestTime), to: .broadcast)
    XCTAssertEqual(client.state, .requesting)
    XCTAssertEqual(request.options.messageType, .request)
    XCTAssertEqual(request.transactionID, discover.transactionID)
    XCTAssertEqual(request.options.requestedAddress, server.pool)
    XCTAssertEqual(request.options.serverIdentifier, server.address)
    XCTAssertEqual(request.clientAddress, .any)

    let ack = try XCTUnwrap(server.answer(request))
    let actions = client.receive(ack, now: at(0.7))
    let lease = try XCTUnwrap(configuredLease(actions))
    XCTAssertEqual(actions.count, 1)
    XCTAssertEqual(client.state, .bound)
    XCTAssertEqual(lease.subnet, IPv4Subnet("192.0.2.10/24"))
    XCTAssertEqual(lease.router, server.address)
    XCTAssertEqual(lease.domainNameServers, [server.address, IPv4Address(198, 51, 100, 53)])
    XCTAssertEqual(lease.serverIdentifier, server.address)
    XCTAssertEqual(lease.duration, .seconds(3600))
    XCTAssertEqual(lease.renewalTime, .seconds(1800))
    XCTAssertEqual(lease.rebindingTime, .seconds(3150))
    // The lease runs from when the REQUEST went out, not from when the ACK came.
    XCTAssertEqual(lease.start, requestTime)
    XCTAssertEqual(client.deadline, requestTime + .seconds(1800))
    XCTAssertEqual(client.lease, lease)
    XCTAssertEqual(client.poll(now: at(1799)), [])
  }

  func testRenewsAtT1WithTheGrantingServer() throws {
    let server = DHCPTestServer()
    var client = try boundClient(with: server)
    let renewalTime = at(1800)
    XCTAssertEqual(client.deadline, renewalTime)
    let request = try sentMessage(client.poll(now: renewalTime), to: server.address)
    XCTAssertEqual(client.state, .renewing)
    XCTAssertEqual(request.options.messageType, .request)
    XCTAssertEqual(request.clientAddress, server.pool)
    XCTAssertFalse(request.isBroadcast)
    XCTAssertNil(request.options.requestedAddress, "RFC 2131 table 5: MUST NOT while renewing")
    XCTAssertNil(request.options.serverIdentifier, "RFC 2131 table 5: MUST NOT while renewing")
    let actions = client.receive(try XCTUnwrap(server.answer(request)), now: at(1800.2))
    let lease = try XCTUnwrap(configuredLease(actions))
    XCTAssertEqual(client.state, .bound)
    XCTAssertEqual(lease.start, renewalTime)
    XCTAssertEqual(client.deadline, renewalTime + .seconds(1800))
  }

  func testRebindsAtT2WhenTheServerStaysSilent() throws {
    var server = DHCPTestServer()
    var client = try boundClient(with: server)
    _ = try sentMessage(client.poll(now: at(1800)), to: server.address)
    // Half the time to T2 (1350 s / 2), then half again, down to the 60 s floor, never past T2.
    var retransmissions: [Instant] = []
    while client.state == .renewing {
      let now = try XCTUnwrap(client.deadline)
      let actions = client.poll(now: now)
      if client.state == .renewing {
        _ = try sentMessage(actions, to: server.address)
        retransmissions.append(now)
      } else {
        XCTAssertEqual(now, at(3150))
        let rebind = try sentMessage(actions, to: .broadcast)
        XCTAssertEqual(rebind.clientAddress, server.pool)
        XCTAssertNil(rebind.options.serverIdentifier)
        // Any server may answer a rebinding client.
        server.address = IPv4Address(192, 0, 2, 2)
        let lease = try XCTUnwrap(
          configuredLease(client.receive(try XCTUnwrap(server.answer(rebind)), now: now)))
        XCTAssertEqual(lease.serverIdentifier, server.address)
      }
    }
    XCTAssertEqual(
      retransmissions, [at(2475), at(2812.5), at(2981.25), at(3065.625), at(3125.625)])
    XCTAssertEqual(client.state, .bound)
  }

  func testLeaseExpiryDeconfiguresAndDiscoversAgain() throws {
    let server = DHCPTestServer()
    var client = try boundClient(with: server)
    var rebindRetransmissions = 0
    var now = Instant.zero
    while client.lease != nil {
      now = try XCTUnwrap(client.deadline)
      XCTAssertLessThanOrEqual(now, at(3600), "no timer runs past expiry")
      if client.state == .rebinding { rebindRetransmissions += 1 }
      let actions = client.poll(now: now)
      if client.lease == nil {
        XCTAssertEqual(actions.first, .deconfigure)
        XCTAssertEqual(
          try sentMessage(Array(actions.dropFirst()), to: .broadcast).options.messageType, .discover
        )
      }
    }
    XCTAssertEqual(now, at(3600))
    XCTAssertEqual(rebindRetransmissions, 4, "450 s to expiry: 225, 112.5, 60, then the rest")
    XCTAssertEqual(client.state, .selecting)
  }

  func testRefusalWhileRequestingReturnsToInitAndRetriesLater() throws {
    var client = makeClient()
    var server = DHCPTestServer()
    let discover = try sentMessage(client.start(now: .zero), to: .broadcast)
    let request = try sentMessage(
      client.receive(try XCTUnwrap(server.answer(discover)), now: .zero), to: .broadcast)
    server.refuses = true
    XCTAssertEqual(client.receive(try XCTUnwrap(server.answer(request)), now: at(1)), [])
    XCTAssertEqual(client.state, .initial)
    XCTAssertNil(client.lease)
    XCTAssertEqual(client.deadline, at(11))
    XCTAssertEqual(client.poll(now: at(10)), [])
    let again = try sentMessage(client.poll(now: at(11)), to: .broadcast)
    XCTAssertEqual(again.options.messageType, .discover)
    XCTAssertNotEqual(again.transactionID, discover.transactionID, "a new exchange, a new xid")
  }

  func testRefusalWhileRenewingDeconfigures() throws {
    var server = DHCPTestServer()
    var client = try boundClient(with: server)
    let request = try sentMessage(client.poll(now: at(1800)), to: server.address)
    server.refuses = true
    XCTAssertEqual(
      client.receive(try XCTUnwrap(server.answer(request)), now: at(1801)), [.deconfigure])
    XCTAssertEqual(client.state, .initial)
    XCTAssertNil(client.lease)
  }

  func testRefusalFromAnotherServerIsIgnoredWhileRequesting() throws {
    var client = makeClient()
    let server = DHCPTestServer()
    let discover = try sentMessage(client.start(now: .zero), to: .broadcast)
    let request = try sentMessage(
      client.receive(try XCTUnwrap(server.answer(discover)), now: .zero), to: .broadcast)
    var other = DHCPTestServer()
    other.address = IPv4Address(192, 0, 2, 3)
    other.refuses = true
    XCTAssertEqual(client.receive(try XCTUnwrap(other.answer(request)), now: at(1)), [])
    XCTAssertEqual(client.state, .requesting)
  }

  func testDiscoverRetransmissionBacksOffWithSeededJitter() throws {
    var client = makeClient(seed: 42)
    let first = try sentMessage(client.start(now: .zero), to: .broadcast)
    var sendTimes: [Instant] = [.zero]
    for _ in 0..<7 {
      let now = try XCTUnwrap(client.deadline)
      let message = try sentMessage(client.poll(now: now), to: .broadcast)
      XCTAssertEqual(message.transactionID, first.transactionID, "retransmissions keep the xid")
      XCTAssertEqual(Int64(message.secondsElapsed), now.duration(since: .zero).components.seconds)
      sendTimes.append(now)
    }
    let gaps = zip(sendTimes, sendTimes.dropFirst()).map { $1.duration(since: $0) }
    for (gap, nominal) in zip(gaps, [4, 8, 16, 32, 64, 64, 64]) {
      XCTAssertGreaterThanOrEqual(gap, .seconds(nominal - 1))
      XCTAssertLessThanOrEqual(gap, .seconds(nominal + 1))
    }
    XCTAssertEqual(Set(gaps).count, gaps.count, "the jitter is drawn afresh each time")
    // The same seed replays exactly; another seed differs.
    XCTAssertEqual(try retransmissionGaps(seed: 42), gaps)
    XCTAssertNotEqual(try retransmissionGaps(seed: 43), gaps)
  }

  func testGivesUpOnAnUnansweredRequestAndDiscoversAgain() throws {
    var client = makeClient()
    let server = DHCPTestServer()
    let discover = try sentMessage(client.start(now: .zero), to: .broadcast)
    _ = client.receive(try XCTUnwrap(server.answer(discover)), now: .zero)
    var requests = 1
    while true {
      let now = try XCTUnwrap(client.deadline)
      let message = try sentMessage(client.poll(now: now), to: .broadcast)
      if message.options.messageType == .discover {
        XCTAssertNotEqual(message.transactionID, discover.transactionID)
        break
      }
      XCTAssertEqual(message.options.requestedAddress, server.pool)
      requests += 1
    }
    XCTAssertEqual(requests, 4)
    XCTAssertEqual(client.state, .selecting)
  }

  func testRepliesToOtherExchangesOrClientsAreIgnored() throws {
    var client = makeClient()
    let server = DHCPTestServer()
    let discover = try sentMessage(client.start(now: .zero), to: .broadcast)
    var offer = try XCTUnwrap(server.answer(discover))
    var wrongTransaction = offer
    wrongTransaction.transactionID &+= 1
    var wrongClient = offer
    wrongClient.clientHardwareAddress = MACAddress(0x02, 0, 0, 0, 0, 0x0B)
    var notAReply = offer
    notAReply.operation = .request
    var acknowledgement = offer
    acknowledgement.options.messageType = .acknowledge
    var noServerIdentifier = offer
    noServerIdentifier.options.serverIdentifier = nil
    for ignored in [wrongTransaction, wrongClient, notAReply, acknowledgement, noServerIdentifier] {
      XCTAssertEqual(client.receive(ignored, now: at(1)), [])
      XCTAssertEqual(client.state, .selecting)
    }
    offer.transactionID = discover.transactionID
    let request = try sentMessage(client.receive(offer, now: at(1)), to: .broadcast)
    var staleAck = try XCTUnwrap(server.answer(request))
    staleAck.transactionID &+= 1
    XCTAssertEqual(client.receive(staleAck, now: at(2)), [])
    XCTAssertEqual(client.state, .requesting)
  }

  func testInfiniteLeaseHasNoTimers() throws {
    var server = DHCPTestServer()
    server.leaseTime = .max
    let client = try boundClient(with: server)
    XCTAssertNil(client.deadline)
    XCTAssertNil(client.lease?.expiresAt)
  }

  func testServerTimesOutOfOrderFallBackToTheDefaults() throws {
    var server = DHCPTestServer()
    server.renewalTime = 4000  // after the lease ends
    let client = try boundClient(with: server)
    XCTAssertEqual(client.lease?.renewalTime, .seconds(1800))
    XCTAssertEqual(client.lease?.rebindingTime, .seconds(3150))
  }

  // MARK: Helpers

  private struct UnexpectedActions: Error {}

  private func makeClient(seed: UInt64 = 1) -> DHCPClient<SeededRandom> {
    var configuration = DHCPClientConfiguration(hardwareAddress: mac)
    configuration.hostName = "sensor"
    return DHCPClient(configuration: configuration, random: SeededRandom(seed: seed))
  }

  /// A client bound by `server`, its REQUEST sent at time zero.
  private func boundClient(with server: DHCPTestServer) throws -> DHCPClient<SeededRandom> {
    var client = makeClient()
    let discover = try sentMessage(client.start(now: .zero), to: .broadcast)
    let request = try sentMessage(
      client.receive(try XCTUnwrap(server.answer(discover)), now: .zero), to: .broadcast)
    XCTAssertNotNil(
      configuredLease(client.receive(try XCTUnwrap(server.answer(request)), now: .zero)))
    XCTAssertEqual(client.state, .bound)
    return client
  }

  private func retransmissionGaps(seed: UInt64) throws -> [Duration] {
    var client = makeClient(seed: seed)
    _ = client.start(now: .zero)
    var last = Instant.zero
    var gaps: [Duration] = []
    for _ in 0..<7 {
      let now = try XCTUnwrap(client.deadline)
      _ = client.poll(now: now)
      gaps.append(now.duration(since: last))
      last = now
    }
    return gaps
  }

  /// The one message in `actions`, checked to go to `destination`.
  private func sentMessage(
    _ actions: [DHCPClientAction], to destination: IPv4Address,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> DHCPMessage {
    guard actions.count == 1, case .send(let message, let address) = actions[0] else {
      XCTFail("expected one message, got \(actions)", file: file, line: line)
      throw UnexpectedActions()
    }
    XCTAssertEqual(address, destination, file: file, line: line)
    XCTAssertEqual(message.operation, .request, file: file, line: line)
    // Every message the client sends survives its own wire format.
    XCTAssertEqual(try DHCPMessage.parse(message.bytes[...]), message, file: file, line: line)
    return message
  }

  private func configuredLease(_ actions: [DHCPClientAction]) -> DHCPLease? {
    for case .configure(let lease) in actions { return lease }
    return nil
  }

  /// `seconds` after the clock's origin.
  private func at(_ seconds: Double) -> Instant {
    Instant(nanoseconds: UInt64(seconds * 1_000_000_000))
  }
}
