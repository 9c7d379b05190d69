import Net
import Time
import XCTest

final class MDNSResponderTests: XCTestCase {
  private let ourAddress = IPv4Address(192, 0, 2, 10)
  private let hubLocal = DNSName("hub.local")!
  private let querier = IPv4Address(192, 0, 2, 20)
  private let group = MDNSResponder.multicastAddress

  private func milliseconds(_ value: Int) -> Instant { Instant.zero + .milliseconds(value) }

  private func makeResponder() -> MDNSResponder {
    MDNSResponder(configuration: MDNSResponderConfiguration(hostLabel: "hub", address: ourAddress))!
  }

  /// The single datagram in `actions`, with where it goes.
  private func sent(
    _ actions: [MDNSAction], file: StaticString = #filePath, line: UInt = #line
  ) throws -> (message: DNSMessage, to: IPv4Address, port: UInt16) {
    XCTAssertEqual(actions.count, 1, file: file, line: line)
    guard case .send(let bytes, let to, let port)? = actions.first else {
      XCTFail("nothing sent", file: file, line: line)
      throw WireError.malformed(protocol: "test", reason: "nothing sent")
    }
    return (try DNSMessage.parse(bytes[...]), to, port)
  }

  /// Runs the probe and announcement schedule to its end.
  private func announced() throws -> MDNSResponder {
    var responder = makeResponder()
    _ = responder.start(now: .zero)
    while let deadline = responder.deadline { _ = responder.poll(now: deadline) }
    XCTAssertEqual(responder.phase, .announced)
    return responder
  }

  private func query(
    _ name: DNSName, type: DNSRecordType = .a, unicastResponse: Bool = false, id: UInt16 = 0,
    knownAnswers: [DNSResourceRecord] = []
  ) -> [UInt8] {
    DNSMessage(
      id: id, questions: [DNSQuestion(name: name, type: type, unicastResponse: unicastResponse)],
      answers: knownAnswers
    ).bytes
  }

  private func claim(_ name: DNSName, by address: IPv4Address) -> [UInt8] {
    DNSMessage(
      id: 0, isResponse: true, isAuthoritative: true,
      answers: [DNSResourceRecord(name: name, cacheFlush: true, timeToLive: 120, data: .a(address))]
    ).bytes
  }

  private func probe(_ name: DNSName, for address: IPv4Address) -> [UInt8] {
    DNSMessage(
      id: 0, questions: [DNSQuestion(name: name, type: .any, unicastResponse: true)],
      authorities: [DNSResourceRecord(name: name, timeToLive: 120, data: .a(address))]
    ).bytes
  }

  func testProbesThreeTimesThenAnnouncesTwice() throws {
    var responder = makeResponder()
    XCTAssertEqual(responder.hostName, hubLocal)
    let first = try sent(responder.start(now: .zero))
    XCTAssertEqual(first.to, group)
    XCTAssertEqual(first.port, 5353)
    XCTAssertFalse(first.message.isResponse)
    XCTAssertEqual(
      first.message.questions, [DNSQuestion(name: hubLocal, type: .any, unicastResponse: true)])
    XCTAssertEqual(
      first.message.authorities,
      [DNSResourceRecord(name: hubLocal, timeToLive: 120, data: .a(ourAddress))])
    var times: [Int] = []
    var kinds: [String] = []
    while let deadline = responder.deadline {
      let datagram = try sent(responder.poll(now: deadline))
      times.append(Int(deadline.nanoseconds / 1_000_000))
      kinds.append(datagram.message.isResponse ? "announce" : "probe")
      if !datagram.message.isResponse {
        XCTAssertFalse(datagram.message.questions[0].unicastResponse, "only the first probe is QU")
      } else {
        XCTAssertEqual(datagram.to, group)
        XCTAssertTrue(datagram.message.isAuthoritative)
        XCTAssertEqual(
          datagram.message.answers,
          [
            DNSResourceRecord(
              name: hubLocal, cacheFlush: true, timeToLive: 120, data: .a(ourAddress))
          ])
      }
    }
    XCTAssertEqual(times, [250, 500, 750, 1750])
    XCTAssertEqual(kinds, ["probe", "probe", "announce", "announce"])
    XCTAssertEqual(responder.phase, .announced)
  }

  func testAnswersQueriesForItsNameOnceAnnounced() throws {
    var probing = makeResponder()
    _ = probing.start(now: .zero)
    XCTAssertEqual(probing.receive(query(hubLocal)[...], from: querier, port: 5353, now: .zero), [])

    var responder = try announced()
    let now = milliseconds(5000)
    let answer = try sent(
      responder.receive(query(DNSName("HUB.local")!)[...], from: querier, port: 5353, now: now))
    XCTAssertEqual(answer.to, group)
    XCTAssertEqual(answer.port, 5353)
    XCTAssertEqual(answer.message.id, 0)
    XCTAssertTrue(answer.message.questions.isEmpty)
    XCTAssertEqual(answer.message.answers.first?.data, .a(ourAddress))
    XCTAssertEqual(answer.message.answers.first?.cacheFlush, true)
    // Other names, other types, and responses get nothing.
    let later = milliseconds(9000)
    let ignored = [
      query(DNSName("other.local")!), query(hubLocal, type: .aaaa), claim(hubLocal, by: ourAddress),
    ]
    for bytes in ignored {
      XCTAssertEqual(responder.receive(bytes[...], from: querier, port: 5353, now: later), [])
    }
    XCTAssertEqual(responder.receive([1, 2, 3][...], from: querier, port: 5353, now: later), [])
    XCTAssertEqual(responder.phase, .announced, "its own record echoed back is no conflict")
  }

  func testMulticastsARecordAtMostOnceASecond() throws {
    var responder = try announced()  // The last announcement went at 1.75 s.
    XCTAssertEqual(
      responder.receive(query(hubLocal)[...], from: querier, port: 5353, now: milliseconds(2000)),
      [])
    XCTAssertEqual(responder.deadline, milliseconds(2750))
    let delayed = try sent(responder.poll(now: milliseconds(2750)))
    XCTAssertEqual(delayed.to, group)
    XCTAssertNil(responder.deadline)
  }

  func testUnicastResponseQuestionsAndKnownAnswers() throws {
    var responder = try announced()
    // QU, and the record was multicast within a quarter of its TTL: answer the querier alone.
    let unicast = try sent(
      responder.receive(
        query(hubLocal, unicastResponse: true)[...], from: querier, port: 5353,
        now: milliseconds(3000)))
    XCTAssertEqual(unicast.to, querier)
    XCTAssertEqual(unicast.port, 5353)
    // Thirty seconds later the link has not seen it lately: multicast instead.
    let multicast = try sent(
      responder.receive(
        query(hubLocal, unicastResponse: true)[...], from: querier, port: 5353,
        now: milliseconds(32000)))
    XCTAssertEqual(multicast.to, group)
    // The querier already knows the record with more than half its TTL: no answer.
    let fresh = DNSResourceRecord(name: hubLocal, timeToLive: 100, data: .a(ourAddress))
    let stale = DNSResourceRecord(name: hubLocal, timeToLive: 50, data: .a(ourAddress))
    let later = milliseconds(60000)
    XCTAssertEqual(
      responder.receive(
        query(hubLocal, knownAnswers: [fresh])[...], from: querier, port: 5353, now: later), [])
    XCTAssertEqual(
      try sent(
        responder.receive(
          query(hubLocal, knownAnswers: [stale])[...], from: querier, port: 5353, now: later)
      ).to, group)
  }

  func testLegacyUnicastQueriesGetAConventionalResponse() throws {
    var responder = try announced()
    let question = DNSQuestion(name: hubLocal, type: .a)
    let legacy = try sent(
      responder.receive(
        query(hubLocal, id: 0x4242)[...], from: querier, port: 40000, now: milliseconds(1800)))
    XCTAssertEqual(legacy.to, querier)
    XCTAssertEqual(legacy.port, 40000)
    XCTAssertEqual(legacy.message.id, 0x4242)
    XCTAssertTrue(legacy.message.isResponse)
    XCTAssertEqual(legacy.message.questions, [question])
    XCTAssertEqual(
      legacy.message.answers,
      [DNSResourceRecord(name: hubLocal, timeToLive: 10, data: .a(ourAddress))])
  }

  func testRenamesWhenAnotherHostAnswersDuringProbing() throws {
    var responder = makeResponder()
    _ = responder.start(now: .zero)
    let reprobe = try sent(
      responder.receive(
        claim(hubLocal, by: querier)[...], from: querier, port: 5353, now: milliseconds(100)))
    XCTAssertEqual(responder.hostName, DNSName("hub-2.local"))
    XCTAssertEqual(responder.phase, .probing)
    XCTAssertEqual(reprobe.message.questions.first?.name, DNSName("hub-2.local"))
    // A claim from a port other than 5353 is not a multicast DNS response.
    XCTAssertEqual(
      responder.receive(
        claim(DNSName("hub-2.local")!, by: querier)[...], from: querier, port: 40000,
        now: milliseconds(200)),
      [])
    _ = responder.receive(
      claim(DNSName("hub-2.local")!, by: querier)[...], from: querier, port: 5353,
      now: milliseconds(200))
    XCTAssertEqual(responder.hostName, DNSName("hub-3.local"))
    while let deadline = responder.deadline { _ = responder.poll(now: deadline) }
    XCTAssertEqual(responder.phase, .announced)
    XCTAssertEqual(responder.hostName, DNSName("hub-3.local"))
  }

  func testAConflictAfterAnnouncingProbesAgainThenRenames() throws {
    var responder = try announced()
    let now = milliseconds(10000)
    let probe = try sent(
      responder.receive(claim(hubLocal, by: querier)[...], from: querier, port: 5353, now: now))
    XCTAssertEqual(responder.phase, .probing)
    XCTAssertEqual(probe.message.questions.first?.name, hubLocal, "the same name first")
    _ = responder.receive(claim(hubLocal, by: querier)[...], from: querier, port: 5353, now: now)
    XCTAssertEqual(responder.hostName, DNSName("hub-2.local"))
  }

  func testSimultaneousProbesAreSettledByComparingRecords() throws {
    // A rival probing for the same name with a larger address wins: we wait a second and probe
    // again for the same name.
    var loser = makeResponder()
    _ = loser.start(now: .zero)
    let later = probe(hubLocal, for: IPv4Address(192, 0, 2, 99))
    XCTAssertEqual(loser.receive(later[...], from: querier, port: 5353, now: milliseconds(100)), [])
    XCTAssertEqual(loser.deadline, milliseconds(1100))
    XCTAssertEqual(loser.hostName, hubLocal)
    // With a smaller address the rival loses, and our own probe echoed back changes nothing.
    for rival in [IPv4Address(192, 0, 2, 9), ourAddress] {
      var winner = makeResponder()
      _ = winner.start(now: .zero)
      let earlier = probe(hubLocal, for: rival)
      XCTAssertEqual(
        winner.receive(earlier[...], from: querier, port: 5353, now: milliseconds(100)), [])
      XCTAssertEqual(winner.deadline, milliseconds(250))
    }
  }

  func testTheRenamedLabelStaysWithinSixtyThreeBytes() throws {
    let longLabel = String(repeating: "h", count: 63)
    var responder = MDNSResponder(
      configuration: MDNSResponderConfiguration(hostLabel: longLabel, address: ourAddress))!
    _ = responder.start(now: .zero)
    _ = responder.receive(
      claim(responder.hostName, by: querier)[...], from: querier, port: 5353, now: .zero)
    XCTAssertEqual(responder.hostName.labels.first?.count, 63)
    XCTAssertEqual(responder.hostName.labels.first?.suffix(2), Array("-2".utf8)[...])
    XCTAssertNil(
      MDNSResponder(configuration: MDNSResponderConfiguration(hostLabel: "", address: ourAddress)))
  }

  /// Bytes from a hex string such as "0001 c00c" (spaces ignored).
  private func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") })
    return stride(from: 0, to: digits.count, by: 2).map {
      UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
  }

  // The announcement was built independently by python-zeroconf 0.154.0 (DNSOutgoing); the
  // probe and the legacy response were built with Python's struct and read back by zeroconf's
  // DNSIncoming (QU ANY question with one authority record; id 0x4242, A record TTL 10).
  func testPacketsMatchIndependentlyBuiltBytes() throws {
    var responder = makeResponder()
    let probe = bytes(
      "0000 0000 0001 0000 0001 0000 03687562 056c6f63616c 00 00ff 8001"
        + "c00c 0001 0001 00000078 0004 c000020a")
    XCTAssertEqual(responder.start(now: .zero), [.send(probe, to: group, port: 5353)])
    while responder.phase == .probing { _ = responder.poll(now: responder.deadline!) }
    let announcement = bytes(
      "0000 8400 0000 0001 0000 0000 03687562 056c6f63616c 00 0001 8001 00000078 0004 c000020a")
    XCTAssertEqual(
      responder.poll(now: responder.deadline!), [.send(announcement, to: group, port: 5353)])
    let legacy = bytes(
      "4242 8400 0001 0001 0000 0000 03687562 056c6f63616c 00 0001 0001"
        + "c00c 0001 0001 0000000a 0004 c000020a")
    XCTAssertEqual(
      responder.receive(query(hubLocal, id: 0x4242)[...], from: querier, port: 40000, now: .zero),
      [.send(legacy, to: querier, port: 40000)])
  }
}
