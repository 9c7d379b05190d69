import Randomness
import VirtIO
import XCTest

/// Seeded fuzzing of what a device writes into a split virtqueue's used ring (VIRTIO 1.1
/// section 2.6.8), with the test playing the device: a device that keeps the rules gets every
/// chain back in any order with any length, and one that breaks them (a head outside the
/// table, one it does not hold or already gave back, a used index past what it was given)
/// breaks the queue, which then takes nothing more back, rather than trapping or freeing
/// descriptors twice.
final class SplitVirtqueueFuzzTests: XCTestCase {
  /// The device's side of one queue, kept by the test: the chains it holds, and the used ring
  /// it writes.
  struct Device {
    let layout: SplitVirtqueueLayout
    let memory: TestDeviceMemory
    /// Chains made available and not yet returned: head, and length in descriptors.
    var held: [(head: UInt16, length: Int)] = []
    var usedIndex: UInt16 = 0

    /// A queue of 1 to 16 entries.
    init(using random: inout SeededRandom) {
      layout = SplitVirtqueueLayout(size: 1 << Int.random(in: 0...4, using: &random))
      memory = TestDeviceMemory(byteCount: layout.totalBytes)
    }

    /// The driver's side of the queue, in the device's memory.
    func makeQueue() -> SplitVirtqueue<NoBarrier> {
      SplitVirtqueue(
        memory: memory.bytes.baseAddress!, physicalAddress: 0x4000_0000, layout: layout,
        barrier: NoBarrier())
    }

    /// Appends a used element and publishes it.
    mutating func use(head: UInt32, writtenByteCount: UInt32) {
      let element = layout.usedRingOffset + 4 + 8 * (Int(usedIndex) % layout.size)
      memory.bytes.storeBytes(of: head.littleEndian, toByteOffset: element, as: UInt32.self)
      memory.bytes.storeBytes(
        of: writtenByteCount.littleEndian, toByteOffset: element + 4, as: UInt32.self)
      usedIndex &+= 1
      setUsedIndex(usedIndex)
    }

    func setUsedIndex(_ index: UInt16) {
      memory.bytes.storeBytes(
        of: index.littleEndian, toByteOffset: layout.usedRingOffset + 2, as: UInt16.self)
    }

    /// The descriptors of the chain at `head`, followed through the table's next fields.
    func chain(at head: UInt16) -> [Int] {
      var descriptors = [Int(head)]
      while true {
        let offset = 16 * descriptors.last!
        let flags = memory.bytes.load(fromByteOffset: offset + 12, as: UInt16.self)
        guard UInt16(littleEndian: flags) & 1 != 0 else { return descriptors }
        let next = memory.bytes.load(fromByteOffset: offset + 14, as: UInt16.self)
        descriptors.append(Int(UInt16(littleEndian: next)))
      }
    }
  }

  func testARuleKeepingDeviceGetsEveryChainBackInAnyOrder() {
    var random = SeededRandom(seed: 0x7172_0001)
    for round in 0..<40 {
      var device = Device(using: &random)
      var queue = device.makeQueue()
      for step in 0..<300 {
        let context = "round \(round), step \(step)"
        Self.offerBuffers(&queue, &device, using: &random)
        // The device returns a few of the chains it holds, in any order, with any length.
        var returned: [VirtqueueUsedBuffer] = []
        for _ in 0..<Int.random(in: 0...device.held.count, using: &random) {
          let chain = device.held.remove(at: Int(random.next(below: UInt64(device.held.count))))
          let length = UInt32.random(in: 0...UInt32.max, using: &random)
          device.use(head: UInt32(chain.head), writtenByteCount: length)
          returned.append(VirtqueueUsedBuffer(head: chain.head, writtenByteCount: Int(length)))
        }
        var taken: [VirtqueueUsedBuffer] = []
        while let used = queue.takeUsed() { taken.append(used) }
        XCTAssertEqual(taken, returned, context)
        XCTAssertFalse(queue.isBroken, context)
        XCTAssertEqual(
          queue.freeDescriptorCount, device.layout.size - device.held.map(\.length).reduce(0, +),
          context)
      }
    }
  }

  func testARuleBreakingDeviceBreaksTheQueueInsteadOfTrapping() {
    var random = SeededRandom(seed: 0x7172_0002)
    var breaks = 0
    for round in 0..<400 {
      var device = Device(using: &random)
      var queue = device.makeQueue()
      for step in 0..<40 {
        let context = "round \(round), step \(step)"
        Self.offerBuffers(&queue, &device, using: &random)
        let heldHeads = device.held.map(\.head)
        var isRuleBroken = false
        switch random.next(below: 8) {
        case 0:
          // A head outside the descriptor table.
          let head = [
            UInt32(device.layout.size), UInt32(device.layout.size) + 1, 0xFFFF, 0x1_0000,
            0xFFFF_FFFF, UInt32.random(in: UInt32(device.layout.size)...UInt32.max, using: &random),
          ].randomElement(using: &random)!
          device.use(head: head, writtenByteCount: 60)
          isRuleBroken = true
        case 1:
          // A descriptor of the table that heads no chain the device holds: free, inside a
          // chain, or a chain it gave back already.
          let candidates = (0..<UInt16(device.layout.size)).filter { !heldHeads.contains($0) }
          guard let head = candidates.randomElement(using: &random) else { continue }
          device.use(head: UInt32(head), writtenByteCount: 60)
          isRuleBroken = true
        case 2:
          // A used index past every buffer the device holds.
          let beyond = UInt16(device.held.count) + UInt16.random(in: 1...0x8000, using: &random)
          device.setUsedIndex(device.usedIndex &+ beyond)
          isRuleBroken = true
        default:
          // Any chain it holds, with any length: the rules kept.
          guard !device.held.isEmpty else { continue }
          let chain = device.held.remove(at: Int(random.next(below: UInt64(device.held.count))))
          device.use(
            head: UInt32(chain.head), writtenByteCount: UInt32.random(in: 0...9000, using: &random))
        }
        while let used = queue.takeUsed() {
          XCTAssertTrue(heldHeads.contains(used.head), "\(context): \(used) was not held")
        }
        XCTAssertLessThanOrEqual(queue.freeDescriptorCount, device.layout.size, context)
        if isRuleBroken {
          XCTAssertTrue(queue.isBroken, context)
          breaks += 1
          // Broken for good: nothing more comes back, not even a chain the device holds, and
          // no descriptor is handed out twice.
          Self.offerBuffers(&queue, &device, using: &random)
          if let chain = device.held.first {
            device.use(head: UInt32(chain.head), writtenByteCount: 60)
          }
          XCTAssertNil(queue.takeUsed(), context)
          break
        }
      }
    }
    XCTAssertGreaterThan(breaks, 200)
  }

  // MARK: - The driver's side

  /// Adds chains of one to three descriptors while there is room and publishes them; checks
  /// that no descriptor of a new chain belongs to a chain the device holds.
  static func offerBuffers(
    _ queue: inout SplitVirtqueue<NoBarrier>, _ device: inout Device,
    using random: inout SeededRandom
  ) {
    for _ in 0..<Int.random(in: 0...3, using: &random) {
      let count = Int.random(in: 1...min(3, device.layout.size), using: &random)
      let segments = (0..<count).map { index in
        VirtqueueSegment(
          physicalAddress: 0x5000_0000 + 0x1000 * UInt64(index), byteCount: 1536,
          isDeviceWritable: index > 0)
      }
      guard let head = queue.addBuffer(segments) else { break }
      let chain = device.chain(at: head)
      XCTAssertEqual(chain.count, count)
      let heldDescriptors = Set(device.held.flatMap { device.chain(at: $0.head) })
      XCTAssertTrue(heldDescriptors.isDisjoint(with: chain), "descriptors handed out twice")
      device.held.append((head, count))
    }
    _ = queue.publishAvailable()
  }
}
