import BoardSupport

/// The hardware random number generator of the BCM2835 and BCM2837 (Raspberry Pi 3): a
/// free-running noise source with a FIFO of 32-bit words. (The BCM2711 of the Pi 4 has a
/// different block, the RNG200.)
///
/// Register facts from the documented behaviour of Linux's and the Pi firmware's drivers:
/// RNG_CTRL at 0x0 (bit 0 enables), RNG_STATUS at 0x4 (bits 31:24 count the words ready; a
/// write sets how many initial numbers are discarded while the source warms up), RNG_DATA at 0x8.
public struct BroadcomRandomNumberGenerator<Registers: RegisterBlock>: EntropySource {
  private let registers: Registers

  /// The generator at `registers`, started if it is not running.
  public init(registers: Registers) {
    self.registers = registers
    if registers.read(RandomNumberGenerator2835.control) & 1 == 0 {
      registers.write(RandomNumberGenerator2835.status, RandomNumberGenerator2835.warmUpCount)
      registers.write(RandomNumberGenerator2835.control, 1)
    }
  }

  /// The next 32 random bits, or nil when the generator produced none in time.
  public func nextWord() -> UInt32? {
    for _ in 0..<RandomNumberGenerator2835.maximumPolls {
      if registers.read(RandomNumberGenerator2835.status) >> 24 != 0 {
        return registers.read(RandomNumberGenerator2835.data)
      }
    }
    return nil
  }
}

/// Registers and constants (outside the generic type, which cannot hold static stored
/// properties).
enum RandomNumberGenerator2835 {
  static let control = 0x0
  static let status = 0x4
  static let data = 0x8
  /// Numbers thrown away after enabling, while the noise source settles.
  static let warmUpCount: UInt32 = 0x40000
  /// Status reads before the generator counts as broken.
  static let maximumPolls = 10_000_000
}
