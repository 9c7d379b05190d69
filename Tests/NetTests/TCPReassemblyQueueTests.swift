import Net
import Randomness
import XCTest

final class TCPReassemblyQueueTests: XCTestCase {
  private let base = SequenceNumber(1_000)

  /// The stream's bytes from `start` to `end` (relative to `base`): each byte is the low eight
  /// bits of its offset, so any misplaced byte shows.
  private func stream(_ start: Int, _ end: Int, flipped: Bool = false) -> [UInt8] {
    (start..<end).map { UInt8(truncatingIfNeeded: flipped ? ~$0 : $0) }
  }

  private func block(_ start: Int, _ end: Int) -> TCPOptions.SACKBlock {
    TCPOptions.SACKBlock(leftEdge: base + UInt32(start), rightEdge: base + UInt32(end))
  }

  /// Inserts the stream's bytes from `start` to `end` while RCV.NXT is `base`.
  private func insert(
    _ start: Int, _ end: Int, into queue: inout TCPReassemblyQueue, flipped: Bool = false
  ) -> Bool {
    queue.insert(stream(start, end, flipped: flipped), at: base + UInt32(start), receiveNext: base)
  }

  func testNewQueueIsEmpty() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(queue.isEmpty)
    XCTAssertEqual(queue.heldBytes, 0)
    XCTAssertEqual(queue.maximumRanges, 16)
    XCTAssertEqual(queue.takeContiguous(at: base), [])
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [])
  }

  func testInOrderSegmentComesStraightBack() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(0, 10, into: &queue))
    XCTAssertEqual(queue.heldBytes, 10)
    XCTAssertEqual(queue.takeContiguous(at: base), stream(0, 10))
    XCTAssertTrue(queue.isEmpty)
    XCTAssertEqual(queue.heldBytes, 0)
  }

  func testGapHoldsDataBackUntilFilled() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertEqual(queue.takeContiguous(at: base), [])
    XCTAssertEqual(queue.heldBytes, 10)
    XCTAssertTrue(insert(0, 10, into: &queue))
    XCTAssertEqual(queue.takeContiguous(at: base), stream(0, 20))
    XCTAssertTrue(queue.isEmpty)
  }

  func testReversedSegmentsMergeIntoOneRange() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    for start in stride(from: 90, through: 0, by: -10) {
      XCTAssertTrue(insert(start, start + 10, into: &queue))
      XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(start, 100)])
    }
    XCTAssertEqual(queue.heldBytes, 100)
    XCTAssertEqual(queue.takeContiguous(at: base), stream(0, 100))
  }

  /// A segment reaching past a held range on both sides keeps the held bytes in the middle.
  func testOverlapOnBothSidesKeepsTheHeldBytes() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(20, 30, into: &queue))
    XCTAssertTrue(insert(15, 35, into: &queue, flipped: true))
    XCTAssertEqual(queue.heldBytes, 20)
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(15, 35)])
    XCTAssertTrue(insert(0, 15, into: &queue))
    let expected =
      stream(0, 15) + stream(15, 20, flipped: true) + stream(20, 30)
      + stream(30, 35, flipped: true)
    XCTAssertEqual(queue.takeContiguous(at: base), expected)
  }

  /// A segment overlapping the end of one range and the start of the next joins all three.
  func testSegmentBridgingTwoRangesJoinsThem() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertTrue(insert(30, 40, into: &queue))
    XCTAssertTrue(insert(15, 35, into: &queue, flipped: true))
    XCTAssertEqual(queue.heldBytes, 30)
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(10, 40)])
    XCTAssertTrue(insert(0, 10, into: &queue))
    let expected = stream(0, 20) + stream(20, 30, flipped: true) + stream(30, 40)
    XCTAssertEqual(queue.takeContiguous(at: base), expected)
  }

  func testExactDuplicateChangesNothing() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertTrue(insert(10, 20, into: &queue, flipped: true))
    XCTAssertTrue(insert(12, 18, into: &queue, flipped: true))
    XCTAssertEqual(queue.heldBytes, 10)
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(10, 20)])
    XCTAssertTrue(insert(0, 10, into: &queue))
    XCTAssertEqual(queue.takeContiguous(at: base), stream(0, 20))
  }

  /// Segments that exactly fill the gaps between held ranges, in the middle and then at the
  /// front, leave one range.
  func testGapsFilledInTheMiddle() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertTrue(insert(30, 40, into: &queue))
    XCTAssertTrue(insert(50, 60, into: &queue))
    XCTAssertTrue(insert(40, 50, into: &queue))
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(30, 60), block(10, 20)])
    XCTAssertTrue(insert(20, 30, into: &queue))
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(10, 60)])
    XCTAssertEqual(queue.takeContiguous(at: base), [])
    XCTAssertTrue(insert(0, 10, into: &queue))
    XCTAssertEqual(queue.takeContiguous(at: base), stream(0, 60))
  }

  /// The part of a segment before RCV.NXT is already received, and is trimmed off.
  func testSegmentStartingBeforeReceiveNextIsTrimmed() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    let receiveNext = base + 10
    XCTAssertTrue(queue.insert(stream(0, 30), at: base, receiveNext: receiveNext))
    XCTAssertEqual(queue.heldBytes, 20)
    XCTAssertEqual(queue.takeContiguous(at: receiveNext), stream(10, 30))

    XCTAssertTrue(queue.insert(stream(0, 10), at: base, receiveNext: receiveNext))
    XCTAssertTrue(queue.insert([], at: receiveNext + 5, receiveNext: receiveNext))
    XCTAssertTrue(queue.isEmpty)
  }

  /// Held bytes that reached the application by another path since (RCV.NXT moved past them)
  /// are discarded, and the rest of their range is handed over.
  func testReceiveNextMovingIntoAHeldRange() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertTrue(insert(30, 40, into: &queue))
    XCTAssertEqual(queue.takeContiguous(at: base + 15), stream(15, 20))
    XCTAssertEqual(queue.heldBytes, 10)
    XCTAssertEqual(queue.takeContiguous(at: base + 45), [])
    XCTAssertTrue(queue.isEmpty)
    XCTAssertEqual(queue.heldBytes, 0)
  }

  func testSequenceNumbersWrappingPastTwoToTheThirtySecond() {
    var queue = TCPReassemblyQueue(maximumBytes: 100)
    let receiveNext = SequenceNumber(0xFFFF_FFF0)
    let bytes = [UInt8](0..<48)
    // Bytes 16..<32 sit just after the wrap, 8..<24 straddle it, 0..<8 lead up to it.
    XCTAssertTrue(queue.insert(bytes[32..<48], at: SequenceNumber(16), receiveNext: receiveNext))
    XCTAssertTrue(queue.insert(bytes[8..<24], at: receiveNext + 8, receiveNext: receiveNext))
    XCTAssertEqual(
      queue.sackBlocks(maximum: 4),
      [
        TCPOptions.SACKBlock(leftEdge: receiveNext + 8, rightEdge: SequenceNumber(8)),
        TCPOptions.SACKBlock(leftEdge: SequenceNumber(16), rightEdge: SequenceNumber(32)),
      ])
    XCTAssertTrue(queue.insert(bytes[20..<36], at: SequenceNumber(4), receiveNext: receiveNext))
    XCTAssertEqual(
      queue.sackBlocks(maximum: 4),
      [
        TCPOptions.SACKBlock(leftEdge: receiveNext + 8, rightEdge: SequenceNumber(32))
      ])
    XCTAssertTrue(queue.insert(bytes[0..<8], at: receiveNext, receiveNext: receiveNext))
    XCTAssertEqual(queue.takeContiguous(at: receiveNext), bytes)
  }

  /// A segment whose new bytes would pass the byte limit is dropped whole; one whose new bytes
  /// fit is kept, however long it is, since bytes already held cost nothing more.
  func testByteLimitDropsTheWholeSegment() {
    var queue = TCPReassemblyQueue(maximumBytes: 30)
    XCTAssertTrue(insert(10, 30, into: &queue))
    XCTAssertFalse(insert(40, 51, into: &queue))
    XCTAssertFalse(insert(25, 41, into: &queue))
    XCTAssertEqual(queue.heldBytes, 20)
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(10, 30)])
    XCTAssertTrue(insert(5, 35, into: &queue))
    XCTAssertEqual(queue.heldBytes, 30)
    XCTAssertFalse(insert(0, 1, into: &queue))
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(5, 35)])
  }

  /// A segment that would add a range past the limit is dropped; one that extends or joins
  /// existing ranges is kept.
  func testRangeLimitDropsSegmentsThatWouldAddARange() {
    var queue = TCPReassemblyQueue(maximumBytes: 100, maximumRanges: 2)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertTrue(insert(30, 40, into: &queue))
    XCTAssertFalse(insert(50, 60, into: &queue))
    XCTAssertFalse(insert(0, 5, into: &queue))
    XCTAssertEqual(queue.heldBytes, 20)
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(30, 40), block(10, 20)])
    XCTAssertTrue(insert(40, 50, into: &queue))
    XCTAssertTrue(insert(20, 30, into: &queue))
    XCTAssertTrue(insert(60, 70, into: &queue))
    XCTAssertEqual(queue.heldBytes, 50)
    XCTAssertEqual(queue.sackBlocks(maximum: 4), [block(60, 70), block(10, 50)])
  }

  /// RFC 2018 section 4: the block holding the latest segment comes first, then the other
  /// blocks, most recently changed first; `maximum` keeps the most recent.
  func testSACKBlocksComeMostRecentFirst() {
    var queue = TCPReassemblyQueue(maximumBytes: 1_000)
    XCTAssertTrue(insert(10, 20, into: &queue))
    XCTAssertTrue(insert(30, 40, into: &queue))
    XCTAssertTrue(insert(50, 60, into: &queue))
    XCTAssertTrue(insert(70, 80, into: &queue))
    XCTAssertEqual(
      queue.sackBlocks(maximum: 4), [block(70, 80), block(50, 60), block(30, 40), block(10, 20)])
    XCTAssertTrue(insert(40, 45, into: &queue))
    XCTAssertEqual(
      queue.sackBlocks(maximum: 4), [block(30, 45), block(70, 80), block(50, 60), block(10, 20)])
    XCTAssertEqual(queue.sackBlocks(maximum: 3), [block(30, 45), block(70, 80), block(50, 60)])
    // A duplicate triggers an ACK too, and its block leads that ACK.
    XCTAssertTrue(insert(12, 14, into: &queue))
    XCTAssertEqual(queue.sackBlocks(maximum: 2), [block(10, 20), block(30, 45)])
    XCTAssertEqual(queue.sackBlocks(maximum: 0), [])
    // Delivered blocks disappear from the list.
    XCTAssertTrue(insert(0, 10, into: &queue))
    XCTAssertEqual(queue.takeContiguous(at: base), stream(0, 20))
    XCTAssertEqual(
      queue.sackBlocks(maximum: 4).map { $0.leftEdge },
      [block(30, 45), block(70, 80), block(50, 60)].map { $0.leftEdge })
  }

  /// 64 KiB cut into random overlapping segments, duplicated and shuffled, arrive at a receiver
  /// with a 16 KiB window whose sequence numbers wrap past 2^32. Like a TCP receiver, it hands
  /// in-order data straight on, queues the rest, and loses what does not fit (the sender
  /// retransmits it later). The bytes delivered must be the original ones.
  func testRandomOverlappingSegmentsReassembleTheOriginal() {
    var random = SeededRandom(seed: 0xD47A)
    let original = (0..<65_536).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    let initialSequence = SequenceNumber(0xFFFF_6000)
    let window = 16_384
    var segments: [Range<Int>] = []
    var covered = 0
    while covered < original.count {
      let start = max(0, covered - Int(random.next(below: 600)))
      let end = min(original.count, start + 1 + Int(random.next(below: 1_460)))
      segments.append(start..<end)
      covered = max(covered, end)
    }
    for _ in 0..<segments.count / 4 { segments.append(segments.randomElement(using: &random)!) }
    segments.shuffle(using: &random)

    // Less room than the window, so that the limits come into play.
    var queue = TCPReassemblyQueue(maximumBytes: window / 2, maximumRanges: 4)
    var delivered: [UInt8] = []
    var arrivals = 0
    var drops = 0
    while !segments.isEmpty && arrivals < 100_000 {
      arrivals += 1
      let segment = segments.removeFirst()
      // The receiver trims to its window; the sender resends whatever is lost, later.
      let windowEnd = max(segment.lowerBound, delivered.count + window)
      let usable = segment.lowerBound..<min(segment.upperBound, windowEnd)
      var lost = usable.isEmpty ? segment : usable.upperBound..<segment.upperBound
      if usable.lowerBound <= delivered.count {
        if usable.upperBound > delivered.count {
          delivered.append(contentsOf: original[delivered.count..<usable.upperBound])
        }
        let receiveNext = initialSequence + UInt32(delivered.count)
        delivered.append(contentsOf: queue.takeContiguous(at: receiveNext))
      } else if !usable.isEmpty {
        let receiveNext = initialSequence + UInt32(delivered.count)
        let sequence = initialSequence + UInt32(usable.lowerBound)
        if !queue.insert(original[usable], at: sequence, receiveNext: receiveNext) {
          drops += 1
          lost = segment
        }
      }
      if !lost.isEmpty && lost.upperBound > delivered.count {
        segments.insert(lost, at: Int(random.next(below: UInt64(segments.count + 1))))
      }
      XCTAssertLessThanOrEqual(queue.heldBytes, window / 2)
    }
    XCTAssertTrue(segments.isEmpty, "still \(segments.count) segments after \(arrivals) arrivals")
    XCTAssertEqual(delivered.count, original.count)
    XCTAssertTrue(delivered == original, "the reassembled bytes differ from the original")
    XCTAssertTrue(queue.isEmpty)
    XCTAssertEqual(queue.heldBytes, 0)
    XCTAssertGreaterThan(drops, 0, "the test should exercise the limits")
  }

  /// The same shuffled segments with room for everything, all through `insert` (in-order ones
  /// too), end up as one range holding exactly the original.
  func testRandomSegmentsThroughInsertAlone() {
    var random = SeededRandom(seed: 0x5EED)
    let original = (0..<65_536).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    let initialSequence = SequenceNumber(0xFFFF_F000)
    var segments: [Range<Int>] = []
    var covered = 0
    while covered < original.count {
      let start = max(0, covered - Int(random.next(below: 300)))
      let end = min(original.count, start + 1 + Int(random.next(below: 1_000)))
      segments.append(start..<end)
      covered = max(covered, end)
    }
    for _ in 0..<segments.count / 3 { segments.append(segments.randomElement(using: &random)!) }
    segments.shuffle(using: &random)

    var queue = TCPReassemblyQueue(maximumBytes: original.count, maximumRanges: segments.count)
    for segment in segments {
      let sequence = initialSequence + UInt32(segment.lowerBound)
      XCTAssertTrue(queue.insert(original[segment], at: sequence, receiveNext: initialSequence))
    }
    XCTAssertEqual(queue.heldBytes, original.count)
    XCTAssertEqual(
      queue.sackBlocks(maximum: 4),
      [TCPOptions.SACKBlock(leftEdge: initialSequence, rightEdge: initialSequence + 65_536)])
    XCTAssertTrue(queue.takeContiguous(at: initialSequence) == original)
    XCTAssertTrue(queue.isEmpty)
  }
}
