import Heap
import Randomness
import XCTest

final class HeapAllocatorTests: XCTestCase {
  private var region: UnsafeMutableRawBufferPointer!

  override func setUp() {
    region = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
  }

  override func tearDown() { region.deallocate() }

  func testAFreshHeapIsOneFreeBlockAndComesBackToItAfterFreeing() {
    var heap = HeapAllocator(region: region)
    let whole = heap.largestFreeBlockBytes
    XCTAssertEqual(whole, heap.statistics.capacityBytes - HeapAllocator.headerBytes)
    let first = heap.allocate(byteCount: 100)!
    let second = heap.allocate(byteCount: 3000)!
    XCTAssertEqual(heap.statistics.inUseBlocks, 2)
    XCTAssertEqual(heap.statistics.inUseBytes, 128 + 3024)
    XCTAssertLessThan(heap.largestFreeBlockBytes, whole)
    heap.deallocate(first)
    heap.deallocate(second)
    XCTAssertTrue(heap.checkConsistency())
    XCTAssertEqual(heap.largestFreeBlockBytes, whole)
    XCTAssertEqual(heap.statistics.inUseBytes, 0)
    XCTAssertEqual(heap.statistics.peakInUseBytes, 128 + 3024)
  }

  func testBlocksDoNotOverlapAndKeepTheirContents() {
    var heap = HeapAllocator(region: region)
    var blocks: [(pointer: UnsafeMutableRawPointer, count: Int, fill: UInt8)] = []
    for index in 0..<200 {
      let count = 1 + (index * 37) % 700
      let pointer = heap.allocate(byteCount: count)!
      XCTAssertEqual(Int(bitPattern: pointer) % 16, 0)
      pointer.initializeMemory(as: UInt8.self, repeating: UInt8(index), count: count)
      blocks.append((pointer, count, UInt8(index)))
    }
    for block in blocks {
      let bytes = UnsafeRawBufferPointer(start: block.pointer, count: block.count)
      XCTAssertTrue(bytes.allSatisfy { $0 == block.fill }, "block \(block.fill) was overwritten")
    }
    XCTAssertTrue(heap.checkConsistency())
  }

  func testLargerAlignmentsAreHonoured() {
    var heap = HeapAllocator(region: region)
    let unaligned = heap.allocate(byteCount: 24)!
    for alignment in [32, 64, 256, 4096] {
      let pointer = heap.allocate(byteCount: 100, alignment: alignment)!
      XCTAssertEqual(Int(bitPattern: pointer) % alignment, 0, "alignment \(alignment)")
      XCTAssertTrue(heap.checkConsistency())
      heap.deallocate(pointer)
      XCTAssertTrue(heap.checkConsistency())
    }
    heap.deallocate(unaligned)
    XCTAssertEqual(heap.largestFreeBlockBytes, heap.statistics.capacityBytes - 16)
  }

  func testRunningOutIsReportedAndFreeingMakesRoomAgain() {
    var heap = HeapAllocator(region: region)
    var held: [UnsafeMutableRawPointer] = []
    while let pointer = heap.allocate(byteCount: 60_000) { held.append(pointer) }
    XCTAssertEqual(held.count, (1 << 20) / 60_016)
    XCTAssertEqual(heap.statistics.failedAllocations, 1)
    XCTAssertNil(heap.allocate(byteCount: 1 << 21))
    XCTAssertEqual(heap.statistics.failedAllocations, 2)
    heap.deallocate(held.removeLast())
    XCTAssertNotNil(heap.allocate(byteCount: 60_000))
    XCTAssertNil(heap.allocate(byteCount: Int.max / 2), "a huge request fails instead of wrapping")
  }

  func testFreeNeighboursMergeInEveryOrder() {
    // Three adjacent blocks freed in each of the six orders always become one block again.
    let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
    for order in orders {
      var heap = HeapAllocator(region: region)
      let whole = heap.largestFreeBlockBytes
      let blocks = (0..<3).map { _ in heap.allocate(byteCount: 1000)! }
      let guardBlock = heap.allocate(byteCount: 16)!
      for index in order {
        heap.deallocate(blocks[index])
        XCTAssertTrue(heap.checkConsistency(), "order \(order)")
      }
      XCTAssertGreaterThanOrEqual(heap.largestFreeBlockBytes, 3 * 1008, "order \(order)")
      heap.deallocate(guardBlock)
      XCTAssertEqual(heap.largestFreeBlockBytes, whole, "order \(order)")
    }
  }

  func testRandomChurnKeepsTheInvariantsAndEndsWhole() {
    // A seeded mix of sizes like an appliance's (many small objects, a few buffers), freed in
    // random order; the heap's invariants hold after every step and all memory comes back.
    var heap = HeapAllocator(region: region)
    let whole = heap.largestFreeBlockBytes
    var random = SeededRandom(seed: 2026)
    var live: [(pointer: UnsafeMutableRawPointer, count: Int, fill: UInt8)] = []
    for step in 0..<20_000 {
      if live.count < 400 && (live.isEmpty || random.chance(0.55)) {
        let count =
          random.chance(0.9) ? Int(random.next(below: 256)) : Int(random.next(below: 16_384))
        let alignment = random.chance(0.05) ? 64 : 16
        guard let pointer = heap.allocate(byteCount: count, alignment: alignment) else { continue }
        let fill = UInt8(truncatingIfNeeded: step)
        pointer.initializeMemory(as: UInt8.self, repeating: fill, count: count)
        live.append((pointer, count, fill))
      } else {
        let block = live.remove(at: Int(random.next(below: UInt64(live.count))))
        let bytes = UnsafeRawBufferPointer(start: block.pointer, count: block.count)
        XCTAssertTrue(
          bytes.allSatisfy { $0 == block.fill }, "step \(step): a block was overwritten")
        heap.deallocate(block.pointer)
      }
      if step % 97 == 0 { XCTAssertTrue(heap.checkConsistency(), "step \(step)") }
    }
    XCTAssertEqual(heap.statistics.failedAllocations, 0, "1 MiB holds 400 blocks of this mix")
    for block in live { heap.deallocate(block.pointer) }
    XCTAssertTrue(heap.checkConsistency())
    XCTAssertEqual(heap.largestFreeBlockBytes, whole)
  }

  func testFragmentationIsBoundedByMerging() {
    // Fill the heap with small blocks, free every other one: the free space is in holes that no
    // large request fits. Free the rest: holes merge and the large request succeeds.
    var heap = HeapAllocator(region: region)
    var held: [UnsafeMutableRawPointer] = []
    while let pointer = heap.allocate(byteCount: 112) { held.append(pointer) }
    for index in stride(from: 0, to: held.count, by: 2) { heap.deallocate(held[index]) }
    XCTAssertEqual(heap.largestFreeBlockBytes, 112)
    XCTAssertNil(heap.allocate(byteCount: 4096))
    for index in stride(from: 1, to: held.count, by: 2) { heap.deallocate(held[index]) }
    XCTAssertNotNil(heap.allocate(byteCount: 500_000))
    XCTAssertTrue(heap.checkConsistency())
  }
}
