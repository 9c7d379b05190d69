/// Orders the processor's memory accesses as a device that shares memory with it observes them:
/// the barrier between writing a DMA descriptor and publishing it, or between reading a device's
/// index and reading what it indexes.
///
/// Drivers are generic over this protocol because the portable core cannot emit the
/// instruction. On bare-metal aarch64 the conforming type issues `dmb sy` (or `dmb osh`), which
/// orders ordinary memory against device registers too, from an opaque call or an `asm volatile`
/// with a memory clobber, so that the compiler does not move accesses across it either. A host
/// test whose simulated device runs on the same thread needs nothing.
public protocol MemoryBarrier {
  /// Returns once every load and store before the call is observable by devices before any load
  /// or store after it.
  func orderMemoryAccesses()
}
