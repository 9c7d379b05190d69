import BoardSupport

/// The RNG200 hardware random number generator of the BCM2711 (Raspberry Pi 4): a noise source
/// behind a FIFO of 32-bit words.
///
/// Register facts from the documented behaviour of the Linux and NetBSD drivers (Broadcom
/// publishes no datasheet for it): RNG_CTRL at 0x00 (bits 12:0 RBGEN, 1 enables), RNG_SOFT_RESET
/// at 0x04 and RBG_SOFT_RESET at 0x08 (1 then 0 resets), RNG_INT_STATUS at 0x18 (bit 31 the
/// master failure lockout), RNG_FIFO_DATA at 0x20, RNG_FIFO_COUNT at 0x24 (bits 7:0 the words
/// ready). QEMU 10 does not model it, so this driver is tested only against a register model.
public struct RNG200<Registers: RegisterBlock>: EntropySource {
  private let registers: Registers

  /// The generator at `registers`, reset and enabled if it is not running.
  public init(registers: Registers) {
    self.registers = registers
    if registers.read(RNG200Register.control) & RNG200Register.enableMask == 0 {
      registers.write(RNG200Register.generatorSoftReset, 1)
      registers.write(RNG200Register.generatorSoftReset, 0)
      registers.write(RNG200Register.softReset, 1)
      registers.write(RNG200Register.softReset, 0)
      registers.write(RNG200Register.control, 1)
    }
  }

  /// The next 32 random bits, or nil when the generator is locked out after a failure or
  /// produced nothing in time.
  public func nextWord() -> UInt32? {
    for _ in 0..<RNG200Register.maximumPolls {
      if registers.read(RNG200Register.interruptStatus) & RNG200Register.lockout != 0 {
        return nil
      }
      if registers.read(RNG200Register.fifoCount) & 0xFF != 0 {
        return registers.read(RNG200Register.fifoData)
      }
    }
    return nil
  }
}

/// Registers and constants (outside the generic type, which cannot hold static stored
/// properties).
enum RNG200Register {
  static let control = 0x00
  static let softReset = 0x04
  static let generatorSoftReset = 0x08
  static let interruptStatus = 0x18
  static let fifoData = 0x20
  static let fifoCount = 0x24
  static let enableMask: UInt32 = 0x1FFF
  static let lockout: UInt32 = 1 << 31
  /// Status reads before the generator counts as silent: it fills its FIFO in microseconds.
  static let maximumPolls = 100_000
}
