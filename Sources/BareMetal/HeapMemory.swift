import BareMetalSupport
import Heap

/// The unikernel's heap: the memory from the end of the image to the stack's guard, under
/// Embedded Swift's `posix_memalign` and `free` (`libc.c` forwards them here).
///
/// There is one core and no interrupt handler, so nothing can enter the allocator twice.
public enum HeapMemory {
  nonisolated(unsafe) private static var allocator = HeapAllocator(
    region: UnsafeMutableRawBufferPointer(
      start: UnsafeMutableRawPointer(bitPattern: loam_heap_start()),
      count: Int(loam_heap_end() - loam_heap_start())))

  /// What the heap has handed out so far.
  public static var statistics: HeapStatistics { allocator.statistics }

  /// The largest block that an allocation could get now.
  public static var largestFreeBlockBytes: Int { allocator.largestFreeBlockBytes }

  /// Memory for a device to share (a mailbox buffer, virtqueues): `byteCount` bytes at a
  /// multiple of `alignment`, never freed. Running out here, at start, is a fault.
  public static func allocateForDevice(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    guard let pointer = allocate(byteCount: byteCount, alignment: alignment) else {
      fatalError("no memory for a device buffer")
    }
    return pointer
  }

  static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer? {
    if let pointer = allocator.allocate(byteCount: byteCount, alignment: alignment) {
      return pointer
    }
    reportExhaustion(byteCount: byteCount)
    return nil
  }

  static func free(_ pointer: UnsafeMutableRawPointer) { allocator.deallocate(pointer) }

  /// Swift cannot go on when an allocation fails, so say why before it traps.
  private static func reportExhaustion(byteCount: Int) {
    let statistics = allocator.statistics
    Console.write("\n*** Loam unikernel: out of memory, asked for ")
    Console.writeDecimal(UInt64(byteCount))
    Console.write(" bytes\n  heap ")
    Console.writeDecimal(UInt64(statistics.capacityBytes))
    Console.write(" bytes, in use ")
    Console.writeDecimal(UInt64(statistics.inUseBytes))
    Console.write(" in ")
    Console.writeDecimal(UInt64(statistics.inUseBlocks))
    Console.write(" blocks, largest free block ")
    Console.writeDecimal(UInt64(allocator.largestFreeBlockBytes))
    Console.write("\n")
  }
}

@_cdecl("loam_allocate")
func loamAllocate(_ byteCount: Int, _ alignment: Int) -> UnsafeMutableRawPointer? {
  HeapMemory.allocate(byteCount: byteCount, alignment: alignment)
}

@_cdecl("loam_free")
func loamFree(_ pointer: UnsafeMutableRawPointer) { HeapMemory.free(pointer) }
