import ApplianceProfiles
import BareMetal
import BoardSupport
import SensorDrivers
import Time

/// What a bare-metal Raspberry Pi image does while it has no network of its own: it reports the
/// board, checks its status LED's GPIO line by reading the level back, and logs the readings of
/// its I2C sensors on the console.
public struct RaspberryPiSensorLogger {
  /// The status LED's line (BCM GPIO4, header pin 7, as `Boards/<pi>/board.json` assigns it).
  public static let statusLEDLine = 4
  /// How often the sensors are read.
  public static let interval = Duration.seconds(2)
  /// Where the firmware loads the image's `appliance.json` (config.txt's `initramfs` line).
  public static let settingsAddress: UInt = 0x0400_0000

  private let machine: RaspberryPiMachine
  private var temperatureSensor = TMP105()
  private var isProbed = false
  private var ledLevel = GPIOLevel.low
  private var nextSample = Instant.zero

  /// A logger on `machine`.
  public init(machine: RaspberryPiMachine) { self.machine = machine }

  /// Brings up the Pi of `layout`, prints `banner` and the board's report, checks the status
  /// LED, then logs the sensors for ever.
  public static func run(layout: RaspberryPiLayout, banner: (GenericTimer) -> Void) -> Never {
    let machine = RaspberryPiMachine(layout: layout)
    let timer = GenericTimer()
    banner(timer)
    var logger = RaspberryPiSensorLogger(machine: machine)
    logger.printReport()
    _ = logger.readSettings()
    logger.checkStatusLED()
    PollLoop.run(timer: timer, acknowledgeInterrupts: machine.acknowledgeInterrupts) {
      logger.poll(now: $0)
    }
  }

  /// The appliance's settings from the image's `appliance.json`, which the firmware loaded
  /// into RAM, or nil (and the reason printed) when there are none.
  public func readSettings() -> ApplianceSettings? {
    let memory = UnsafeRawBufferPointer(
      start: UnsafeRawPointer(bitPattern: Self.settingsAddress),
      count: ApplianceSettings.maximumByteCount)
    do throws(ApplianceSettingsError) {
      let settings = try ApplianceSettings(loadedFile: memory)
      print(
        "  settings (appliance.json): name \(settings.name ?? "-"), app \(settings.app ?? "-"), "
          + "hub \(settings.hub ?? "-")")
      return settings
    } catch {
      print(
        "  settings (appliance.json at \(hexadecimalText(UInt32(Self.settingsAddress)))): \(error)")
      return nil
    }
  }

  /// Prints what the firmware said about the board.
  public func printReport() {
    let information = machine.information
    print("  SoC \(machine.layout.soc)")
    if let revision = information.revision {
      print("  board revision \(hexadecimalText(revision))")
    }
    if let model = information.model { print("  board model \(model)") }
    if let serial = information.serialNumber { print("  serial \(hexadecimalText(serial))") }
    if let mac = information.macAddress {
      print("  MAC \(mac.map { String(hexadecimalText($0).dropFirst(2)) }.joined(separator: ":"))")
    }
    if let memory = information.armMemory {
      print("  ARM memory \(memory.byteCount / (1 << 20)) MiB at \(hexadecimalText(memory.base))")
    }
    if let clock = information.coreClockHertz { print("  core clock \(clock) Hz") }
    print("  system timer \(machine.systemTimer.microseconds) µs since power-on")
    // The Pi 4's RNG200 is left alone until randomness is needed (see RaspberryPiMachine).
    if let random = machine.randomNumber() {
      print("  hardware RNG \(hexadecimalText(random))")
    }
  }

  /// Drives the status LED and reads its line back; logs the level seen.
  public mutating func checkStatusLED() {
    do throws(GPIOError) {
      try machine.gpio.configure(line: Self.statusLEDLine, as: .output(initial: .low))
      for level in [GPIOLevel.high, .low] {
        try machine.gpio.set(line: Self.statusLEDLine, to: level)
        let seen = machine.gpio.readLevel(of: Self.statusLEDLine)
        print("gpio \(Self.statusLEDLine): drove \(level), level register reads \(seen)")
      }
    } catch {
      print("gpio \(Self.statusLEDLine): \(error)")
    }
  }

  /// Reads the sensors when they are due, blinks the LED, and says when to come back.
  public mutating func poll(now: Instant) -> Instant {
    guard now >= nextSample else { return nextSample }
    nextSample = now + Self.interval
    ledLevel = ledLevel == .high ? .low : .high
    try? machine.gpio.set(line: Self.statusLEDLine, to: ledLevel)
    do throws(SensorError) {
      if !isProbed {
        try temperatureSensor.probe(on: &machine.headerI2C, now: now)
        isProbed = true
      }
      switch try temperatureSensor.measureCelsius(on: &machine.headerI2C, now: now) {
      case .wait(let instant): nextSample = instant
      case .done(let celsius):
        print("reading tmp105 at \(TMP105.defaultAddress): \(celsius) °C")
      }
    } catch {
      print("reading tmp105 at \(TMP105.defaultAddress): \(error)")
      isProbed = false
    }
    return nextSample
  }
}
