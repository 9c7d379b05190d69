import Randomness
import VirtIO
import XCTest

/// Seeded fuzzing of what a device writes into a split virtqueue's used ring (VIRTIO 1.1
/// section 2.6.8), with the test playing the device: a device that keeps the rules gets every
/// chain back in any order with any length, and one that breaks them (a head outside the
/// table, one it does not hold or already gave back, a used index past what it was given)
/// breaks the queue, which then takes nothing more back, rather than trapping or freeing
/// descriptors twice. A device that writes over the descriptor table misleads the driver in
/// nothing: the driver never reads the table back.
final class SplitVirtqueueFuzzTests: XCTestCase {
  /// The device's side of one queue, kept by the test: the chains it holds, and the used ring
  /// it writes.
  struct Device {
    let layout: SplitVirtqueueLayout
    let memory: TestDeviceMemory
    /// Chains made available and not yet returned: head, and the descriptors the table showed
    /// when the driver made the chain, before the device could write over them.
    var held: [(head: UInt16, descriptors: [Int])] = []
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
      store(head, at: element)
      store(writtenByteCount, at: element + 4)
      usedIndex &+= 1
      setUsedIndex(usedIndex)
    }

    func setUsedIndex(_ index: UInt16) {
      store(index, at: layout.usedRingOffset + 2)
    }

    /// Returns a few of the chains it holds, in any order, with any length; returns the used
    /// buffers the driver should take back.
    mutating func useSomeChains(using random: inout SeededRandom) -> [VirtqueueUsedBuffer] {
      var used: [VirtqueueUsedBuffer] = []
      for _ in 0..<Int.random(in: 0...held.count, using: &random) {
        let chain = held.remove(at: Int(random.next(below: UInt64(held.count))))
        let length = UInt32.random(in: 0...UInt32.max, using: &random)
        use(head: UInt32(chain.head), writtenByteCount: length)
        used.append(VirtqueueUsedBuffer(head: chain.head, writtenByteCount: Int(length)))
      }
      return used
    }

    /// The descriptors of the chain at `head`, followed through the table's next fields: at
    /// most the queue's size, and none outside the table.
    func chain(at head: UInt16) -> [Int] {
      var descriptors = [Int(head)]
      while descriptors.count < layout.size {
        let offset = 16 * descriptors.last!
        let next = Int(load(UInt16.self, at: offset + 14))
        guard load(UInt16.self, at: offset + 12) & 1 != 0, next < layout.size else { break }
        descriptors.append(next)
      }
      return descriptors
    }

    /// Overwrites one to four fields of any descriptors, free or held, as a faulty or hostile
    /// device might: addresses and lengths with anything, flags with any bits (NEXT and WRITE
    /// among them), links with the descriptor itself, another one, or one outside the table.
    func writeOverDescriptors(using random: inout SeededRandom) {
      for _ in 0..<Int.random(in: 1...4, using: &random) {
        let descriptor = Int(random.next(below: UInt64(layout.size)))
        let offset = 16 * descriptor
        switch random.next(below: 4) {
        case 0: store(random.next(), at: offset)
        case 1: store(UInt32.random(in: 0...UInt32.max, using: &random), at: offset + 8)
        case 2: store(UInt16.random(in: 0...UInt16.max, using: &random), at: offset + 12)
        default:
          let next = [
            UInt16(descriptor), UInt16(random.next(below: UInt64(layout.size))),
            UInt16(layout.size), 0xFFFF,
          ].randomElement(using: &random)!
          store(next, at: offset + 14)
        }
      }
    }

    /// The little-endian integer at `offset`.
    func load<Value: FixedWidthInteger>(_: Value.Type, at offset: Int) -> Value {
      Value(littleEndian: memory.bytes.loadUnaligned(fromByteOffset: offset, as: Value.self))
    }

    func store<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
      memory.bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
    }
  }

  func testARuleKeepingDeviceGetsEveryChainBackInAnyOrder() {
    checkEveryChainComesBack(seed: 0x7172_0001, writingOverDescriptors: false)
  }

  /// The driver keeps its own copy of each descriptor's links, as Linux's virtio_ring does:
  /// links read back from the table could lead it outside the table, round a loop, or to a
  /// descriptor it handed out already.
  func testADeviceWritingOverTheDescriptorTableGetsEveryChainBackAsTheDriverMadeIt() {
    checkEveryChainComesBack(seed: 0x7172_0005, writingOverDescriptors: true)
  }

  /// Rounds of a device that keeps the used ring's rules and returns the chains it holds in
  /// any order with any length, and between the driver's steps perhaps writes over the
  /// descriptor table: the driver takes back exactly what was returned, and its free
  /// descriptors are exactly those the device does not hold (`offerBuffers` checks that each
  /// new chain is what the driver was given, in descriptors no other chain holds).
  private func checkEveryChainComesBack(seed: UInt64, writingOverDescriptors: Bool) {
    var random = SeededRandom(seed: seed)
    for round in 0..<40 {
      var device = Device(using: &random)
      var queue = device.makeQueue()
      for step in 0..<300 {
        let context = "round \(round), step \(step)"
        Self.offerBuffers(&queue, &device, using: &random)
        if writingOverDescriptors { device.writeOverDescriptors(using: &random) }
        let returned = device.useSomeChains(using: &random)
        if writingOverDescriptors { device.writeOverDescriptors(using: &random) }
        var taken: [VirtqueueUsedBuffer] = []
        while let used = queue.takeUsed() { taken.append(used) }
        XCTAssertEqual(taken, returned, context)
        XCTAssertFalse(queue.isBroken, context)
        XCTAssertEqual(
          queue.freeDescriptorCount,
          device.layout.size - device.held.map(\.descriptors.count).reduce(0, +), context)
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

  /// Adds chains of one to three segments (any address, any length, readable ones first)
  /// while there is room and publishes them; checks that the table shows each new chain as
  /// given, in descriptors of its own that no chain the device holds has.
  static func offerBuffers(
    _ queue: inout SplitVirtqueue<NoBarrier>, _ device: inout Device,
    using random: inout SeededRandom
  ) {
    for _ in 0..<Int.random(in: 0...3, using: &random) {
      let count = Int.random(in: 1...min(3, device.layout.size), using: &random)
      let readableCount = Int.random(in: 0...count, using: &random)
      var segments: [VirtqueueSegment] = []
      for index in 0..<count {
        segments.append(
          VirtqueueSegment(
            physicalAddress: random.next(),
            byteCount: Int.random(in: 1...Int(UInt32.max), using: &random),
            isDeviceWritable: index >= readableCount))
      }
      guard let head = queue.addBuffer(segments) else { break }
      let chain = device.chain(at: head)
      XCTAssertEqual(chain.count, count, "the chain as made")
      for (descriptor, segment) in zip(chain, segments) {
        XCTAssertEqual(device.load(UInt64.self, at: 16 * descriptor), segment.physicalAddress)
        XCTAssertEqual(Int(device.load(UInt32.self, at: 16 * descriptor + 8)), segment.byteCount)
        let flags = device.load(UInt16.self, at: 16 * descriptor + 12)
        XCTAssertEqual(flags & 2 != 0, segment.isDeviceWritable)
      }
      XCTAssertEqual(Set(chain).count, count, "a descriptor twice in one chain")
      let heldDescriptors = Set(device.held.flatMap(\.descriptors))
      XCTAssertTrue(heldDescriptors.isDisjoint(with: chain), "descriptors handed out twice")
      device.held.append((head, chain))
    }
    _ = queue.publishAvailable()
  }
}
