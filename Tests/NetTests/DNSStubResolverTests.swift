import Net
import Randomness
import Time
import XCTest

final class DNSStubResolverTests: XCTestCase {
  private let server = IPv4Address(192, 0, 2, 53)
  private let hostName = DNSName("sensors.example")!
  private let address = IPv4Address(198, 51, 100, 7)

  private func makeResolver(
    seed: UInt64 = 1, _ adjust: (inout DNSStubResolverConfiguration) -> Void = { _ in }
  ) -> DNSStubResolver<SeededRandom> {
    var configuration = DNSStubResolverConfiguration(server: server)
    adjust(&configuration)
    return DNSStubResolver(configuration: configuration, random: SeededRandom(seed: seed))
  }

  private func at(_ seconds: Int) -> Instant { Instant.zero + .seconds(seconds) }

  /// The query in a `.send` action, checked to go to the server.
  private func sentQuery(
    _ action: DNSResolverAction, file: StaticString = #filePath, line: UInt = #line
  ) throws -> DNSMessage {
    guard case .send(let bytes, let to, let port) = action else {
      XCTFail("expected a query, got \(action)", file: file, line: line)
      throw WireError.malformed(protocol: "test", reason: "no query")
    }
    XCTAssertEqual(to, server, file: file, line: line)
    XCTAssertEqual(port, 53, file: file, line: line)
    return try DNSMessage.parse(bytes[...])
  }

  private func reply(
    to query: DNSMessage, code: DNSResponseCode = .noError, answers: [DNSResourceRecord] = [],
    authorities: [DNSResourceRecord] = []
  ) -> [UInt8] {
    DNSMessage(
      id: query.id, isResponse: true, recursionDesired: true, recursionAvailable: true,
      responseCode: code, questions: query.questions, answers: answers, authorities: authorities
    ).bytes
  }

  private func addressRecord(_ owner: DNSName, _ ttl: UInt32) -> DNSResourceRecord {
    DNSResourceRecord(name: owner, timeToLive: ttl, data: .a(address))
  }

  private func soa(ttl: UInt32, minimum: UInt32) -> DNSResourceRecord {
    DNSResourceRecord(
      name: DNSName("example")!, timeToLive: ttl,
      data: .soa(
        primary: DNSName("ns.example")!, mailbox: DNSName("admin.example")!, serial: 1,
        refresh: 3600, retry: 600, expire: 86400, minimum: minimum))
  }

  func testResolvesThroughTheServerAndCachesForTheTTL() throws {
    var resolver = makeResolver()
    let query = try sentQuery(resolver.resolve(hostName, now: .zero))
    XCTAssertTrue(query.recursionDesired)
    XCTAssertFalse(query.isResponse)
    XCTAssertEqual(query.questions, [DNSQuestion(name: hostName, type: .a)])
    XCTAssertEqual(resolver.resolve(hostName, now: .zero), .wait, "one query per hostName")
    let answer = resolver.receive(
      reply(to: query, answers: [addressRecord(hostName, 60)])[...], from: server, port: 53,
      now: at(1))
    XCTAssertEqual(answer, .answer(hostName, .addresses([address])))
    XCTAssertNil(resolver.deadline)
    XCTAssertEqual(
      resolver.resolve(DNSName("SENSORS.example")!, now: at(60)),
      .answer(DNSName("SENSORS.example")!, .addresses([address])))
    _ = try sentQuery(resolver.resolve(hostName, now: at(61)))
  }

  func testRetriesWithExponentialBackoffThenTimesOut() throws {
    var resolver = makeResolver()
    let first = resolver.resolve(hostName, now: .zero)
    _ = try sentQuery(first)
    XCTAssertEqual(resolver.deadline, at(2))
    XCTAssertEqual(resolver.poll(now: at(1)), [])
    XCTAssertEqual(resolver.poll(now: at(2)), [first], "the same query again")
    XCTAssertEqual(resolver.deadline, at(6))
    XCTAssertEqual(resolver.poll(now: at(6)), [first])
    XCTAssertEqual(resolver.deadline, at(14))
    XCTAssertEqual(resolver.poll(now: at(14)), [.answer(hostName, .failed(.timedOut))])
    XCTAssertNil(resolver.deadline)
    XCTAssertEqual(resolver.pendingCount, 0)
  }

  func testTakesOnlyTheMatchingReplyFromTheServer() throws {
    var resolver = makeResolver()
    let action = resolver.resolve(hostName, now: .zero)
    let query = try sentQuery(action)
    let good = reply(to: query, answers: [addressRecord(hostName, 60)])
    var wrongID = query
    wrongID.id &+= 1
    var otherName = query
    otherName.questions = [DNSQuestion(name: DNSName("other.example")!, type: .a)]
    var aaaa = query
    aaaa.questions = [DNSQuestion(name: hostName, type: .aaaa)]
    let strays: [(bytes: [UInt8], source: IPv4Address, port: UInt16)] = [
      (good, IPv4Address(192, 0, 2, 66), 53),  // From another host.
      (good, server, 5353),  // From another port.
      (reply(to: wrongID, answers: [addressRecord(hostName, 60)]), server, 53),
      (reply(to: otherName), server, 53),
      (reply(to: aaaa), server, 53),
      (query.bytes, server, 53),  // A query, not a reply.
      (Array(good.dropLast()), server, 53),  // Malformed.
    ]
    for stray in strays {
      XCTAssertEqual(
        resolver.receive(stray.bytes[...], from: stray.source, port: stray.port, now: at(1)), .wait)
    }
    // A retry keeps the id, so a late reply to the first attempt still counts.
    XCTAssertEqual(resolver.poll(now: at(2)), [action])
    XCTAssertEqual(
      resolver.receive(good[...], from: server, port: 53, now: at(3)),
      .answer(hostName, .addresses([address])))
    XCTAssertEqual(resolver.receive(good[...], from: server, port: 53, now: at(3)), .wait)
  }

  func testNameErrorIsReportedAndCachedForTheSOAMinimum() throws {
    var resolver = makeResolver()
    let query = try sentQuery(resolver.resolve(hostName, now: .zero))
    let nxdomain = reply(to: query, code: .nameError, authorities: [soa(ttl: 900, minimum: 30)])
    XCTAssertEqual(
      resolver.receive(nxdomain[...], from: server, port: 53, now: .zero),
      .answer(hostName, .nameDoesNotExist))
    XCTAssertEqual(resolver.resolve(hostName, now: at(29)), .answer(hostName, .nameDoesNotExist))
    _ = try sentQuery(resolver.resolve(hostName, now: at(30)))
  }

  func testNoDataAndServerFailures() throws {
    var resolver = makeResolver()
    var query = try sentQuery(resolver.resolve(hostName, now: .zero))
    let noData = reply(to: query, answers: [], authorities: [soa(ttl: 60, minimum: 600)])
    XCTAssertEqual(
      resolver.receive(noData[...], from: server, port: 53, now: .zero),
      .answer(hostName, .noAddresses))
    XCTAssertEqual(resolver.resolve(hostName, now: at(59)), .answer(hostName, .noAddresses))
    // A server failure is reported and not cached: the next resolve asks again.
    let other = DNSName("other.example")!
    query = try sentQuery(resolver.resolve(other, now: .zero))
    XCTAssertEqual(
      resolver.receive(
        reply(to: query, code: .serverFailure)[...], from: server, port: 53, now: .zero),
      .answer(other, .failed(.serverError(.serverFailure))))
    _ = try sentQuery(resolver.resolve(other, now: .zero))
  }

  func testFollowsAliasesAndCapsTheTTL() throws {
    var resolver = makeResolver { $0.maximumTimeToLive = .seconds(100) }
    let canonical = DNSName("host.example")!
    let query = try sentQuery(resolver.resolve(hostName, now: .zero))
    let answers = [
      DNSResourceRecord(name: hostName, timeToLive: 86400, data: .cname(canonical)),
      addressRecord(canonical, 86400),
      DNSResourceRecord(name: DNSName("unrelated.example")!, timeToLive: 1, data: .a(server)),
    ]
    XCTAssertEqual(
      resolver.receive(reply(to: query, answers: answers)[...], from: server, port: 53, now: .zero),
      .answer(hostName, .addresses([address])))
    XCTAssertEqual(
      resolver.resolve(hostName, now: at(99)), .answer(hostName, .addresses([address])))
    _ = try sentQuery(resolver.resolve(hostName, now: at(100)))
  }

  func testCacheAndPendingQueriesAreBounded() throws {
    var resolver = makeResolver {
      $0.maximumCacheEntries = 2
      $0.maximumPendingQueries = 2
    }
    let names = (1...3).map { DNSName("host\($0).example")! }
    var queries: [DNSMessage] = []
    for index in 0..<2 { queries.append(try sentQuery(resolver.resolve(names[index], now: .zero))) }
    XCTAssertNotEqual(queries[0].id, queries[1].id)
    XCTAssertEqual(
      resolver.resolve(names[2], now: .zero), .answer(names[2], .failed(.tooManyQueries)))
    for (index, query) in queries.enumerated() {
      let bytes = reply(to: query, answers: [addressRecord(names[index], UInt32(10 + index))])
      _ = resolver.receive(bytes[...], from: server, port: 53, now: .zero)
    }
    let third = try sentQuery(resolver.resolve(names[2], now: .zero))
    let bytes = reply(to: third, answers: [addressRecord(names[2], 60)])
    _ = resolver.receive(bytes[...], from: server, port: 53, now: .zero)
    XCTAssertEqual(resolver.cacheCount, 2)
    // The entry that expired first (host1, TTL 10) made room.
    _ = try sentQuery(resolver.resolve(names[0], now: at(1)))
    XCTAssertEqual(resolver.resolve(names[1], now: at(1)), .answer(names[1], .addresses([address])))
    _ = resolver.poll(now: at(100))
    XCTAssertEqual(resolver.cacheCount, 0)
  }

  func testQueryIDsFollowTheSeed() throws {
    var first = makeResolver(seed: 42)
    var second = makeResolver(seed: 42)
    var third = makeResolver(seed: 43)
    let id = try sentQuery(first.resolve(hostName, now: .zero)).id
    XCTAssertEqual(try sentQuery(second.resolve(hostName, now: .zero)).id, id)
    XCTAssertNotEqual(try sentQuery(third.resolve(hostName, now: .zero)).id, id)
  }
}
