import AArch64

/// Where a Raspberry Pi's SoC puts the devices Loam drives, and how they differ between SoCs.
/// The board folders (`Boards/rpi3b`, `Boards/rpi4b`) pick one.
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

  /// The BCM2837 of the Raspberry Pi 3: peripherals at 0x3F000000, ARM-local block at
  /// 0x40000000.
  public static let bcm2837 = RaspberryPiLayout(
    soc: "BCM2837", peripheralBase: 0x3F00_0000, ramBytes: 0x3C00_0000,
    deviceRegions: (
      MemoryRegion(start: 0x3F00_0000, byteCount: 0x0100_0000, kind: .device),
      MemoryRegion(start: 0x4000_0000, byteCount: 0x0020_0000, kind: .device)
    ),
    gpioLineCount: 54, hasBCM2835RandomNumberGenerator: true, usesDirectPullControl: false,
    timerInterrupt: .localController(0x4000_0040))

  /// The BCM2711 of the Raspberry Pi 4 in its default low-peripheral mode: peripherals at
  /// 0xFE000000 (the block from 0xFC000000), GIC-400 at 0xFF841000.
  public static let bcm2711 = RaspberryPiLayout(
    soc: "BCM2711", peripheralBase: 0xFE00_0000, ramBytes: 0x3C00_0000,
    deviceRegions: (MemoryRegion(start: 0xFC00_0000, byteCount: 0x0400_0000, kind: .device), nil),
    gpioLineCount: 58, hasBCM2835RandomNumberGenerator: false, usesDirectPullControl: true,
    timerInterrupt: .gic(distributor: 0xFF84_1000, cpuInterface: 0xFF84_2000))

  /// Offsets from `peripheralBase` (BCM2835 ARM Peripherals; the BCM2711 keeps them).
  static let systemTimerOffset: UInt = 0x3000
  static let mailboxOffset: UInt = 0xB880
  static let randomNumberGeneratorOffset: UInt = 0x10_4000
  static let gpioOffset: UInt = 0x20_0000
  static let uartOffset: UInt = 0x20_1000
  /// BSC1, the I2C controller on the header's pins 3 and 5 (GPIO2 and GPIO3, alternate 0).
  static let headerI2COffset: UInt = 0x80_4000
}
