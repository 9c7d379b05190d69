import AArch64
import BareMetalSupport

/// Turns on the MMU and the caches with an identity map of the board's memory regions, before
/// any Swift code that allocates or counts references runs.
///
/// With the MMU off every access is a Device access: no caches, and unaligned or exclusive
/// accesses fault on real hardware. Swift's runtime makes both (its reference counts are
/// updated with exclusive loads and stores), so this is the first thing `loam_main` does.
public enum MMU {
  /// Builds the tables in the linker script's `__translation_tables` area and enables
  /// translation, data and instruction caches. Returns the level-2 tables used.
  public static func enable(mapping regions: UnsafeBufferPointer<MemoryRegion>) -> Int {
    precondition(loam_read_sctlr_el1() & 1 == 0, "the MMU is already on")
    let tablesStart = loam_translation_tables_start()
    let tableBytes = UInt(TranslationTableWriter.entriesPerTable * 8)
    let tableCount = Int((loam_translation_tables_end() - tablesStart) / tableBytes)
    precondition(tableCount >= 2, "the linker script sets aside too little for the tables")
    let level1 = UnsafeMutablePointer<UInt64>(bitPattern: tablesStart)!
    var writer = TranslationTableWriter(
      level1: level1, spareTables: level1 + 512, spareTableCount: tableCount - 1)
    for index in 0..<regions.count { writer.map(regions[index]) }

    // What is in the caches from before reset must not be hit once they are on.
    loam_invalidate_data_caches()
    loam_invalidate_instruction_cache()
    loam_write_mair_el1(MemoryAttributes.memoryAttributeIndirection)
    let physicalAddressSize = loam_read_id_aa64mmfr0_el1() & 0xF
    loam_write_tcr_el1(
      MemoryAttributes.translationControl(physicalAddressSizeCode: min(physicalAddressSize, 6)))
    loam_write_ttbr0_el1(UInt64(UInt(bitPattern: level1)))
    loam_data_synchronization_barrier()
    loam_invalidate_tlbs()
    var control = loam_read_sctlr_el1()
    control &= ~MemoryAttributes.systemControlDisableBits
    control |= MemoryAttributes.systemControlEnableBits
    loam_write_sctlr_el1(control)
    loam_instruction_barrier()
    assert(loam_read_sctlr_el1() & 1 == 1)
    return writer.usedSpareTables
  }
}
