import Net
import XCTest

final class TCPSACKScoreboardTests: XCTestCase {
  private let segment = 1000
  /// Ten segments in flight: SND.UNA 1000, SND.MAX 11000; segment k covers 1000 * (k + 1) ...
  private let unacknowledged = SequenceNumber(1000)
  private let highestSent = SequenceNumber(11000)

  private func block(_ left: UInt32, _ right: UInt32) -> TCPOptions.SACKBlock {
    TCPOptions.SACKBlock(leftEdge: SequenceNumber(left), rightEdge: SequenceNumber(right))
  }

  private func scoreboard(
    _ blocks: [TCPOptions.SACKBlock], maximumRanges: Int = 16
  ) -> TCPSACKScoreboard {
    var scoreboard = TCPSACKScoreboard(maximumRanges: maximumRanges)
    _ = scoreboard.update(acknowledgement: unacknowledged, blocks: blocks, highestSent: highestSent)
    return scoreboard
  }

  func testBlocksAreMergedAndSorted() {
    var board = TCPSACKScoreboard()
    XCTAssertTrue(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(5000, 6000), block(3000, 4000)],
        highestSent: highestSent))
    XCTAssertEqual(board.ranges, [block(3000, 4000), block(5000, 6000)])
    XCTAssertEqual(board.sackedBytes, 2000)
    XCTAssertTrue(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(4000, 5000)], highestSent: highestSent))
    XCTAssertEqual(board.ranges, [block(3000, 6000)])
    XCTAssertFalse(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(3500, 6000)], highestSent: highestSent),
      "nothing new")
    XCTAssertTrue(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(2500, 3500), block(8000, 9000)],
        highestSent: highestSent))
    XCTAssertEqual(board.ranges, [block(2500, 6000), block(8000, 9000)])
    XCTAssertEqual(board.sackedBytes, 4500)
    XCTAssertEqual(board.highestSACKed, SequenceNumber(9000))
    XCTAssertTrue(board.isSACKed(start: SequenceNumber(3000), end: SequenceNumber(6000)))
    XCTAssertFalse(board.isSACKed(start: SequenceNumber(5000), end: SequenceNumber(8500)))
  }

  func testInvalidStaleAndDSACKBlocksAreIgnored() {
    var board = TCPSACKScoreboard()
    let blocks = [
      block(500, 1000),  // a D-SACK for data already acknowledged
      block(4000, 4000),  // empty
      block(5000, 4000),  // inverted
      block(10000, 12000),  // beyond SND.MAX
    ]
    XCTAssertFalse(
      board.update(acknowledgement: unacknowledged, blocks: blocks, highestSent: highestSent))
    XCTAssertEqual(board.ranges, [])
    XCTAssertEqual(board.sackedBytes, 0)
    XCTAssertNil(board.highestSACKed)
    // A block reaching below SND.UNA keeps only its part above.
    XCTAssertTrue(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(500, 2000)], highestSent: highestSent))
    XCTAssertEqual(board.ranges, [block(1000, 2000)])
  }

  func testCumulativeAcknowledgementTrimsTheRanges() {
    var board = scoreboard([block(3000, 4000), block(5000, 6000)])
    XCTAssertFalse(
      board.update(acknowledgement: SequenceNumber(5500), blocks: [], highestSent: highestSent))
    XCTAssertEqual(board.ranges, [block(5500, 6000)])
    XCTAssertEqual(board.sackedBytes, 500)
    _ = board.update(acknowledgement: SequenceNumber(6000), blocks: [], highestSent: highestSent)
    XCTAssertEqual(board.ranges, [])
    XCTAssertEqual(board.sackedBytes, 0)
  }

  func testSequenceNumbersWrapAround() {
    var board = TCPSACKScoreboard()
    let base = SequenceNumber(0xFFFF_FC00)
    let blocks = [
      TCPOptions.SACKBlock(leftEdge: base + 1024, rightEdge: base + 2048),
      TCPOptions.SACKBlock(leftEdge: base + 512, rightEdge: base + 1024),
    ]
    XCTAssertTrue(board.update(acknowledgement: base, blocks: blocks, highestSent: base + 4096))
    XCTAssertEqual(
      board.ranges, [TCPOptions.SACKBlock(leftEdge: base + 512, rightEdge: base + 2048)])
    XCTAssertEqual(board.sackedBytes, 1536)
    _ = board.update(acknowledgement: base + 1536, blocks: [], highestSent: base + 4096)
    XCTAssertEqual(board.sackedBytes, 512)
  }

  /// RFC 6675 IsLost: more than (DupThresh - 1) * SMSS bytes SACKed above.
  func testLostWithThreeSegmentsSACKedAboveButNotTwo() {
    var board = scoreboard([block(4000, 6000)])
    XCTAssertFalse(board.isLost(unacknowledged, maximumSegmentSize: segment))
    _ = board.update(
      acknowledgement: unacknowledged, blocks: [block(6000, 7000)], highestSent: highestSent)
    XCTAssertTrue(board.isLost(unacknowledged, maximumSegmentSize: segment))
    XCTAssertTrue(board.isLost(SequenceNumber(3999), maximumSegmentSize: segment))
    XCTAssertFalse(board.isLost(SequenceNumber(7000), maximumSegmentSize: segment))
  }

  /// RFC 6675 IsLost: DupThresh discontiguous SACKed segments, however small.
  func testLostWithThreeDiscontiguousSACKedRanges() {
    let two = scoreboard([block(3000, 3100), block(5000, 5100)])
    XCTAssertFalse(two.isLost(unacknowledged, maximumSegmentSize: segment))
    let three = scoreboard([block(3000, 3100), block(5000, 5100), block(7000, 7100)])
    XCTAssertTrue(three.isLost(unacknowledged, maximumSegmentSize: segment))
    XCTAssertFalse(three.isLost(SequenceNumber(4000), maximumSegmentSize: segment))
  }

  /// Segments 2, 3 and 4 SACKed: segments 0 and 1 are lost, 5 to 9 still in flight.
  func testPipeForAConcreteFlight() {
    let board = scoreboard([block(3000, 6000)])
    func pipe(retransmittedUpTo highestRetransmitted: UInt32) -> Int {
      board.pipe(
        unacknowledged: unacknowledged, highestSent: highestSent,
        highestRetransmitted: SequenceNumber(highestRetransmitted), maximumSegmentSize: segment)
    }
    XCTAssertEqual(pipe(retransmittedUpTo: 1000), 5000)
    XCTAssertEqual(pipe(retransmittedUpTo: 2000), 6000)
    XCTAssertEqual(pipe(retransmittedUpTo: 3000), 7000)
    // Nothing SACKed: everything counts once.
    XCTAssertEqual(
      TCPSACKScoreboard().pipe(
        unacknowledged: unacknowledged, highestSent: highestSent,
        highestRetransmitted: unacknowledged, maximumSegmentSize: segment), 10000)
  }

  func testNextSegmentIsTheLowestLostOneNotYetRetransmitted() {
    let board = scoreboard([block(3000, 6000), block(7000, 8000)])
    func next(after highestRetransmitted: UInt32, onlyLost: Bool = true) -> [Int] {
      guard
        let segment = board.nextSegmentToRetransmit(
          unacknowledged: unacknowledged, highestSent: highestSent,
          highestRetransmitted: SequenceNumber(highestRetransmitted),
          maximumSegmentSize: segment, onlyLost: onlyLost)
      else { return [] }
      return [Int(segment.start.rawValue), segment.length]
    }
    XCTAssertEqual(next(after: 1000), [1000, 1000])
    XCTAssertEqual(next(after: 2000), [2000, 1000])
    XCTAssertEqual(next(after: 2500), [2500, 500], "stops at the SACKed range")
    // The hole at 6000 has only one segment SACKed above it: not lost, so rule 1 finds nothing,
    // rule 3 offers it, and nothing above the highest SACKed byte is ever offered.
    XCTAssertEqual(next(after: 3000), [])
    XCTAssertEqual(next(after: 3000, onlyLost: false), [6000, 1000])
    XCTAssertEqual(next(after: 7000, onlyLost: false), [])
    XCTAssertNil(
      TCPSACKScoreboard().nextSegmentToRetransmit(
        unacknowledged: unacknowledged, highestSent: highestSent,
        highestRetransmitted: unacknowledged, maximumSegmentSize: segment, onlyLost: false))
  }

  func testRangesAreBoundedByForgettingTheHighest() {
    var board = TCPSACKScoreboard(maximumRanges: 4)
    for left in stride(from: UInt32(2000), through: 6000, by: 1000) {
      _ = board.update(
        acknowledgement: unacknowledged, blocks: [block(left, left + 500)],
        highestSent: highestSent)
    }
    XCTAssertEqual(
      board.ranges, [block(2000, 2500), block(3000, 3500), block(4000, 4500), block(5000, 5500)])
    XCTAssertEqual(board.sackedBytes, 2000)
    XCTAssertFalse(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(9000, 9500)], highestSent: highestSent),
      "a range beyond the limit is not remembered")
    XCTAssertTrue(
      board.update(
        acknowledgement: unacknowledged, blocks: [block(1500, 1600)], highestSent: highestSent))
    XCTAssertEqual(board.ranges.count, 4)
    XCTAssertEqual(board.ranges.last, block(4000, 4500))
    XCTAssertEqual(board.sackedBytes, 1600)
  }

  func testResetForgetsEverything() {
    var board = scoreboard([block(3000, 6000)])
    board.reset()
    XCTAssertEqual(board.ranges, [])
    XCTAssertEqual(board.sackedBytes, 0)
    XCTAssertFalse(board.isLost(unacknowledged, maximumSegmentSize: segment))
  }
}
