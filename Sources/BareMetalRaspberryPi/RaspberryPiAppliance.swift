import ApplianceCore
import ApplianceProfiles
import BareMetal
import BoardSupport
import BroadcomPeripherals
import Readings
import Time

/// A sensor appliance on a bare-metal Raspberry Pi, while the Pi has no network of its own: the
/// profile's chips on the header's I2C bus (the BSC controller under the real drivers), sampled
/// by the profile's `SamplingPlan`, with the same `ApplianceSensing` as every other target
/// (alerts, the sensors' power and the pump on the profile's GPIO roles). Its readings go to
/// the console, and its status LED changes state at each turn that brought readings: a
/// blinking LED says the sensors answer, a steady one that they do not.
///
/// Without a network there is no clock either: times count from boot.
public final class RaspberryPiAppliance {
  /// Where the firmware loads the image's `appliance.json` (config.txt's `initramfs` line).
  public static let settingsAddress: UInt = 0x0400_0000

  private let applianceID: String
  private let sensing: ApplianceSensing
  private let hasStatusLED: Bool
  private var statusLEDLevel = GPIOLevel.low
  private var memoryReport = HeapUseReport()

  /// Brings up the Pi of `layout`, prints `banner` and the board's report, checks the status
  /// LED's line, reads the image's settings, and runs the appliance of `configuration` (from
  /// `profileFileName`) for ever.
  public static func run(
    layout: RaspberryPiLayout, banner: (GenericTimer) -> Void,
    configuration: () -> ApplianceConfiguration, profileFileName: String
  ) -> Never {
    let machine = RaspberryPiMachine(layout: layout)
    let timer = GenericTimer()
    banner(timer)
    machine.printReport()
    let configuration = configuration()
    if let line = configuration.board.line(for: .statusLED) { machine.checkOutputLine(line) }
    let settings = readSettings()
    let appliance = RaspberryPiAppliance(
      machine: machine, configuration: configuration, profileFileName: profileFileName,
      settings: settings, now: timer.now)
    PollLoop.run(timer: timer, acknowledgeInterrupts: machine.acknowledgeInterrupts) {
      appliance.poll(now: $0)
    }
  }

  /// The appliance's settings from the image's `appliance.json`, which the firmware loaded
  /// into RAM, or nil (and the reason printed) when there are none.
  private static func readSettings() -> ApplianceSettings? {
    let memory = UnsafeRawBufferPointer(
      start: UnsafeRawPointer(bitPattern: settingsAddress),
      count: ApplianceSettings.maximumByteCount)
    do throws(ApplianceSettingsError) {
      let settings = try ApplianceSettings(loadedFile: memory)
      print(
        "  settings (appliance.json): name \(settings.name ?? "-"), app \(settings.app ?? "-"), "
          + "hub \(settings.hub ?? "-")")
      return settings
    } catch {
      print("  settings (appliance.json at \(hexadecimalText(UInt32(settingsAddress)))): \(error)")
      return nil
    }
  }

  /// The appliance of `configuration` on `machine`, named by `settings` if they name it,
  /// starting at `now`.
  init(
    machine: RaspberryPiMachine, configuration: ApplianceConfiguration, profileFileName: String,
    settings: ApplianceSettings?, now: Instant
  ) {
    let profile = configuration.profile
    applianceID = Self.applianceID(settings: settings, profile: profile)
    print("appliance \(applianceID): \(profile.name) (\(profileFileName))")
    if let app = settings?.app, app != profile.kind {
      print("  appliance.json says app \(app), but this image is a \(profile.kind); sampling that")
    }
    if let hub = settings?.hub {
      print("  hub \(hub): not reached, this board has no network yet; readings go to the console")
    }
    print("  no clock without a network: times count from boot")

    // The configuration was checked against the board, whose only bus is the header's.
    let plan = SamplingPlan(profile: profile)
    var lines: RoleLines<BroadcomGPIO<DeviceRegisters>>?
    do throws(GPIOError) {
      if !profile.gpioRoles.isEmpty {
        lines = try RoleLines(
          chip: machine.gpio, roles: profile.gpioRoles, board: configuration.board)
      }
    } catch {
      print("  the profile's GPIO lines: \(error); the appliance runs without them")
    }
    hasStatusLED = lines != nil && profile.gpioRoles.contains(.statusLED)
    let board = HardwareApplianceBoard(
      name: configuration.board.board, bus: machine.headerI2C, plan: plan, lines: lines,
      start: now)
    let chips = board.chips.map { "\($0.name) at \($0.address)" }.joined(separator: ", ")
    print("  sensors: \(chips) on the header's I2C bus")
    sensing = ApplianceSensing(
      applianceID: applianceID, board: board,
      control: ApplianceControl(profile: profile, plan: plan, now: now),
      roles: lines == nil ? [] : profile.gpioRoles
    ) { print($0) }
    sensing.start(now: now)
  }

  /// Runs what is due and prints the readings; returns when to come back.
  func poll(now: Instant) -> Instant {
    let time = UTCTime(millisecondsSinceEpoch: now.duration(since: .zero).millisecondsClamped)
    var hasReadings = false
    for case .sampled(_, let values) in sensing.poll(now: now, time: time) {
      for value in values {
        print(value.consoleLine(ofAppliance: applianceID))
        hasReadings = true
      }
    }
    if hasReadings && hasStatusLED {
      statusLEDLevel = statusLEDLevel == .high ? .low : .high
      try? sensing.board.drive(.statusLED, to: statusLEDLevel, now: now)
    }
    memoryReport.printIfDue(now: now)
    return min(sensing.deadline, memoryReport.deadline)
  }

  /// The settings' name if it is a valid id, else the profile's kind.
  private static func applianceID(settings: ApplianceSettings?, profile: SensorProfile) -> String {
    guard let name = settings?.name else { return profile.kind }
    guard Identifier.isValid(name) else {
      print(
        "  appliance.json's name \(name) is not an id (a-z, 0-9, '.', '_', '-'); using \(profile.kind)"
      )
      return profile.kind
    }
    return name
  }
}
