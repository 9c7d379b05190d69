import VirtIO
import XCTest

/// The split virtqueue alone: its layout, descriptor bookkeeping and barriers (VIRTIO 1.1
/// section 2.6), with the test playing the device by hand.
final class SplitVirtqueueTests: XCTestCase {
  func testTheLayoutFollowsTheStandardsLegacyFormula() {
    // Section 2.6.2: ALIGN(16 * size + 2 * (3 + size)) + ALIGN(2 * 3 + 8 * size).
    func align(_ bytes: Int) -> Int { (bytes + 4095) / 4096 * 4096 }
    for exponent in 0...15 {
      let size = 1 << exponent
      let layout = SplitVirtqueueLayout(size: size)
      XCTAssertEqual(layout.availableRingOffset, 16 * size)
      XCTAssertEqual(layout.usedRingOffset, align(16 * size + 2 * (3 + size)))
      XCTAssertEqual(layout.totalBytes, align(16 * size + 2 * (3 + size)) + align(6 + 8 * size))
    }
    XCTAssertEqual(SplitVirtqueueLayout(size: 16).totalBytes, 8192)
    XCTAssertEqual(SplitVirtqueueLayout(size: 256).usedRingOffset, 8192)
  }

  func testChainsTakeDescriptorsAndTheUsedRingGivesThemBack() {
    let memory = TestDeviceMemory(byteCount: 8192)
    let layout = SplitVirtqueueLayout(size: 4)
    var queue = SplitVirtqueue(
      memory: memory.bytes.baseAddress!, physicalAddress: 0x1000, layout: layout,
      barrier: NoBarrier())
    let header = VirtqueueSegment(physicalAddress: 0x9000, byteCount: 12, isDeviceWritable: false)
    let body = VirtqueueSegment(physicalAddress: 0x9100, byteCount: 100, isDeviceWritable: true)
    let first = queue.addBuffer([header, body])
    let second = queue.addBuffer(CollectionOfOne(header))
    XCTAssertEqual(first, 0)
    XCTAssertEqual(second, 2)
    XCTAssertEqual(queue.freeDescriptorCount, 1)
    XCTAssertNil(queue.addBuffer([header, body]), "one descriptor left")
    XCTAssertTrue(queue.publishAvailable(), "the device did not suppress notifications")
    XCTAssertFalse(queue.publishAvailable(), "nothing new")
    XCTAssertEqual(loadUInt16(memory, layout.availableRingOffset + 2), 2)
    XCTAssertEqual(loadUInt16(memory, layout.availableRingOffset + 4), 0)
    XCTAssertEqual(loadUInt16(memory, layout.availableRingOffset + 6), 2)
    // Descriptor 0: 0x9000, 12 bytes, NEXT, next 1; descriptor 1: 0x9100, 100 bytes, WRITE.
    XCTAssertEqual(loadUInt64(memory, 0), 0x9000)
    XCTAssertEqual(loadUInt16(memory, 12), 1)
    XCTAssertEqual(loadUInt16(memory, 14), 1)
    XCTAssertEqual(loadUInt64(memory, 16), 0x9100)
    XCTAssertEqual(loadUInt16(memory, 16 + 12), 2)

    XCTAssertNil(queue.takeUsed())
    useBuffer(memory, layout, head: 2, writtenByteCount: 0, usedIndex: 1)
    XCTAssertEqual(queue.takeUsed(), VirtqueueUsedBuffer(head: 2, writtenByteCount: 0))
    XCTAssertEqual(queue.freeDescriptorCount, 2)
    useBuffer(memory, layout, head: 0, writtenByteCount: 60, usedIndex: 2)
    XCTAssertEqual(queue.takeUsed(), VirtqueueUsedBuffer(head: 0, writtenByteCount: 60))
    XCTAssertEqual(queue.freeDescriptorCount, 4)
    XCTAssertEqual(queue.inFlightCount, 0)
    XCTAssertNil(queue.takeUsed())
    // The freed descriptors serve again: four single ones fill the queue.
    for _ in 0..<4 { XCTAssertNotNil(queue.addBuffer(CollectionOfOne(body))) }
    XCTAssertNil(queue.addBuffer(CollectionOfOne(body)))
  }

  func testTheDeviceIsNotNotifiedWhenItSaysSo() {
    let memory = TestDeviceMemory(byteCount: 8192)
    let layout = SplitVirtqueueLayout(size: 2)
    var queue = SplitVirtqueue(
      memory: memory.bytes.baseAddress!, physicalAddress: 0x1000, layout: layout,
      barrier: NoBarrier())
    storeUInt16(memory, layout.usedRingOffset, 1)  // VIRTQ_USED_F_NO_NOTIFY
    let segment = VirtqueueSegment(physicalAddress: 0x9000, byteCount: 8, isDeviceWritable: true)
    _ = queue.addBuffer(CollectionOfOne(segment))
    XCTAssertFalse(queue.publishAvailable())
    XCTAssertEqual(loadUInt16(memory, layout.availableRingOffset + 2), 1, "published anyway")
  }

  func testBarriersSeparateTheDescriptorsFromTheIndexAndTheIndexFromTheFlags() {
    let memory = TestDeviceMemory(byteCount: 8192)
    let layout = SplitVirtqueueLayout(size: 2)
    final class Observations { var availableIndices: [UInt16] = [] }
    let observations = Observations()
    let barrier = ObservingBarrier {
      observations.availableIndices.append(loadUInt16(memory, layout.availableRingOffset + 2))
    }
    var queue = SplitVirtqueue(
      memory: memory.bytes.baseAddress!, physicalAddress: 0x1000, layout: layout,
      barrier: barrier)
    let segment = VirtqueueSegment(physicalAddress: 0x9000, byteCount: 8, isDeviceWritable: true)
    _ = queue.addBuffer(CollectionOfOne(segment))
    XCTAssertEqual(loadUInt64(memory, 0), 0x9000, "the descriptor is written at once")
    XCTAssertEqual(observations.availableIndices, [], "but not yet published")
    _ = queue.publishAvailable()
    // One barrier with the descriptor written and the index old, one after the index.
    XCTAssertEqual(observations.availableIndices, [0, 1])
  }

  private func useBuffer(
    _ memory: TestDeviceMemory, _ layout: SplitVirtqueueLayout, head: UInt32,
    writtenByteCount: UInt32, usedIndex: UInt16
  ) {
    let element = layout.usedRingOffset + 4 + 8 * ((Int(usedIndex) - 1) % layout.size)
    memory.bytes.storeBytes(of: head.littleEndian, toByteOffset: element, as: UInt32.self)
    memory.bytes.storeBytes(
      of: writtenByteCount.littleEndian, toByteOffset: element + 4, as: UInt32.self)
    storeUInt16(memory, layout.usedRingOffset + 2, usedIndex)
  }
}

private func loadUInt16(_ memory: TestDeviceMemory, _ offset: Int) -> UInt16 {
  UInt16(littleEndian: memory.bytes.load(fromByteOffset: offset, as: UInt16.self))
}

private func loadUInt64(_ memory: TestDeviceMemory, _ offset: Int) -> UInt64 {
  UInt64(littleEndian: memory.bytes.load(fromByteOffset: offset, as: UInt64.self))
}

private func storeUInt16(_ memory: TestDeviceMemory, _ offset: Int, _ value: UInt16) {
  memory.bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self)
}
