import AArch64

/// Where a Raspberry Pi's SoC puts the devices Loam drives, and how they differ between SoCs.
/// The board folders (`Boards/rpi3b/MemoryMap.swift`, `Boards/rpi4b/MemoryMap.swift`) hold
/// each board's.
public struct RaspberryPiLayout {
  /// How the generic timer's interrupt reaches the core to end a `WFI`.
  public enum TimerInterruptRouting {
    /// BCM2836/7 (Pi 3): the ARM-local "core 0 timers interrupt control" register, at this
    /// address, routes the physical timer's interrupt to core 0's IRQ.
    case localController(UInt)
    /// BCM2711 (Pi 4): a GIC-400, distributor and CPU interface at these addresses.
    case gic(distributor: UInt, cpuInterface: UInt)
  }

  /// The SoC's name, for the report.
  public let soc: StaticString
  /// The base of the main peripherals as the ARM sees them.
  public let peripheralBase: UInt
  /// RAM Loam maps as normal memory, from address 0: the ARM's share of the first gigabyte
  /// that every board of the kind has.
  public let ramBytes: UInt64
  /// Device regions: the peripherals and the ARM-local or GIC block.
  public let deviceRegions: (MemoryRegion, MemoryRegion?)
  /// GPIO lines on the SoC.
  public let gpioLineCount: Int
  /// Whether the SoC has the BCM2835's RNG (the BCM2711 has an RNG200 instead, at the same
  /// offset).
  public let hasBCM2835RandomNumberGenerator: Bool
  /// How pulls are set.
  public let usesDirectPullControl: Bool
  /// How the timer wakes the core.
  public let timerInterrupt: TimerInterruptRouting

  /// A layout from its parts; each board's `Boards/<board>/MemoryMap.swift` makes its own.
  public init(
    soc: StaticString, peripheralBase: UInt, ramBytes: UInt64,
    deviceRegions: (MemoryRegion, MemoryRegion?), gpioLineCount: Int,
    hasBCM2835RandomNumberGenerator: Bool, usesDirectPullControl: Bool,
    timerInterrupt: TimerInterruptRouting
  ) {
    precondition(ramBytes > 0 && peripheralBase > 0)
    self.soc = soc
    self.peripheralBase = peripheralBase
    self.ramBytes = ramBytes
    self.deviceRegions = deviceRegions
    self.gpioLineCount = gpioLineCount
    self.hasBCM2835RandomNumberGenerator = hasBCM2835RandomNumberGenerator
    self.usesDirectPullControl = usesDirectPullControl
    self.timerInterrupt = timerInterrupt
  }

  /// Offsets from `peripheralBase` (BCM2835 ARM Peripherals; the BCM2711 keeps them).
  static let systemTimerOffset: UInt = 0x3000
  static let mailboxOffset: UInt = 0xB880
  static let randomNumberGeneratorOffset: UInt = 0x10_4000
  static let gpioOffset: UInt = 0x20_0000
  static let uartOffset: UInt = 0x20_1000
  /// BSC1, the I2C controller on the header's pins 3 and 5 (GPIO2 and GPIO3, alternate 0).
  static let headerI2COffset: UInt = 0x80_4000
}
