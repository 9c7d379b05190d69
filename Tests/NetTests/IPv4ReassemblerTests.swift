import Net
import Randomness
import Time
import XCTest

final class IPv4ReassemblerTests: XCTestCase {
  let start = Instant(nanoseconds: 1_000_000_000)

  func header(identification: UInt16 = 1, offset: UInt16, more: Bool) -> IPv4Header {
    IPv4Header(
      source: IPv4Address(198, 51, 100, 1), destination: IPv4Address(192, 0, 2, 1),
      payloadProtocol: .udp, identification: identification, moreFragments: more,
      fragmentOffset: offset)
  }

  /// The fragments of a datagram carrying `payload`, split for a 1500-byte MTU.
  func fragments(
    _ payload: [UInt8], identification: UInt16 = 1, mtu: Int = 1500
  ) -> [IPv4Fragment] {
    try! header(identification: identification, offset: 0, more: false)
      .fragments(of: payload[...], maximumTransmissionUnit: mtu)
  }

  func patterned(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed }
  }

  func testReassemblesInOrderAndReversed() {
    let payload = patterned(5000)
    let pieces = fragments(payload)
    XCTAssertEqual(pieces.count, 4)
    for order in [pieces, pieces.reversed()] {
      var reassembler = IPv4Reassembler()
      for fragment in order.dropLast() {
        XCTAssertEqual(
          reassembler.accept(fragment.header, payload: fragment.payload, now: start), .incomplete)
      }
      XCTAssertEqual(reassembler.bytesHeld, 5000 - order.last!.payload.count)
      XCTAssertEqual(
        reassembler.accept(order.last!.header, payload: order.last!.payload, now: start),
        .complete(header: header(offset: 0, more: false), payload: payload))
      XCTAssertEqual(reassembler.bytesHeld, 0)
      XCTAssertEqual(reassembler.datagramsInProgress, 0)
      XCTAssertNil(reassembler.deadline)
    }
  }

  /// Many seeds of shuffled fragments with random exact duplicates: always the same bytes, once.
  func testShuffledWithDuplicatesForManySeeds() {
    let payload = patterned(9000, seed: 5)
    let pieces = fragments(payload, mtu: 576)
    for seed in UInt64(1)...200 {
      var random = SeededRandom(seed: seed)
      var arrivals = pieces + pieces.filter { _ in Bool.random(using: &random) }
      arrivals.shuffle(using: &random)
      var reassembler = IPv4Reassembler()
      var completions: [[UInt8]] = []
      for fragment in arrivals {
        let outcome = reassembler.accept(fragment.header, payload: fragment.payload, now: start)
        switch outcome {
        case .complete(_, let bytes): completions.append(bytes)
        case .incomplete: break
        case .dropped(let reason): XCTFail("seed \(seed): dropped \(reason)")
        }
      }
      // A duplicate after completion starts a new datagram that stays incomplete.
      XCTAssertEqual(completions, [payload], "seed \(seed)")
      XCTAssertLessThanOrEqual(reassembler.datagramsInProgress, 1, "seed \(seed)")
      if reassembler.datagramsInProgress == 0 {
        XCTAssertEqual(reassembler.bytesHeld, 0, "seed \(seed)")
      }
    }
  }

  func testExactDuplicatesAreIgnoredAndDifferingDuplicatesDropTheDatagram() {
    let pieces = fragments(patterned(3000))
    var reassembler = IPv4Reassembler()
    let first = pieces[0]
    XCTAssertEqual(
      reassembler.accept(first.header, payload: first.payload, now: start), .incomplete)
    XCTAssertEqual(
      reassembler.accept(first.header, payload: first.payload, now: start), .incomplete)
    XCTAssertEqual(reassembler.bytesHeld, 1480, "the duplicate is not held twice")
    var altered = Array(first.payload)
    altered[100] ^= 0xFF
    XCTAssertEqual(
      reassembler.accept(first.header, payload: altered[...], now: start),
      .dropped(.overlappingFragments))
    XCTAssertEqual(reassembler.bytesHeld, 0)
    XCTAssertEqual(reassembler.datagramsInProgress, 0)
  }

  func testOverlapsDropTheWholeDatagram() {
    let data = patterned(64)
    // [0, 32) then [24, 40): the second starts inside the first.
    // [8, 16) inside [0, 32); [0, 40) covering [0, 32) from the same start.
    let cases: [[(offset: UInt16, count: Int, more: Bool)]] = [
      [(0, 32, true), (3, 16, true)],
      [(0, 32, true), (1, 8, true)],
      [(0, 32, true), (0, 40, true)],
      [(2, 16, true), (0, 24, true)],
      [(4, 8, false), (0, 40, true)],
    ]
    for steps in cases {
      var reassembler = IPv4Reassembler()
      let first = steps[0]
      XCTAssertEqual(
        reassembler.accept(
          header(offset: first.offset, more: first.more), payload: data.prefix(first.count),
          now: start), .incomplete)
      let second = steps[1]
      let outcome = reassembler.accept(
        header(offset: second.offset, more: second.more), payload: data.prefix(second.count),
        now: start)
      XCTAssertTrue(
        [.dropped(.overlappingFragments), .dropped(.inconsistentFragments)].contains(outcome),
        "\(steps): \(outcome)")
      XCTAssertEqual(reassembler.datagramsInProgress, 0, "\(steps)")
      XCTAssertEqual(reassembler.bytesHeld, 0, "\(steps)")
    }
  }

  func testInconsistentLengthsAndOversizeAreDropped() {
    let data = patterned(64)
    var reassembler = IPv4Reassembler()
    XCTAssertEqual(
      reassembler.accept(header(offset: 0, more: true), payload: data.prefix(12), now: start),
      .dropped(.inconsistentFragments), "a middle fragment must be a multiple of 8")
    XCTAssertEqual(
      reassembler.accept(header(offset: 0, more: true), payload: [], now: start),
      .dropped(.inconsistentFragments), "an empty middle fragment")
    XCTAssertEqual(
      reassembler.accept(header(offset: 4, more: false), payload: data.prefix(8), now: start),
      .incomplete)
    XCTAssertEqual(
      reassembler.accept(header(offset: 5, more: false), payload: data.prefix(8), now: start),
      .dropped(.inconsistentFragments), "two different ends")
    XCTAssertEqual(
      reassembler.accept(header(offset: 4, more: false), payload: data.prefix(8), now: start),
      .incomplete)
    XCTAssertEqual(
      reassembler.accept(header(offset: 4, more: true), payload: data.prefix(16), now: start),
      .dropped(.inconsistentFragments), "data past the end")
    XCTAssertEqual(
      reassembler.accept(
        header(offset: IPv4Header.maximumFragmentOffset, more: false), payload: data.prefix(8),
        now: start), .dropped(.tooLarge))
    // The largest payload that fits: 65,515 bytes ending exactly at the limit.
    XCTAssertEqual(
      reassembler.accept(header(offset: 8188, more: false), payload: data.prefix(11), now: start),
      .incomplete)
    XCTAssertEqual(reassembler.datagramsInProgress, 1)
  }

  func testTimeoutFreesMemoryAndReportsADeadline() {
    let pieces = fragments(patterned(3000))
    var reassembler = IPv4Reassembler()
    _ = reassembler.accept(pieces[0].header, payload: pieces[0].payload, now: start)
    let later = start.advanced(by: .seconds(5))
    _ = reassembler.accept(
      pieces[1].header, payload: pieces[1].payload, now: later)
    let deadline = start.advanced(by: .seconds(15))
    XCTAssertEqual(reassembler.deadline, deadline, "measured from the first fragment")
    XCTAssertEqual(reassembler.expire(now: deadline.advanced(by: .nanoseconds(-1))), 0)
    XCTAssertEqual(reassembler.bytesHeld, 2960)
    XCTAssertEqual(reassembler.expire(now: deadline), 1)
    XCTAssertEqual(reassembler.bytesHeld, 0)
    XCTAssertEqual(reassembler.expiredCount, 1)
    XCTAssertNil(reassembler.deadline)
    // The last fragment arriving late finds nothing to complete.
    XCTAssertEqual(
      reassembler.accept(pieces[2].header, payload: pieces[2].payload, now: deadline),
      .incomplete)
    XCTAssertEqual(reassembler.deadline, deadline.advanced(by: .seconds(15)))
    // `accept` expires too.
    let muchLater = deadline.advanced(by: .seconds(60))
    _ = reassembler.accept(
      pieces[0].header, payload: pieces[0].payload, now: muchLater)
    XCTAssertEqual(reassembler.bytesHeld, 1480)
    XCTAssertEqual(reassembler.expiredCount, 2)
  }

  func testFullTableEvictsTheOldestDatagram() {
    var reassembler = IPv4Reassembler(limits: .init(maximumDatagrams: 2))
    let datagrams = (1...3).map {
      fragments(patterned(2000, seed: UInt8($0)), identification: UInt16($0))
    }
    for (index, pieces) in datagrams.enumerated() {
      let now = start.advanced(by: .seconds(index))
      _ = reassembler.accept(pieces[0].header, payload: pieces[0].payload, now: now)
    }
    XCTAssertEqual(reassembler.datagramsInProgress, 2)
    XCTAssertEqual(reassembler.evictedCount, 1)
    XCTAssertEqual(reassembler.deadline, start.advanced(by: .seconds(16)), "the first is gone")
    XCTAssertEqual(
      reassembler.accept(datagrams[0][1].header, payload: datagrams[0][1].payload, now: start),
      .incomplete, "datagram 1 was evicted")
    XCTAssertEqual(reassembler.evictedCount, 2, "which in turn evicted datagram 2")
    guard
      case .complete(_, let payload) = reassembler.accept(
        datagrams[2][1].header, payload: datagrams[2][1].payload, now: start)
    else { return XCTFail("datagram 3 should still complete") }
    XCTAssertEqual(payload, patterned(2000, seed: 3))
  }

  func testByteBudgetEvictsTheOldestAndRefusesWhatCannotFit() {
    var reassembler = IPv4Reassembler(limits: .init(maximumBytes: 3000))
    let first = fragments(patterned(4000), identification: 1)
    let second = fragments(patterned(4000), identification: 2)
    _ = reassembler.accept(first[0].header, payload: first[0].payload, now: start)
    _ = reassembler.accept(second[0].header, payload: second[0].payload, now: start)
    XCTAssertEqual(reassembler.bytesHeld, 2960)
    _ = reassembler.accept(second[1].header, payload: second[1].payload, now: start)
    XCTAssertEqual(reassembler.evictedCount, 1)
    XCTAssertEqual(reassembler.datagramsInProgress, 1)
    XCTAssertEqual(reassembler.bytesHeld, 2960)
    // Datagram 2 needs 4000 bytes and nothing else is left to evict.
    XCTAssertEqual(
      reassembler.accept(second[2].header, payload: second[2].payload, now: start),
      .dropped(.exceedsLimits))
    XCTAssertEqual(reassembler.bytesHeld, 0)
    XCTAssertEqual(reassembler.datagramsInProgress, 0)
  }

  func testTooManyFragmentsDropTheDatagram() {
    var reassembler = IPv4Reassembler(limits: .init(maximumFragmentsPerDatagram: 4))
    let eight = patterned(8)
    for offset in UInt16(0)..<4 {
      XCTAssertEqual(
        reassembler.accept(header(offset: offset * 2, more: true), payload: eight[...], now: start),
        .incomplete)
    }
    XCTAssertEqual(
      reassembler.accept(header(offset: 9, more: true), payload: eight[...], now: start),
      .dropped(.exceedsLimits))
    XCTAssertEqual(reassembler.bytesHeld, 0)
  }

  func testAWholeDatagramPassesStraightThrough() {
    var reassembler = IPv4Reassembler()
    XCTAssertEqual(
      reassembler.accept(header(offset: 0, more: false), payload: [1, 2, 3], now: start),
      .complete(header: header(offset: 0, more: false), payload: [1, 2, 3]))
    XCTAssertEqual(reassembler.datagramsInProgress, 0)
  }

  /// What `ping -s 4000` sends over a 1500-byte MTU: a 4008-byte ICMP echo request in three
  /// fragments of 1480, 1480 and 1048 bytes, reassembled byte-exact from any arrival order.
  func testA4000BytePingSplitAtMTU1500AndReassembled() throws {
    // iputils ping: a 16-byte timestamp, then each byte is its own index.
    let data =
      [UInt8](repeating: 0x5A, count: 16) + (16..<4000).map { UInt8(truncatingIfNeeded: $0) }
    let echo = ICMPv4Message.echoRequest(identifier: 0x0BAD, sequenceNumber: 1, data: data[...])
    var message: [UInt8] = []
    echo.emit(into: &message)
    XCTAssertEqual(message.count, 4008)
    let ip = IPv4Header(
      source: IPv4Address(192, 0, 2, 2), destination: IPv4Address(192, 0, 2, 1),
      payloadProtocol: .icmp, identification: 0x7A11)
    let pieces = try ip.fragments(of: message[...], maximumTransmissionUnit: 1500)
    var datagrams: [[UInt8]] = []
    for piece in pieces {
      var bytes: [UInt8] = []
      piece.header.emit(payload: piece.payload, into: &bytes)
      datagrams.append(bytes)
    }
    XCTAssertEqual(datagrams.map { $0.count }, [1500, 1500, 1068])
    XCTAssertEqual(pieces.map { $0.header.fragmentByteOffset }, [0, 1480, 2960])

    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
      var reassembler = IPv4Reassembler()
      var outcome = IPv4Reassembler.Outcome.incomplete
      for index in order {
        let (header, payload) = try IPv4Header.parse(datagrams[index][...])
        outcome = reassembler.accept(header, payload: payload, now: start)
      }
      guard case .complete(let header, let payload) = outcome else {
        return XCTFail("\(order): \(outcome)")
      }
      XCTAssertEqual(header, ip)
      XCTAssertEqual(payload, message)
      XCTAssertEqual(try ICMPv4Message.parse(payload[...]), echo)
    }
  }
}
