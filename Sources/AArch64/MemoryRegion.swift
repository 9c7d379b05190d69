/// A range of physical addresses and what sits there, as a board's memory map lists it:
/// RAM, or device registers. The unikernel maps each region one to one (virtual address equals
/// physical) with the memory type its kind needs.
public struct MemoryRegion: Equatable, Sendable {
  /// What the addresses hold, which decides how the CPU may access them.
  public enum Kind: Equatable, Sendable {
    /// RAM: cached (write-back), shareable, executable. Unaligned and exclusive accesses,
    /// which Swift's code and reference counting make, are allowed only on such memory.
    case normal
    /// Device registers: uncached, accesses neither merged, reordered nor speculated
    /// (Device-nGnRE), never executable.
    case device
  }

  /// The first address.
  public let start: UInt64
  /// The length in bytes.
  public let byteCount: UInt64
  /// What the addresses hold.
  public let kind: Kind

  /// A region of `byteCount` bytes from `start`; both are multiples of the 2 MiB that the
  /// translation tables map at the finest (`TranslationTableWriter.blockBytes`).
  public init(start: UInt64, byteCount: UInt64, kind: Kind) {
    precondition(byteCount > 0, "an empty memory region")
    precondition(
      start % TranslationTableWriter.blockBytes == 0
        && byteCount % TranslationTableWriter.blockBytes == 0,
      "memory regions are mapped in 2 MiB blocks")
    self.start = start
    self.byteCount = byteCount
    self.kind = kind
  }

  /// The address just past the region.
  public var end: UInt64 { start + byteCount }
}
