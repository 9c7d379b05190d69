import AArch64
import BareMetal
import BareMetalSupport
import BoardSupport
import BroadcomPeripherals

/// A Raspberry Pi brought up for Loam: MMU and caches on, the PL011 console on the header's
/// GPIO14/15, the timer able to wake the core from `WFI`, and the peripherals the appliance
/// uses: GPIO, the header's I2C bus (BSC1), the firmware's mailbox, the system timer and, on
/// the BCM2837, the hardware RNG.
public final class RaspberryPiMachine {
  /// Where things are on this SoC.
  public let layout: RaspberryPiLayout
  /// The GPIO controller (lines by BCM number).
  public var gpio: BroadcomGPIO<DeviceRegisters>
  /// The I2C bus on header pins 3 (SDA, GPIO2) and 5 (SCL, GPIO3).
  public var headerI2C: BroadcomI2CController<DeviceRegisters>
  /// The VideoCore firmware's property mailbox.
  public let mailbox: PropertyMailbox<DeviceRegisters>
  /// The 1 MHz system timer.
  public let systemTimer: BroadcomSystemTimer<DeviceRegisters>
  /// A word from the SoC's random number generator for the board report: the BCM2835's on a
  /// Pi 3; nil on a Pi 4, whose RNG200 is left alone until `Entropy` needs it.
  public let randomNumber: () -> UInt32?
  /// What the firmware said about the board.
  public private(set) var information = RaspberryPiInformation()
  private let gic: GICv2?

  /// The UART's reference clock, as `init_uart_clock=48000000` in the image's config.txt sets.
  static let uartClockHertz: UInt32 = 48_000_000
  /// The core clock to assume if the firmware does not say (a Pi 3's default).
  static let defaultCoreClockHertz: UInt32 = 250_000_000

  /// Brings the Pi up. Runs first in `loam_main`, with the MMU still off.
  public init(layout: RaspberryPiLayout) {
    self.layout = layout
    let base = layout.peripheralBase
    func registers(_ offset: UInt) -> DeviceRegisters {
      DeviceRegisters(baseAddress: base + offset)
    }
    // The console first, so that a fault while the MMU goes on is reported. GPIO14/15 are
    // handed to the PL011 (alternate 0) whatever the firmware's config chose.
    gpio = BroadcomGPIO(
      registers: registers(RaspberryPiLayout.gpioOffset), lineCount: layout.gpioLineCount,
      pullControl: layout.usesDirectPullControl ? .direct : .clocked)
    gpio.selectFunction(.alternate0, for: 14)
    gpio.selectFunction(.alternate0, for: 15)
    let uart = PL011UART(baseAddress: base + RaspberryPiLayout.uartOffset)
    uart.configure(clockHertz: Self.uartClockHertz, baudRate: 115_200)
    Console.attach(uart)
    Self.enableMMU(layout: layout)

    switch layout.timerInterrupt {
    case .localController(let address):
      // Bit 1: the non-secure physical timer's interrupt goes to core 0 as an IRQ.
      DeviceRegisters(baseAddress: address).write(0, 1 << 1)
      gic = nil
    case .gic(let distributor, let cpuInterface):
      let controller = GICv2(distributorAddress: distributor, cpuInterfaceAddress: cpuInterface)
      controller.enable()
      controller.enableInterrupt(GICv2.physicalTimerInterrupt)
      gic = controller
    }

    systemTimer = BroadcomSystemTimer(registers: registers(RaspberryPiLayout.systemTimerOffset))
    // The generator is started when randomness is first asked for, not before: QEMU's raspi4b
    // has no RNG200, and reading where it should be is an external abort there.
    let generatorRegisters = DeviceRegisters(
      baseAddress: base + RaspberryPiLayout.randomNumberGeneratorOffset)
    if layout.hasBCM2835RandomNumberGenerator {
      let generator = BroadcomRandomNumberGenerator(registers: generatorRegisters)
      randomNumber = { generator.nextWord() }
      Entropy.use(generator)
    } else {
      let generator = LazyEntropySource { RNG200(registers: generatorRegisters) }
      randomNumber = { nil }
      Entropy.use(generator)
    }
    let buffer = UnsafeMutableRawPointer(
      HeapMemory.allocateForDevice(byteCount: 256, alignment: 64)
    ).bindMemory(to: UInt32.self, capacity: 64)
    mailbox = PropertyMailbox(
      registers: registers(RaspberryPiLayout.mailboxOffset), buffer: buffer, bufferWords: 64,
      busAddress: busAddress(ofPhysical: UInt(bitPattern: buffer)),
      cleanCache: { Self.cleanAndInvalidate($0) }, invalidateCache: { Self.cleanAndInvalidate($0) })
    information = RaspberryPiInformation(asking: mailbox)

    // The header's I2C pins to BSC1, with the board's pull-ups (the Pi has 1.8 kΩ on them).
    gpio.selectFunction(.alternate0, for: 2)
    gpio.selectFunction(.alternate0, for: 3)
    headerI2C = BroadcomI2CController(
      registers: registers(RaspberryPiLayout.headerI2COffset),
      coreClockHertz: information.coreClockHertz ?? Self.defaultCoreClockHertz)
  }

  /// Acknowledges the interrupts that ended a wait (the GIC's; the local controller's timer
  /// line falls when the timer is disarmed).
  public func acknowledgeInterrupts() { gic?.acknowledgeAll() }

  private static func enableMMU(layout: RaspberryPiLayout) {
    withUnsafeTemporaryAllocation(of: MemoryRegion.self, capacity: 3) { regions in
      regions.initializeElement(
        at: 0, to: MemoryRegion(start: 0, byteCount: layout.ramBytes, kind: .normal))
      regions.initializeElement(at: 1, to: layout.deviceRegions.0)
      var count = 2
      if let local = layout.deviceRegions.1 {
        regions.initializeElement(at: 2, to: local)
        count = 3
      }
      _ = MMU.enable(mapping: UnsafeBufferPointer(rebasing: regions[0..<count]))
    }
  }

  private static func cleanAndInvalidate(_ bytes: UnsafeRawBufferPointer) {
    loam_clean_and_invalidate_data_cache_range(
      UInt(bitPattern: bytes.baseAddress), UInt(bytes.count))
  }
}
