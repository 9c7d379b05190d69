import ApplianceCore
import ApplianceProfiles
import BoardSupport
import LinuxHardware
import Time

/// A Raspberry Pi running Linux: the profile's chips on a real I2C bus, `/dev/i2c-N` through
/// i2c-dev (`LinuxI2CBus`), sampled by the profile's `SamplingPlan`, and the profile's GPIO
/// roles on the board's GPIO chip through libgpiod (`LinuxGPIOChip`).
///
/// Not yet run on a real Pi: what is verified of `LinuxI2CBus` and `LinuxGPIOChip` is in the
/// README.
final class LinuxApplianceBoard: ApplianceBoard {
  let name: String
  let chips: [(address: I2CAddress, name: String)]
  private var bus: LinuxI2CBus
  private var scheduler: SamplingScheduler
  private var lines: RoleLines<LinuxGPIOChip>?

  /// Board `name`, sampling `plan` on `bus` from `start`, with `lines` for the profile's roles
  /// (nil if it has none).
  init(
    name: String, bus: LinuxI2CBus, plan: SamplingPlan, lines: RoleLines<LinuxGPIOChip>?,
    start: Instant
  ) {
    self.name = name
    self.bus = bus
    chips = plan.chips.map { ($0.chip.address, $0.chip.chipName) }
    scheduler = plan.scheduler(start: start)
    self.lines = lines
  }

  var deadline: Instant { scheduler.deadline }

  func poll(now: Instant) -> [SamplingScheduler.Event] {
    scheduler.poll(on: &bus, now: now)
  }

  func restartSampling(at now: Instant) {
    scheduler.restart(at: now)
  }

  func drive(_ role: GPIORole, to level: GPIOLevel, now: Instant) throws(GPIOError) {
    guard lines != nil else { preconditionFailure("the profile has no GPIO roles") }
    try lines!.drive(role, to: level)
  }
}
