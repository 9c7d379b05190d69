import Net
import Randomness
import XCTest

final class ByteQueueTests: XCTestCase {
  func testNewQueueIsEmptyWithAllItsSpaceFree() {
    let queue = ByteQueue(capacity: 10)
    XCTAssertEqual(queue.capacity, 10)
    XCTAssertEqual(queue.count, 0)
    XCTAssertEqual(queue.freeSpace, 10)
    XCTAssertTrue(queue.isEmpty)
  }

  func testAppendThenReadComesBackInOrder() {
    var queue = ByteQueue(capacity: 10)
    XCTAssertEqual(queue.append(contentsOf: [1, 2, 3]), 3)
    XCTAssertEqual(queue.append(contentsOf: [4, 5]), 2)
    XCTAssertEqual(queue.count, 5)
    XCTAssertFalse(queue.isEmpty)
    XCTAssertEqual(queue.read(upTo: 2), [1, 2])
    XCTAssertEqual(queue.read(upTo: 100), [3, 4, 5])
    XCTAssertTrue(queue.isEmpty)
    XCTAssertEqual(queue.read(upTo: 4), [])
  }

  func testAppendWhenNearlyFullTakesAPrefix() {
    var queue = ByteQueue(capacity: 10)
    XCTAssertEqual(queue.append(contentsOf: [UInt8](0..<7)), 7)
    XCTAssertEqual(queue.append(contentsOf: [10, 11, 12, 13, 14]), 3)
    XCTAssertEqual(queue.count, 10)
    XCTAssertEqual(queue.freeSpace, 0)
    XCTAssertEqual(queue.append(contentsOf: [99]), 0)
    XCTAssertEqual(queue.read(upTo: 10), [0, 1, 2, 3, 4, 5, 6, 10, 11, 12])
  }

  /// A prefix is taken even when the free space wraps around the end of the ring.
  func testPartialAppendAcrossTheWrap() {
    var queue = ByteQueue(capacity: 7)
    XCTAssertEqual(queue.append(contentsOf: [1, 2, 3, 4, 5]), 5)
    queue.removeFirst(4)
    // Free space: two bytes at the end of the storage, four at its start.
    XCTAssertEqual(queue.append(contentsOf: [UInt8](10..<20)), 6)
    XCTAssertEqual(queue.read(upTo: 7), [5, 10, 11, 12, 13, 14, 15])
  }

  /// Any collection of bytes can be appended, not just arrays.
  func testAppendFromANonArrayCollection() {
    var queue = ByteQueue(capacity: 6)
    XCTAssertEqual(queue.append(contentsOf: UInt8(1)...UInt8(4)), 4)
    queue.removeFirst(3)
    XCTAssertEqual(queue.append(contentsOf: [UInt8](20..<30).lazy.map { $0 + 1 }), 5)
    XCTAssertEqual(queue.read(upTo: 6), [4, 21, 22, 23, 24, 25])
  }

  func testCopyAcrossTheWrapLeavesTheQueueAlone() {
    var queue = ByteQueue(capacity: 8)
    XCTAssertEqual(queue.append(contentsOf: [0, 1, 2, 3, 4, 5]), 6)
    queue.removeFirst(5)
    // Stored: 5 at index 5, then 6 and 7 at indices 6 and 7, then 8...11 at indices 0...3.
    XCTAssertEqual(queue.append(contentsOf: [6, 7, 8, 9, 10, 11]), 6)
    var copied: [UInt8] = [0xAA]
    queue.copyBytes(from: 1, count: 5, into: &copied)
    XCTAssertEqual(copied, [0xAA, 6, 7, 8, 9, 10])
    var whole: [UInt8] = []
    queue.copyBytes(from: 0, count: queue.count, into: &whole)
    XCTAssertEqual(whole, [5, 6, 7, 8, 9, 10, 11])
    var afterWrap: [UInt8] = []
    queue.copyBytes(from: 4, count: 3, into: &afterWrap)
    XCTAssertEqual(afterWrap, [9, 10, 11])
    var nothing: [UInt8] = []
    queue.copyBytes(from: 7, count: 0, into: &nothing)
    XCTAssertEqual(nothing, [])
    XCTAssertEqual(queue.count, 7)
  }

  func testRemovingEverythingThenRefilling() {
    var queue = ByteQueue(capacity: 5)
    XCTAssertEqual(queue.append(contentsOf: [1, 2, 3]), 3)
    queue.removeFirst(3)
    XCTAssertTrue(queue.isEmpty)
    XCTAssertEqual(queue.append(contentsOf: [4, 5, 6, 7, 8]), 5)
    XCTAssertEqual(queue.read(upTo: 5), [4, 5, 6, 7, 8])
  }

  /// Many rounds of random appends, copies, removals and reads on a ring whose capacity is not a
  /// power of two, checked against a plain array doing the same.
  func testManyCyclesMatchAReferenceArray() {
    var random = SeededRandom(seed: 0x7C9)
    var queue = ByteQueue(capacity: 37)
    var reference: [UInt8] = []
    var nextByte: UInt8 = 0
    for round in 0..<5_000 {
      let offered = (0..<Int(random.next(below: 30))).map { _ in
        nextByte &+= 1
        return nextByte
      }
      let accepted = queue.append(contentsOf: offered)
      XCTAssertEqual(accepted, min(offered.count, 37 - reference.count), "round \(round)")
      reference.append(contentsOf: offered.prefix(accepted))
      XCTAssertEqual(queue.count, reference.count)

      let offset = Int(random.next(below: UInt64(reference.count + 1)))
      let length = Int(random.next(below: UInt64(reference.count - offset + 1)))
      var copied: [UInt8] = []
      queue.copyBytes(from: offset, count: length, into: &copied)
      XCTAssertEqual(copied, Array(reference[offset..<offset + length]), "round \(round)")

      let removed = Int(random.next(below: UInt64(reference.count + 1)))
      if random.chance(0.5) {
        queue.removeFirst(removed)
      } else {
        XCTAssertEqual(queue.read(upTo: removed), Array(reference.prefix(removed)))
      }
      reference.removeFirst(removed)
      XCTAssertEqual(queue.count, reference.count)
      XCTAssertEqual(queue.freeSpace, 37 - reference.count)
    }
    XCTAssertEqual(queue.read(upTo: 37), reference)
  }

  /// The ring is allocated as bytes arrive, doubling up to the capacity, and keeps the bytes'
  /// order when it grows across a wrap.
  func testStorageGrowsOnlyAsBytesArrive() {
    var queue = ByteQueue(capacity: 20_000)
    XCTAssertEqual(queue.allocatedBytes, 0, "an idle queue costs nothing")
    queue.append(contentsOf: [UInt8](repeating: 1, count: 10))
    XCTAssertEqual(queue.allocatedBytes, 4096)
    queue.append(contentsOf: (0..<4000).map { UInt8(truncatingIfNeeded: $0) })
    queue.removeFirst(3000)  // the front moves on, so the next bytes wrap around
    queue.append(contentsOf: (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    XCTAssertEqual(queue.allocatedBytes, 4096, "still fits, wrapped")
    queue.append(contentsOf: [UInt8](repeating: 9, count: 5000))
    XCTAssertEqual(queue.allocatedBytes, 8192, "doubled, as 8,010 bytes need")
    var expected =
      [UInt8](repeating: 1, count: 10) + (0..<4000).map { UInt8(truncatingIfNeeded: $0) }
    expected.removeFirst(3000)
    expected += (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    expected += [UInt8](repeating: 9, count: 5000)
    XCTAssertEqual(queue.read(upTo: 100_000), expected)
    queue.append(contentsOf: [UInt8](repeating: 2, count: 20_000))
    XCTAssertEqual(queue.allocatedBytes, 20_000, "never past the capacity")
    XCTAssertEqual(queue.freeSpace, 0)
  }
}
