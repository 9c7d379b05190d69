import BoardSupport

/// The driver's side of a split virtqueue (VIRTIO 1.1 section 2.6): it offers buffers to the
/// device through the descriptor table and the available ring, and takes them back from the
/// used ring once the device is done with them.
///
/// The queue lives in memory the caller provides, laid out as `layout` says, at an address the
/// device knows as `physicalAddress`. The device can write anywhere in that memory, and a faulty
/// or hostile one might, so the driver writes the descriptor table only to publish a chain and
/// never reads it back: the free list, the links of each chain and each chain's length live in
/// two small arrays of its own, made at start (as Linux's virtio_ring keeps driver-private state
/// for each descriptor). A device that writes over the table then misleads only itself.
/// Indices run freely and wrap at 65536, as the standard has them (section 2.6.13.3).
///
/// Every field is written little-endian. That is what the modern interface requires; the
/// legacy one wants the guest's own byte order (section 2.6.3), which on aarch64 and on the hosts
/// the tests run on is little-endian too.
public struct SplitVirtqueue<Barrier: MemoryBarrier>: ~Copyable {
  /// VIRTQ_DESC_F_NEXT: the chain continues at `next`.
  static var descriptorFlagNext: UInt16 { 1 }
  /// VIRTQ_DESC_F_WRITE: the device writes this descriptor's memory.
  static var descriptorFlagWrite: UInt16 { 2 }
  /// VIRTQ_USED_F_NO_NOTIFY: the device does not need to be told of new buffers now.
  static var usedFlagNoNotify: UInt16 { 1 }

  /// Where the parts of the queue lie.
  public let layout: SplitVirtqueueLayout
  /// The device's address of the queue's first byte.
  public let physicalAddress: UInt64
  /// How many descriptors no buffer is using.
  public private(set) var freeDescriptorCount: Int
  /// Whether the device broke the used ring's rules (section 2.6.8): it returned a descriptor
  /// that heads no chain it holds (one outside the table, a free one, one inside a chain, one
  /// returned already), or moved the used index past the buffers it was given. The queue then
  /// takes nothing more back; only a reset brings driver and device into step again.
  public private(set) var isBroken = false

  private let base: UnsafeMutableRawPointer
  private let barrier: Barrier
  /// The first free descriptor, or `size` when none is; the others follow through `links`.
  private var freeHead: UInt16
  /// For each descriptor, the one after it in the free list or in its chain (the last of a
  /// chain keeps a stale link until it is freed); the free list ends at `size`. The table's
  /// `next` fields are written from these, never read.
  private var links: [UInt16]
  /// For each descriptor that heads a chain the device holds, the chain's length; 0 for the
  /// others.
  private var chainLengths: [UInt16]
  /// The available index after every buffer added, published or not.
  private var nextAvailableIndex: UInt16 = 0
  /// The available index the device has been shown.
  private var publishedAvailableIndex: UInt16 = 0
  /// The used index up to which the driver has taken buffers back.
  private var takenUsedIndex: UInt16 = 0

  /// A queue in the `layout.totalBytes` bytes at `memory`, which the device reaches at
  /// `physicalAddress` (page-aligned). Zeroes that memory, as the standard asks (section
  /// 4.2.3.2), and makes every descriptor free, in order. Tell the device with
  /// `VirtioMMIOTransport.setUpQueue` afterwards.
  public init(
    memory: UnsafeMutableRawPointer, physicalAddress: UInt64, layout: SplitVirtqueueLayout,
    barrier: Barrier
  ) {
    precondition(Int(bitPattern: memory) % SplitVirtqueueLayout.pageBytes == 0, "page-aligned")
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: layout.totalBytes)
    self.layout = layout
    self.physicalAddress = physicalAddress
    self.base = memory
    self.barrier = barrier
    self.freeDescriptorCount = layout.size
    self.freeHead = 0
    self.links = Array(1...UInt16(layout.size))
    self.chainLengths = [UInt16](repeating: 0, count: layout.size)
  }

  // MARK: - Supplying buffers (section 2.6.13)

  /// Places a buffer made of `segments` in free descriptors, chained in order, and its head in
  /// the next slot of the available ring; every field of those descriptors is written afresh,
  /// whatever the device left there. The device does not see it before
  /// `publishAvailable`. Returns the head, which `takeUsed` hands back once the device is done,
  /// or nil when too few descriptors are free.
  ///
  /// Device-readable segments come before device-writable ones (section 2.6.4.2).
  public mutating func addBuffer<Segments: Collection<VirtqueueSegment>>(
    _ segments: Segments
  ) -> UInt16? {
    let count = segments.count
    precondition(count > 0 && count <= layout.size, "a chain has 1 to size descriptors")
    guard count <= freeDescriptorCount else { return nil }
    // The chain is the free list's first `count` descriptors, already linked in order.
    let head = freeHead
    var descriptor = head
    var placed = 0
    var hasWritableSegment = false
    for segment in segments {
      precondition(
        segment.isDeviceWritable || !hasWritableSegment, "readable segments come first")
      hasWritableSegment = hasWritableSegment || segment.isDeviceWritable
      placed += 1
      let next = links[Int(descriptor)]
      var flags = segment.isDeviceWritable ? Self.descriptorFlagWrite : 0
      if placed < count { flags |= Self.descriptorFlagNext }
      writeDescriptor(descriptor, segment: segment, flags: flags, next: placed < count ? next : 0)
      if placed < count { descriptor = next } else { freeHead = next }
    }
    assert(placed == count)
    freeDescriptorCount -= count
    chainLengths[Int(head)] = UInt16(count)
    let ringSlot = Int(nextAvailableIndex) % layout.size
    store(head, at: layout.availableRingOffset + RingField.entries + 2 * ringSlot)
    nextAvailableIndex &+= 1
    assert(inFlightCount <= layout.size, "no more buffers than descriptors")
    return head
  }

  /// Shows the device every buffer added since the last call, by advancing the available
  /// index behind a barrier (section 2.6.13.3). Returns whether the device wants to be told,
  /// which the caller then does with `VirtioMMIOTransport.notify` (section 2.6.13.4); false
  /// when there was nothing new.
  public mutating func publishAvailable() -> Bool {
    guard nextAvailableIndex != publishedAvailableIndex else { return false }
    // The descriptors and ring slots must be visible before the index that exposes them.
    barrier.orderMemoryAccesses()
    store(nextAvailableIndex, at: layout.availableRingOffset + RingField.index)
    publishedAvailableIndex = nextAvailableIndex
    // The index must be visible before the flags are read, or a notification could be missed.
    barrier.orderMemoryAccesses()
    let usedFlags: UInt16 = load(at: layout.usedRingOffset + RingField.flags)
    return usedFlags & Self.usedFlagNoNotify == 0
  }

  // MARK: - Receiving used buffers (section 2.6.14)

  /// The next buffer the device has finished with, oldest first, whose descriptors are free
  /// again; nil when there is none, or when the device broke the queue (`isBroken`). The
  /// device writes the used ring, so nothing in it is trusted before it is checked; which
  /// descriptors the chain holds, the driver knows without the table.
  public mutating func takeUsed() -> VirtqueueUsedBuffer? {
    guard !isBroken else { return nil }
    let deviceUsedIndex: UInt16 = load(at: layout.usedRingOffset + RingField.index)
    guard deviceUsedIndex != takenUsedIndex else { return nil }
    guard deviceUsedIndex &- takenUsedIndex <= publishedAvailableIndex &- takenUsedIndex else {
      isBroken = true
      return nil
    }
    // The used element and the buffer it describes are read after the index that shows them.
    barrier.orderMemoryAccesses()
    // 65536 is a multiple of the size, so the slot stays right when the index wraps.
    let elementOffset =
      layout.usedRingOffset + RingField.entries + SplitVirtqueueLayout.usedElementBytes
      * (Int(takenUsedIndex) % layout.size)
    let head: UInt32 = load(at: elementOffset + UsedElementField.id)
    let writtenByteCount: UInt32 = load(at: elementOffset + UsedElementField.length)
    guard head < layout.size, chainLengths[Int(head)] > 0 else {
      isBroken = true
      return nil
    }
    takenUsedIndex &+= 1
    free(chainAt: UInt16(head))
    return VirtqueueUsedBuffer(head: UInt16(head), writtenByteCount: Int(writtenByteCount))
  }

  /// How many buffers the device holds or has used without the driver taking them back.
  public var inFlightCount: Int { Int(nextAvailableIndex &- takenUsedIndex) }

  /// Returns the descriptors of the chain at `head` to the free list, in front, still linked
  /// in order.
  private mutating func free(chainAt head: UInt16) {
    let length = Int(chainLengths[Int(head)])
    var last = head
    for _ in 1..<length { last = links[Int(last)] }
    links[Int(last)] = freeHead
    freeHead = head
    freeDescriptorCount += length
    chainLengths[Int(head)] = 0
    assert(freeDescriptorCount <= layout.size, "a chain is freed once")
  }

  // MARK: - Memory

  private func descriptorOffset(_ descriptor: UInt16) -> Int {
    assert(Int(descriptor) < layout.size)
    return layout.descriptorTableOffset + SplitVirtqueueLayout.descriptorBytes * Int(descriptor)
  }

  /// Fills descriptor `descriptor`, the only write the driver makes to the table.
  private func writeDescriptor(
    _ descriptor: UInt16, segment: VirtqueueSegment, flags: UInt16, next: UInt16
  ) {
    let offset = descriptorOffset(descriptor)
    store(segment.physicalAddress, at: offset + DescriptorField.address)
    store(UInt32(segment.byteCount), at: offset + DescriptorField.length)
    store(flags, at: offset + DescriptorField.flags)
    store(next, at: offset + DescriptorField.next)
  }

  private func load<Value: FixedWidthInteger>(at offset: Int) -> Value {
    Value(littleEndian: base.load(fromByteOffset: offset, as: Value.self))
  }

  private func store<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
    base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
  }
}

/// Where the fields of a descriptor lie in its 16 bytes (`struct virtq_desc`, section 2.6.5).
private enum DescriptorField {
  /// le64 addr: the buffer's physical address.
  static let address = 0
  /// le32 len: its length.
  static let length = 8
  /// le16 flags: NEXT, WRITE.
  static let flags = 12
  /// le16 next: the next descriptor of the chain, when flags has NEXT.
  static let next = 14
}

/// Where the fields of the available and used rings lie (`struct virtq_avail`, `struct
/// virtq_used`, sections 2.6.6 and 2.6.8): both start with flags and idx.
private enum RingField {
  /// le16 flags: NO_INTERRUPT in the available ring, NO_NOTIFY in the used ring.
  static let flags = 0
  /// le16 idx: where the writer puts its next entry, modulo the size.
  static let index = 2
  /// The entries: 2 bytes each in the available ring, 8 in the used ring.
  static let entries = 4
}

/// Where the fields of a used ring element lie in its 8 bytes (`struct virtq_used_elem`).
private enum UsedElementField {
  /// le32 id: the head of the used chain.
  static let id = 0
  /// le32 len: the bytes the device wrote into it.
  static let length = 4
}
