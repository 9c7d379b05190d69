/// Writes identity-mapping translation tables for a board's memory regions into memory the
/// caller sets aside (page-aligned, 4 KiB a table).
///
/// A level-1 table maps 1 GiB an entry; a gigabyte that one region covers whole becomes a
/// single block entry, and one that regions share gets a level-2 table of 2 MiB blocks. No
/// finer pages are used, so a Raspberry Pi 4's map (RAM, then peripherals from 0xFC000000)
/// needs one level-1 table and one level-2 table.
///
/// It runs before the MMU is on, when every access is to Device memory and Swift's reference
/// counting is not yet safe, so it holds raw pointers only and never allocates.
public struct TranslationTableWriter {
  /// Entries in a table of the 4 KiB granule.
  public static let entriesPerTable = 512
  /// Bytes a level-1 entry maps.
  public static let gigabyte: UInt64 = 1 << 30
  /// Bytes a level-2 entry maps: the finest block the writer uses.
  public static let blockBytes: UInt64 = 2 << 20

  private let level1: UnsafeMutablePointer<UInt64>
  private let spareTables: UnsafeMutablePointer<UInt64>
  private let spareTableCount: Int
  /// Level-2 tables handed out so far.
  public private(set) var usedSpareTables = 0

  /// A writer filling `level1` (one table) and taking level-2 tables from `spareTables`
  /// (`spareTableCount` tables, one after another). Every entry starts invalid.
  public init(
    level1: UnsafeMutablePointer<UInt64>, spareTables: UnsafeMutablePointer<UInt64>,
    spareTableCount: Int
  ) {
    precondition(UInt(bitPattern: level1) % 4096 == 0, "a translation table is 4 KiB aligned")
    precondition(UInt(bitPattern: spareTables) % 4096 == 0, "a translation table is 4 KiB aligned")
    precondition(spareTableCount >= 0)
    self.level1 = level1
    self.spareTables = spareTables
    self.spareTableCount = spareTableCount
    level1.update(repeating: 0, count: Self.entriesPerTable)
  }

  /// Maps `region` one to one. Regions must not overlap and must lie below 512 GiB.
  public mutating func map(_ region: MemoryRegion) {
    precondition(
      region.end <= UInt64(Self.entriesPerTable) * Self.gigabyte,
      "a region beyond the 39-bit address space")
    var address = region.start
    while address < region.end {
      let index = Int(address / Self.gigabyte)
      let gigabyteStart = UInt64(index) * Self.gigabyte
      if address == gigabyteStart && region.end - address >= Self.gigabyte
        && level1[index] == 0
      {
        level1[index] = Self.blockDescriptor(address: address, kind: region.kind)
        address += Self.gigabyte
        continue
      }
      let level2 = level2Table(at: index)
      let stop = min(region.end, gigabyteStart + Self.gigabyte)
      while address < stop {
        let entry = Int((address - gigabyteStart) / Self.blockBytes)
        precondition(level2[entry] == 0, "memory regions overlap")
        level2[entry] = Self.blockDescriptor(address: address, kind: region.kind)
        address += Self.blockBytes
      }
    }
    assert(address == region.end)
  }

  /// The level-2 table under level-1 entry `index`, made now if there is none yet.
  private mutating func level2Table(at index: Int) -> UnsafeMutablePointer<UInt64> {
    let entry = level1[index]
    if entry & 0b11 == Self.tableType {
      return UnsafeMutablePointer(bitPattern: UInt(entry & Self.outputAddressMask))!
    }
    precondition(entry == 0, "memory regions overlap")
    precondition(usedSpareTables < spareTableCount, "too few level-2 tables for this memory map")
    let table = spareTables + usedSpareTables * Self.entriesPerTable
    usedSpareTables += 1
    table.update(repeating: 0, count: Self.entriesPerTable)
    level1[index] = UInt64(UInt(bitPattern: table)) | Self.tableType
    return table
  }

  // MARK: - Descriptor bits (level 1 and 2 of the 4 KiB granule)

  /// Bits 1:0 of a block entry.
  static let blockType: UInt64 = 0b01
  /// Bits 1:0 of a table entry.
  static let tableType: UInt64 = 0b11
  /// The output address of an entry, bits 47:12.
  static let outputAddressMask: UInt64 = 0x0000_FFFF_FFFF_F000

  /// A block entry mapping the block at `address` as `kind` memory, readable and writable at
  /// EL1 only.
  public static func blockDescriptor(address: UInt64, kind: MemoryRegion.Kind) -> UInt64 {
    precondition(address % blockBytes == 0, "a block address is 2 MiB aligned")
    let accessFlag: UInt64 = 1 << 10  // AF: set, or the first access faults
    let innerShareable: UInt64 = 0b11 << 8  // SH
    let privilegedExecuteNever: UInt64 = 1 << 53  // PXN
    let unprivilegedExecuteNever: UInt64 = 1 << 54  // UXN
    // AP (bits 7:6) = 0b00: read/write at EL1, no access at EL0.
    var descriptor = address | blockType | accessFlag | unprivilegedExecuteNever
    switch kind {
    case .normal:
      descriptor |= MemoryAttributes.normalIndex << 2 | innerShareable
    case .device:
      descriptor |= MemoryAttributes.deviceIndex << 2 | privilegedExecuteNever
    }
    return descriptor
  }
}
