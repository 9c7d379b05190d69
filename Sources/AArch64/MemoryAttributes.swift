/// The values the MMU's control registers get, with the bits named (Arm Architecture Reference
/// Manual for A-profile, D8 "The AArch64 Virtual Memory System Architecture").
///
/// Loam's unikernels use one translation regime: EL1, TTBR0 only, 4 KiB granule, 39-bit
/// virtual addresses (a walk starts at level 1, where each entry covers 1 GiB), identity mapped.
public enum MemoryAttributes {
  /// `MAIR_EL1` attribute index of normal memory: inner and outer write-back, read- and
  /// write-allocate (0xFF).
  public static let normalIndex: UInt64 = 0
  /// `MAIR_EL1` attribute index of device memory: Device-nGnRE (0x04).
  public static let deviceIndex: UInt64 = 1

  /// `MAIR_EL1`: attribute 0 is normal write-back memory, attribute 1 is Device-nGnRE.
  public static let memoryAttributeIndirection: UInt64 = 0xFF | (0x04 << 8)

  /// Bits of virtual address the tables translate: 39, so T0SZ is 64 - 39.
  public static let virtualAddressBits: UInt64 = 39

  /// `TCR_EL1` for TTBR0 walks of `virtualAddressBits`, with 4 KiB pages, table walks through
  /// write-back inner-shareable memory, TTBR1 walks disabled, and `physicalAddressSizeCode`
  /// (ID_AA64MMFR0_EL1.PARange, 0 for 32 bits up to 6 for 52) as the output size.
  public static func translationControl(physicalAddressSizeCode: UInt64) -> UInt64 {
    precondition(physicalAddressSizeCode <= 6, "PARange above 52 bits is reserved")
    let sizeOffset = 64 - virtualAddressBits  // T0SZ, bits 5:0
    let innerWriteBack: UInt64 = 0b01 << 8  // IRGN0
    let outerWriteBack: UInt64 = 0b01 << 10  // ORGN0
    let innerShareable: UInt64 = 0b11 << 12  // SH0
    let granule4KiB: UInt64 = 0b00 << 14  // TG0
    let disableTTBR1Walks: UInt64 = 1 << 23  // EPD1
    let physicalSize = physicalAddressSizeCode << 32  // IPS
    return sizeOffset | innerWriteBack | outerWriteBack | innerShareable | granule4KiB
      | disableTTBR1Walks | physicalSize
  }

  /// `SCTLR_EL1` bits the unikernel sets: the MMU (M, bit 0), data caches (C, bit 2) and
  /// instruction caches (I, bit 12). Alignment checking (A, bit 1) stays off: Swift's code
  /// makes unaligned accesses to normal memory, which the architecture allows.
  public static let systemControlEnableBits: UInt64 = (1 << 0) | (1 << 2) | (1 << 12)
  /// `SCTLR_EL1` bits the unikernel clears: alignment checking (A, bit 1), and the EE (bit 25)
  /// and E0E (bit 24) big-endian bits.
  public static let systemControlDisableBits: UInt64 = (1 << 1) | (1 << 24) | (1 << 25)
}
