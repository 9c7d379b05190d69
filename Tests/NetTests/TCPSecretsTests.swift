import Net
import Randomness
import Time
import XCTest

/// The secret the tests key everything with: bytes 00 01 ... 0f.
private let secret = (0..<16).map { UInt8($0) }
private let otherSecret = (0..<16).map { UInt8(0xF0 | $0) }
private let server = IPv4Address(192, 0, 2, 1)
private let client = IPv4Address(198, 51, 100, 7)

final class TCPInitialSequenceNumberTests: XCTestCase {
  private let numbers = TCPInitialSequenceNumbers(secret: secret)

  private func number(
    local: IPv4Address = server, localPort: UInt16 = 80, remote: IPv4Address = client,
    remotePort: UInt16 = 50000, seconds: Double = 1
  ) -> UInt32 {
    let now = Instant(nanoseconds: UInt64(seconds * 1e9))
    return numbers.sequenceNumber(
      local: local, localPort: localPort, remote: remote, remotePort: remotePort, now: now
    ).rawValue
  }

  func testGoldenValueIsTheTimerPlusSipHashOfPurposeAndFourTuple() {
    // SipHash-2-4 of 01 c0000201 0050 c6336407 c350 under the test key, computed with an
    // independent implementation of the paper, is ...a237312f; one second is 250,000 ticks.
    XCTAssertEqual(number(), 0xa237_312f &+ 250_000)
  }

  func testGrowsBy250000ASecondAndOneEvery4Microseconds() {
    XCTAssertEqual(number(seconds: 11) &- number(seconds: 1), 2_500_000)
    let start = Instant(nanoseconds: 1_000_000)
    let at = { (now: Instant) in
      self.numbers.sequenceNumber(
        local: server, localPort: 80, remote: client, remotePort: 50000, now: now)
    }
    XCTAssertEqual(at(start).distance(to: at(start + .microseconds(4))), 1)
    XCTAssertEqual(at(start).distance(to: at(start + .microseconds(3))), 0)
  }

  func testTheTimerWrapsAfter2To32Ticks() {
    let wrap = Instant(nanoseconds: 4_000 << 32)
    XCTAssertEqual(
      numbers.sequenceNumber(
        local: server, localPort: 80, remote: client, remotePort: 50000, now: .zero),
      numbers.sequenceNumber(
        local: server, localPort: 80, remote: client, remotePort: 50000, now: wrap))
  }

  func testDiffersForEveryPartOfTheFourTupleAndForAnotherSecret() {
    let base = number()
    XCTAssertNotEqual(number(local: IPv4Address(192, 0, 2, 2)), base)
    XCTAssertNotEqual(number(localPort: 81), base)
    XCTAssertNotEqual(number(remote: IPv4Address(198, 51, 100, 8)), base)
    XCTAssertNotEqual(number(remotePort: 50001), base)
    // Swapping the ends is another connection too.
    XCTAssertNotEqual(number(local: client, localPort: 50000, remote: server, remotePort: 80), base)
    let other = TCPInitialSequenceNumbers(secret: otherSecret)
    XCTAssertNotEqual(
      other.sequenceNumber(
        local: server, localPort: 80, remote: client, remotePort: 50000,
        now: Instant(
          nanoseconds: 1_000_000_000)
      ).rawValue, base)
  }

  func testTimestampOffsetIsStablePerConnectionAndUnrelatedToTheSequenceNumber() {
    let offset = numbers.timestampOffset(
      local: server, localPort: 80, remote: client, remotePort: 50000)
    // Golden: SipHash of purpose byte 02 and the same four-tuple.
    XCTAssertEqual(offset, 0xf24c_a2d2)
    XCTAssertEqual(
      numbers.timestampOffset(local: server, localPort: 80, remote: client, remotePort: 50000),
      offset)
    XCTAssertNotEqual(
      numbers.timestampOffset(local: server, localPort: 80, remote: client, remotePort: 50001),
      offset)
    XCTAssertNotEqual(number(seconds: 0), offset)
  }
}

final class TCPSYNCookieTests: XCTestCase {
  private let cookies = TCPSYNCookies(secret: secret)
  private let clientSequence = SequenceNumber(0x1234_5678)
  private let minted = Instant(nanoseconds: 1_000 * 1_000_000_000)

  private func cookie(maximumSegmentSize: UInt16 = 1460, now: Instant? = nil) -> SequenceNumber {
    cookies.cookie(
      local: server, localPort: 80, remote: client, remotePort: 50000,
      clientSequence: clientSequence, maximumSegmentSize: maximumSegmentSize, now: now ?? minted)
  }

  private func validate(
    _ cookie: SequenceNumber, local: IPv4Address = server, localPort: UInt16 = 80,
    remote: IPv4Address = client, remotePort: UInt16 = 50000, clientSequence: SequenceNumber? = nil,
    now: Instant? = nil
  ) -> UInt16? {
    cookies.validate(
      acknowledgement: cookie + 1, local: local, localPort: localPort, remote: remote,
      remotePort: remotePort, clientSequence: clientSequence ?? self.clientSequence,
      now: now ?? minted)
  }

  func testEveryTableSizeRoundTrips() {
    XCTAssertEqual(TCPSYNCookies.maximumSegmentSizes.count, 8)  // All 3 bits' worth.
    for size in TCPSYNCookies.maximumSegmentSizes {
      XCTAssertEqual(validate(cookie(maximumSegmentSize: size)), size)
    }
  }

  func testTheSizeIsRoundedDownToTheTableWithA536Floor() {
    XCTAssertEqual(validate(cookie(maximumSegmentSize: 1459)), 1452)
    XCTAssertEqual(validate(cookie(maximumSegmentSize: 1500)), 1460)
    XCTAssertEqual(validate(cookie(maximumSegmentSize: 100)), 536)
    XCTAssertEqual(validate(cookie(maximumSegmentSize: .max)), 8960)
  }

  func testTheLayoutIsCounterThenIndexThenHash() {
    let value = cookie(maximumSegmentSize: 1460).rawValue
    XCTAssertEqual(value >> 27, 1_000 / 64 % 32)
    XCTAssertEqual(value >> 24 & 0x7, 6)
  }

  func testAChangedAddressPortOrClientSequenceIsRejected() {
    let value = cookie()
    XCTAssertNil(validate(value, local: IPv4Address(192, 0, 2, 2)))
    XCTAssertNil(validate(value, localPort: 8080))
    XCTAssertNil(validate(value, remote: IPv4Address(198, 51, 100, 8)))
    XCTAssertNil(validate(value, remotePort: 50001))
    XCTAssertNil(validate(value, clientSequence: clientSequence + 1))
    XCTAssertNotNil(validate(value))
  }

  func testForgedCookiesAreRejected() {
    let value = cookie().rawValue
    for bit in 0..<27 {  // Every hash and MSS-index bit.
      XCTAssertNil(validate(SequenceNumber(value ^ 1 << bit)), "bit \(bit)")
    }
    XCTAssertNil(
      TCPSYNCookies(secret: otherSecret).validate(
        acknowledgement: cookie() + 1, local: server, localPort: 80, remote: client,
        remotePort: 50000, clientSequence: clientSequence, now: minted))
    var random = SeededRandom(seed: 6528)
    var accepted = 0
    for _ in 0..<100_000 {
      let guess = SequenceNumber(UInt32(truncatingIfNeeded: random.next()))
      if validate(guess) != nil { accepted += 1 }
    }
    XCTAssertEqual(accepted, 0)
  }

  func testACookieLivesForItsCounterPeriodAndTheNext() {
    let period = Duration.seconds(64)
    let value = cookie()
    XCTAssertEqual(validate(value, now: minted + period), 1460)
    XCTAssertNil(validate(value, now: minted + period * 2))
    XCTAssertNil(validate(value, now: minted + period * 32))  // Same 5 counter bits, wrapped.
    XCTAssertNil(validate(value, now: minted + period * 33))
    XCTAssertNil(validate(value, now: Instant(nanoseconds: minted.nanoseconds - 64_000_000_000)))
  }

  func testCookiesMadeNearTheStartOfTheClockValidate() {
    XCTAssertEqual(validate(cookie(now: .zero), now: .zero), 1460)
    XCTAssertEqual(validate(cookie(now: .zero), now: .zero + .seconds(100)), 1460)
    // At counter 0 a cookie claiming counter 31 would be one period old before the clock began.
    XCTAssertNil(validate(SequenceNumber(31 << 27 | cookie(now: .zero).rawValue), now: .zero))
  }
}

final class TCPSYNCookieTimestampTests: XCTestCase {
  func testWindowScaleAndSACKRoundTripThroughTheEchoedTimestamp() {
    let windowScales: [UInt8?] = [nil] + (0...TCPOptions.maximumWindowScale).map { $0 }
    for clock: UInt32 in [0, 3, 0x1F, 0x20, 1_000_003, .max] {
      for windowScale in windowScales {
        for sackPermitted in [false, true] {
          let options = TCPSYNCookies.TimestampOptions(
            windowScale: windowScale, sackPermitted: sackPermitted)
          let value = TCPSYNCookies.timestampValue(clock: clock, carrying: options)
          XCTAssertEqual(TCPSYNCookies.options(echoedIn: value), options, "clock \(clock)")
          // Never ahead of the clock, and at most 31 ticks behind it (modulo 2^32).
          XCTAssertLessThan(clock &- value, 32, "clock \(clock), value \(value)")
        }
      }
    }
  }

  func testTheBitLayout() {
    let options = TCPSYNCookies.TimestampOptions(windowScale: 7, sackPermitted: true)
    XCTAssertEqual(TCPSYNCookies.timestampValue(clock: 0x1000_00FF, carrying: options), 0x1000_00F7)
    let none = TCPSYNCookies.TimestampOptions(windowScale: nil, sackPermitted: false)
    XCTAssertEqual(TCPSYNCookies.timestampValue(clock: 0x1000_0000, carrying: none), 0x0FFF_FFEF)
  }
}

final class EphemeralPortTests: XCTestCase {
  private func ports(_ range: ClosedRange<UInt16>) -> EphemeralPorts {
    EphemeralPorts(secret: secret, range: range)
  }

  func testPortsStayInTheRangeAndConsecutiveCallsCoverItWithoutRepeats() {
    var ports = ports(1000...1009)
    var seen: Set<UInt16> = []
    for _ in 0..<10 {
      let port = ports.next(local: client, remote: server, remotePort: 80) { _ in false }
      XCTAssertNotNil(port)
      XCTAssertTrue((1000...1009).contains(port ?? 0))
      seen.insert(port ?? 0)
    }
    XCTAssertEqual(seen.count, 10)
  }

  func testConsecutiveConnectionsToOneDestinationGetDifferentPorts() {
    var ports = EphemeralPorts(secret: secret)
    let first = ports.next(local: client, remote: server, remotePort: 80) { _ in false }
    let second = ports.next(local: client, remote: server, remotePort: 80) { _ in false }
    XCTAssertNotNil(first)
    XCTAssertNotEqual(first, second)
    XCTAssertTrue(ports.range.contains(first ?? 0))
  }

  func testPortsInUseAreSkipped() {
    var ports = ports(1000...1009)
    let port = ports.next(local: client, remote: server, remotePort: 80) { $0 != 1007 }
    XCTAssertEqual(port, 1007)
  }

  func testNilWhenEveryPortIsInUseAfterTryingEachOnce() {
    var ports = ports(1000...1009)
    var tried: [UInt16] = []
    let port = ports.next(local: client, remote: server, remotePort: 80) { candidate in
      tried.append(candidate)
      return true
    }
    XCTAssertNil(port)
    XCTAssertEqual(tried.sorted(), Array(1000...1009))
  }

  func testTheWholePortSpaceIsTriedOnceWithoutOverflow() {
    var ports = ports(1...UInt16.max)
    var tried = 0
    let port = ports.next(local: client, remote: server, remotePort: 80) { _ in
      tried += 1
      return true
    }
    XCTAssertNil(port)
    XCTAssertEqual(tried, 65535)
    XCTAssertEqual(ports.next(local: client, remote: server, remotePort: 80) { $0 != 65535 }, 65535)
  }

  func testDestinationsStartAtUnrelatedOffsets() {
    // With one shared counter, two fresh generators differ only by the destination's hash.
    var first = EphemeralPorts(secret: secret)
    var second = EphemeralPorts(secret: secret)
    var third = EphemeralPorts(secret: otherSecret)
    let toWeb = first.next(local: client, remote: server, remotePort: 80) { _ in false }
    let toMail = second.next(local: client, remote: server, remotePort: 25) { _ in false }
    let otherKey = third.next(local: client, remote: server, remotePort: 80) { _ in false }
    XCTAssertNotEqual(toWeb, toMail)
    XCTAssertNotEqual(toWeb, otherKey)
  }
}
