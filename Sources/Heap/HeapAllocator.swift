/// A general-purpose allocator over one contiguous region of memory: the unikernel's heap, under
/// the `posix_memalign` and `free` that Embedded Swift's runtime calls.
///
/// The region is cut into blocks, each starting with a 16-byte header (its own size and whether
/// it is in use, and the size of the block before it), so that freeing a block can merge it with
/// both neighbours at once: two free blocks are never adjacent, which is what keeps fragmentation
/// bounded. Free blocks sit in segregated lists, one per power-of-two size class; an allocation
/// takes the first block that fits from its own class, else any block of a larger class, and
/// splits off what it does not need. Every operation is bounded by the number of classes plus
/// the length of one class's list.
///
///     block:  | size | in-use bit | previous size |  payload (16-byte aligned) ...        |
///     free:   | size |     0      | previous size | next free | previous free | ...      |
///
/// The allocator never allocates itself: its list heads live at the start of the region, and
/// every other piece of state is an offset inside it.
public struct HeapAllocator: ~Copyable {
  /// Bytes of a block's header, and the alignment of every block and payload.
  public static let headerBytes = 16
  /// The smallest block: a header and room for the two free-list links.
  public static let minimumBlockBytes = 32
  /// Size classes: class `k` holds free blocks of `2^(k+5)` up to `2^(k+6) - 1` bytes; the last
  /// class holds everything larger.
  static let classCount = 32
  private static let inUseBit = 1
  /// The free-list link that means "none".
  private static let noBlock = -1

  /// The start of the region: the list heads, then the blocks.
  private let base: UnsafeMutableRawPointer
  /// Offset of the first block from `base`.
  private let firstBlock: Int
  /// Offset just past the last block.
  private let end: Int
  public private(set) var statistics: HeapStatistics

  /// A heap over `region`, which must outlive it. The region must hold the list heads and at
  /// least one minimal block.
  public init(region: UnsafeMutableRawBufferPointer) {
    guard let start = region.baseAddress else { preconditionFailure("a heap needs memory") }
    let alignedStart = (Int(bitPattern: start) + 15) & ~15
    base = UnsafeMutableRawPointer(bitPattern: alignedStart)!
    let usable = (region.count - (alignedStart - Int(bitPattern: start))) & ~15
    firstBlock = Self.classCount * MemoryLayout<Int>.size
    end = usable
    precondition(end - firstBlock >= Self.minimumBlockBytes, "heap region too small")
    statistics = HeapStatistics(capacityBytes: end - firstBlock)
    for sizeClass in 0..<Self.classCount { setHead(of: sizeClass, to: Self.noBlock) }
    writeHeader(at: firstBlock, size: end - firstBlock, isInUse: false, previousSize: 0)
    insertFree(firstBlock)
    assert(checkConsistency())
  }

  /// A block of at least `byteCount` bytes whose address is a multiple of `alignment` (a power of
  /// two), or nil when no free block is large enough; the failure is counted in `statistics`.
  public mutating func allocate(byteCount: Int, alignment: Int = 16)
    -> UnsafeMutableRawPointer?
  {
    precondition(byteCount >= 0, "a negative allocation")
    precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment is a power of two")
    let alignment = max(alignment, Self.headerBytes)
    let needed = max(Self.roundUp(byteCount + Self.headerBytes), Self.minimumBlockBytes)
    // A larger alignment may need a free block in front, itself at least a minimal block.
    let extra = alignment > Self.headerBytes ? alignment + Self.minimumBlockBytes : 0
    guard byteCount <= end, let found = findFree(atLeast: needed + extra) else {
      statistics.failedAllocations += 1
      return nil
    }
    removeFree(found)
    var block = found
    if alignment > Self.headerBytes { block = splitForAlignment(block, alignment: alignment) }
    splitTail(of: block, keeping: needed)
    let size = sizeOfBlock(at: block)
    setInUse(block, true)
    statistics.recordAllocation(bytes: size)
    let payload = base + block + Self.headerBytes
    assert(Int(bitPattern: payload) % alignment == 0)
    assert(size - Self.headerBytes >= byteCount)
    return payload
  }

  /// Returns the block at `pointer`, which `allocate` gave and which is not yet freed, merging it
  /// with free neighbours.
  public mutating func deallocate(_ pointer: UnsafeMutableRawPointer) {
    var block = pointer - base - Self.headerBytes
    precondition(block >= firstBlock && block < end && block % 16 == 0, "free of a foreign pointer")
    precondition(isInUse(block), "double free, or free of a pointer the heap did not give")
    var size = sizeOfBlock(at: block)
    statistics.recordRelease(bytes: size)
    let next = block + size
    if next < end && !isInUse(next) {
      removeFree(next)
      size += sizeOfBlock(at: next)
    }
    let previousSize = previousSizeOfBlock(at: block)
    if previousSize > 0 && !isInUse(block - previousSize) {
      block -= previousSize
      removeFree(block)
      size += previousSize
    }
    writeHeader(at: block, size: size, isInUse: false, previousSize: previousSizeOfBlock(at: block))
    if block + size < end { setPreviousSize(of: block + size, to: size) }
    insertFree(block)
  }

  /// The largest allocation that would succeed now (with 16-byte alignment).
  public var largestFreeBlockBytes: Int {
    var largest = 0
    for sizeClass in 0..<Self.classCount {
      var block = head(of: sizeClass)
      while block != Self.noBlock {
        largest = max(largest, sizeOfBlock(at: block) - Self.headerBytes)
        block = nextFree(of: block)
      }
    }
    return largest
  }

  /// Walks every block and free list and checks the invariants: blocks tile the region, each
  /// header's previous size matches, no two free blocks touch, every free block is on the list
  /// of its class and nothing else is. For tests and debug builds; O(blocks).
  public func checkConsistency() -> Bool {
    var block = firstBlock
    var previousSize = 0
    var previousIsFree = false
    var freeBlocks = 0
    var inUseBytes = 0
    while block < end {
      let size = sizeOfBlock(at: block)
      guard size >= Self.minimumBlockBytes, size % 16 == 0, block + size <= end else {
        return false
      }
      guard previousSizeOfBlock(at: block) == previousSize else { return false }
      if isInUse(block) {
        inUseBytes += size
        previousIsFree = false
      } else {
        guard !previousIsFree else { return false }
        freeBlocks += 1
        previousIsFree = true
      }
      previousSize = size
      block += size
    }
    guard block == end, inUseBytes == statistics.inUseBytes else { return false }
    var listed = 0
    for sizeClass in 0..<Self.classCount {
      var link = head(of: sizeClass)
      var previous = Self.noBlock
      while link != Self.noBlock {
        guard !isInUse(link), Self.sizeClass(of: sizeOfBlock(at: link)) == sizeClass,
          previousFree(of: link) == previous
        else { return false }
        listed += 1
        guard listed <= freeBlocks else { return false }
        previous = link
        link = nextFree(of: link)
      }
    }
    return listed == freeBlocks
  }

  // MARK: - Finding and splitting

  /// The first block large enough, from the needed size's own class up. The own class (and
  /// the last, open-ended one) hold smaller blocks too; in the others the first block fits.
  private func findFree(atLeast needed: Int) -> Int? {
    for sizeClass in Self.sizeClass(of: needed)..<Self.classCount {
      var block = head(of: sizeClass)
      while block != Self.noBlock {
        if sizeOfBlock(at: block) >= needed { return block }
        block = nextFree(of: block)
      }
    }
    return nil
  }

  /// Moves `block`'s start so its payload is aligned, returning the leading part to the free
  /// lists. `block` is off the lists; so is the result.
  private mutating func splitForAlignment(_ block: Int, alignment: Int) -> Int {
    let payload = Int(bitPattern: base) + block + Self.headerBytes
    var aligned = (payload + alignment - 1) & ~(alignment - 1)
    while aligned != payload && aligned - payload < Self.minimumBlockBytes { aligned += alignment }
    let lead = aligned - payload
    guard lead > 0 else { return block }
    let size = sizeOfBlock(at: block)
    assert(lead + Self.minimumBlockBytes <= size)
    let previousSize = previousSizeOfBlock(at: block)
    writeHeader(at: block, size: lead, isInUse: false, previousSize: previousSize)
    insertFree(block)
    let moved = block + lead
    writeHeader(at: moved, size: size - lead, isInUse: false, previousSize: lead)
    if moved + size - lead < end { setPreviousSize(of: moved + size - lead, to: size - lead) }
    return moved
  }

  /// Cuts what `block` does not need off its end as a free block, if that is at least a minimal
  /// block. `block` is off the lists.
  private mutating func splitTail(of block: Int, keeping needed: Int) {
    let size = sizeOfBlock(at: block)
    assert(size >= needed)
    guard size - needed >= Self.minimumBlockBytes else { return }
    let tail = block + needed
    writeHeader(
      at: block, size: needed, isInUse: false, previousSize: previousSizeOfBlock(at: block))
    writeHeader(at: tail, size: size - needed, isInUse: false, previousSize: needed)
    if tail + size - needed < end { setPreviousSize(of: tail + size - needed, to: size - needed) }
    insertFree(tail)
  }

  // MARK: - Free lists

  private mutating func insertFree(_ block: Int) {
    let sizeClass = Self.sizeClass(of: sizeOfBlock(at: block))
    let first = head(of: sizeClass)
    setLinks(of: block, next: first, previous: Self.noBlock)
    if first != Self.noBlock { setLinks(of: first, next: nextFree(of: first), previous: block) }
    setHead(of: sizeClass, to: block)
  }

  private mutating func removeFree(_ block: Int) {
    let next = nextFree(of: block)
    let previous = previousFree(of: block)
    if previous == Self.noBlock {
      setHead(of: Self.sizeClass(of: sizeOfBlock(at: block)), to: next)
    } else {
      setLinks(of: previous, next: next, previous: previousFree(of: previous))
    }
    if next != Self.noBlock { setLinks(of: next, next: nextFree(of: next), previous: previous) }
  }

  static func sizeClass(of size: Int) -> Int {
    assert(size >= minimumBlockBytes)
    let log2 = Int.bitWidth - 1 - size.leadingZeroBitCount
    return min(log2 - 5, classCount - 1)
  }

  private static func roundUp(_ bytes: Int) -> Int { (bytes + 15) & ~15 }

  // MARK: - Headers and links, as words in the region

  private func word(at offset: Int) -> Int { base.load(fromByteOffset: offset, as: Int.self) }

  private func setWord(at offset: Int, to value: Int) {
    base.storeBytes(of: value, toByteOffset: offset, as: Int.self)
  }

  private func head(of sizeClass: Int) -> Int { word(at: sizeClass * MemoryLayout<Int>.size) }
  private func setHead(of sizeClass: Int, to block: Int) {
    setWord(at: sizeClass * MemoryLayout<Int>.size, to: block)
  }

  private func sizeOfBlock(at block: Int) -> Int { word(at: block) & ~Self.inUseBit }
  private func isInUse(_ block: Int) -> Bool { word(at: block) & Self.inUseBit != 0 }
  private func previousSizeOfBlock(at block: Int) -> Int { word(at: block + 8) }

  private func writeHeader(at block: Int, size: Int, isInUse: Bool, previousSize: Int) {
    setWord(at: block, to: size | (isInUse ? Self.inUseBit : 0))
    setWord(at: block + 8, to: previousSize)
  }

  private func setInUse(_ block: Int, _ isInUse: Bool) {
    setWord(at: block, to: sizeOfBlock(at: block) | (isInUse ? Self.inUseBit : 0))
  }

  private func setPreviousSize(of block: Int, to size: Int) { setWord(at: block + 8, to: size) }

  private func nextFree(of block: Int) -> Int { word(at: block + 16) }
  private func previousFree(of block: Int) -> Int { word(at: block + 24) }
  private func setLinks(of block: Int, next: Int, previous: Int) {
    setWord(at: block + 16, to: next)
    setWord(at: block + 24, to: previous)
  }
}
