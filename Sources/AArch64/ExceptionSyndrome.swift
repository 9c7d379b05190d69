/// What `ESR_EL1` says about an exception taken to EL1, decoded into words for the report the
/// unikernel prints before it halts (Arm Architecture Reference Manual, D24 "ESR_EL1").
public struct ExceptionSyndrome: Equatable, Sendable {
  /// The register's value.
  public let rawValue: UInt64

  /// The syndrome in `rawValue`.
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// The exception class, bits 31:26.
  public var exceptionClass: UInt8 { UInt8(truncatingIfNeeded: (rawValue >> 26) & 0x3F) }

  /// The instruction-specific syndrome, bits 24:0.
  public var instructionSpecificSyndrome: UInt32 {
    UInt32(truncatingIfNeeded: rawValue & 0x1FF_FFFF)
  }

  /// Whether the fault address register (`FAR_EL1`) holds the faulting address.
  public var hasFaultAddress: Bool {
    switch exceptionClass {
    case 0x20, 0x21, 0x22, 0x24, 0x25, 0x26: return true
    default: return false
    }
  }

  /// The exception class in words. (Static strings, so that a fault report never allocates.)
  public var classDescription: StaticString {
    switch exceptionClass {
    case 0x00: return "unknown reason (an undefined instruction)"
    case 0x01: return "WFI or WFE trapped"
    case 0x07: return "SIMD or floating point access trapped (FP not enabled?)"
    case 0x0E: return "illegal execution state"
    case 0x15: return "SVC instruction"
    case 0x18: return "MSR, MRS or system instruction trapped"
    case 0x20: return "instruction abort from a lower exception level"
    case 0x21: return "instruction abort"
    case 0x22: return "PC alignment fault"
    case 0x24: return "data abort from a lower exception level"
    case 0x25: return "data abort"
    case 0x26: return "SP alignment fault"
    case 0x2F: return "SError interrupt"
    case 0x30, 0x31: return "breakpoint"
    case 0x32, 0x33: return "software step"
    case 0x34, 0x35: return "watchpoint"
    case 0x3C: return "BRK instruction (a Swift runtime trap)"
    default: return "an exception class Loam does not name (see ESR)"
    }
  }

  /// For an instruction or data abort, the kind of fault in its fault status code (bits 5:0);
  /// nil for other classes. `faultLevel` says at which level of the table walk.
  public var faultStatusDescription: StaticString? {
    guard
      (0x20...0x25).contains(exceptionClass) && exceptionClass != 0x22
        && exceptionClass != 0x23
    else { return nil }
    switch faultStatusCode {
    case 0x00...0x03: return "address size fault"
    case 0x04...0x07: return "translation fault"
    case 0x09...0x0B: return "access flag fault"
    case 0x0D...0x0F: return "permission fault"
    case 0x10: return "synchronous external abort"
    case 0x21: return "alignment fault"
    case 0x30: return "TLB conflict abort"
    default: return "a fault status Loam does not name (see ESR)"
    }
  }

  /// For an address size, translation, access flag or permission fault, the level of the
  /// translation table walk at which it happened; nil otherwise.
  public var faultLevel: Int? {
    guard faultStatusDescription != nil else { return nil }
    switch faultStatusCode {
    case 0x00...0x07, 0x09...0x0B, 0x0D...0x0F: return Int(faultStatusCode & 0b11)
    default: return nil
    }
  }

  private var faultStatusCode: UInt32 { instructionSpecificSyndrome & 0x3F }

  /// For a data abort, whether the access was a write (WnR, bit 6); nil for other classes.
  public var isWrite: Bool? {
    guard exceptionClass == 0x24 || exceptionClass == 0x25 else { return nil }
    return instructionSpecificSyndrome & (1 << 6) != 0
  }
}
