/// What a `HeapAllocator` has given out, for the appliance's health report and for the report
/// printed when memory runs out.
public struct HeapStatistics: Equatable, Sendable {
  /// Bytes the heap can hand out in blocks, headers included.
  public let capacityBytes: Int
  /// Bytes of blocks in use now, headers included.
  public internal(set) var inUseBytes = 0
  /// The most bytes in use at any one time.
  public internal(set) var peakInUseBytes = 0
  /// Blocks in use now.
  public internal(set) var inUseBlocks = 0
  /// Allocations since start.
  public internal(set) var allocations = 0
  /// Allocations refused because no free block was large enough.
  public internal(set) var failedAllocations = 0

  init(capacityBytes: Int) {
    precondition(capacityBytes > 0)
    self.capacityBytes = capacityBytes
  }

  mutating func recordAllocation(bytes: Int) {
    inUseBytes += bytes
    inUseBlocks += 1
    allocations += 1
    peakInUseBytes = max(peakInUseBytes, inUseBytes)
    assert(inUseBytes <= capacityBytes)
  }

  mutating func recordRelease(bytes: Int) {
    assert(inUseBytes >= bytes && inUseBlocks > 0)
    inUseBytes -= bytes
    inUseBlocks -= 1
  }
}
