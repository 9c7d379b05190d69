import BareMetalSupport
import BoardSupport

/// Random numbers from the processor itself: the Armv8.5 RNDR instruction, backed by a true
/// random source. QEMU's `-cpu max` has it (from the host's entropy); the Cortex-A53 and A72
/// of the Raspberry Pis 3 and 4 do not, and use the SoC's RNG instead.
public struct ProcessorRandomNumbers: EntropySource {
  /// Whether this processor implements RNDR (ID_AA64ISAR0_EL1.RNDR, bits 63:60).
  public static var isAvailable: Bool { loam_read_id_aa64isar0_el1() >> 60 != 0 }

  /// The processor's generator, which must be available.
  public init() { precondition(Self.isAvailable, "RNDR is not implemented on this processor") }

  /// 32 of a 64-bit random number's bits, retrying while the source has none ready (bounded:
  /// a source that never has entropy is broken, not something to wait on forever).
  public func nextWord() -> UInt32? {
    for _ in 0..<1000 {
      var succeeded: CInt = 0
      let value = loam_read_random_number(&succeeded)
      if succeeded != 0 { return UInt32(truncatingIfNeeded: value) }
    }
    return nil
  }
}
