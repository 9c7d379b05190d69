import Net
import Time
import XCTest

final class ARPCacheTests: XCTestCase {
  private let neighbour = IPv4Address(192, 0, 2, 2)
  private let mac = MACAddress(0x02, 0, 0, 0, 0, 2)

  func testHoldsPacketsUntilTheReplyThenReleasesThemInOrder() {
    var cache = ARPCache<Int>()
    guard case .sendRequest = cache.resolve(1, nextHop: neighbour, now: .zero) else {
      return XCTFail("the first packet asks for a request")
    }
    guard case .waiting = cache.resolve(2, nextHop: neighbour, now: .zero) else {
      return XCTFail("later packets wait on the same request")
    }
    XCTAssertEqual(cache.learn(neighbour, isAt: mac, now: .zero), [1, 2])
    guard case .resolved(let found) = cache.resolve(3, nextHop: neighbour, now: .zero) else {
      return XCTFail("known now")
    }
    XCTAssertEqual(found, mac)
    XCTAssertNil(cache.deadline)
  }

  func testRepeatsRequestsThenGivesUp() throws {
    var cache = ARPCache<Int>()
    _ = cache.resolve(7, nextHop: neighbour, now: .zero)
    var now = try XCTUnwrap(cache.deadline)
    XCTAssertEqual(cache.poll(now: now).requests, [neighbour])
    now = try XCTUnwrap(cache.deadline)
    XCTAssertEqual(cache.poll(now: now).requests, [neighbour])
    now = try XCTUnwrap(cache.deadline)
    let result = cache.poll(now: now)
    XCTAssertEqual(result.requests, [])
    XCTAssertEqual(result.unreachable.map(\.address), [neighbour])
    XCTAssertEqual(result.unreachable.first?.packets, [7])
    XCTAssertNil(cache.deadline)
  }

  func testEntriesExpire() {
    var cache = ARPCache<Int>()
    _ = cache.learn(neighbour, isAt: mac, now: .zero)
    XCTAssertEqual(cache.lookup(neighbour, now: Instant.zero + .seconds(59)), mac)
    XCTAssertNil(cache.lookup(neighbour, now: Instant.zero + .seconds(60)))
    _ = cache.poll(now: Instant.zero + .seconds(61))
    XCTAssertEqual(cache.entryCount, 0)
  }

  func testEveryTableIsBounded() {
    var configuration = ARPCacheConfiguration()
    configuration.maximumEntries = 4
    configuration.maximumPacketsPerAddress = 2
    configuration.maximumPendingAddresses = 3
    var cache = ARPCache<Int>(configuration: configuration)
    // A flood of forged replies keeps at most four mappings, the newest ones.
    for host in 1...100 {
      _ = cache.learn(
        IPv4Address(192, 0, 2, UInt8(host)), isAt: mac, now: Instant(nanoseconds: UInt64(host)))
    }
    XCTAssertEqual(cache.entryCount, 4)
    XCTAssertNotNil(cache.lookup(IPv4Address(192, 0, 2, 100), now: Instant(nanoseconds: 100)))
    XCTAssertNil(cache.lookup(IPv4Address(192, 0, 2, 1), now: Instant(nanoseconds: 100)))
    // Unanswered destinations and their queues are bounded too.
    let silent = IPv4Address(198, 51, 100, 1)
    _ = cache.resolve(1, nextHop: silent, now: .zero)
    _ = cache.resolve(2, nextHop: silent, now: .zero)
    guard case .dropped = cache.resolve(3, nextHop: silent, now: .zero) else {
      return XCTFail("a full per-address queue drops")
    }
    _ = cache.resolve(1, nextHop: IPv4Address(198, 51, 100, 2), now: .zero)
    _ = cache.resolve(1, nextHop: IPv4Address(198, 51, 100, 3), now: .zero)
    guard case .dropped = cache.resolve(1, nextHop: IPv4Address(198, 51, 100, 4), now: .zero) else {
      return XCTFail("too many unresolved addresses drops")
    }
  }
}
