import BoardSupport

/// The BCM2835/BCM2711 system timer: a free-running 64-bit counter at 1 MHz, independent of the
/// ARM's clock (BCM2835 ARM Peripherals, chapter 12). Loam's clock is the ARM generic timer;
/// the board report reads this one too, as a second witness that time runs at the right rate.
public struct BroadcomSystemTimer<Registers: RegisterBlock> {
  private let registers: Registers

  /// The timer at `registers`.
  public init(registers: Registers) { self.registers = registers }

  /// Microseconds since the counter started, read so that a carry between the two halves
  /// cannot tear the value: the high half is read again, and a carry (once every 71 minutes)
  /// means a second reading, which cannot see another.
  public var microseconds: UInt64 {
    var high = registers.read(SystemTimerRegister.counterHigh)
    var low = registers.read(SystemTimerRegister.counterLow)
    let highAgain = registers.read(SystemTimerRegister.counterHigh)
    if highAgain != high {
      high = highAgain
      low = registers.read(SystemTimerRegister.counterLow)
    }
    return UInt64(high) << 32 | UInt64(low)
  }
}

/// Register offsets. (Constants live outside the generic type: Swift has no static stored
/// properties in generic types.)
private enum SystemTimerRegister {
  static let counterLow = 0x04  // CLO
  static let counterHigh = 0x08  // CHI
}
