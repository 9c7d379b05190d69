import BareMetalSupport
import BoardSupport

/// The barrier drivers that share memory with a device need (`dmb sy`): every access before it
/// is observed by the device before any access after it, and the compiler moves none across.
public struct DataMemoryBarrier: MemoryBarrier {
  /// The barrier.
  public init() {}

  public func orderMemoryAccesses() { loam_data_memory_barrier() }
}
