import ApplianceCore
import BoardSupport
import LinuxHardware
import Time

/// A Raspberry Pi running Linux: the profile's chips on a real I2C bus, `/dev/i2c-N` through
/// i2c-dev (`LinuxI2CBus`), sampled by the profile's `SamplingPlan`.
///
/// Not yet run on a real Pi: what is verified of `LinuxI2CBus` is in the README.
final class LinuxApplianceBoard: ApplianceBoard {
  let name: String
  let chips: [(address: I2CAddress, name: String)]
  private var bus: LinuxI2CBus
  private var scheduler: SamplingScheduler

  /// Opens I2C bus `busNumber` of board `name`; throws with what a Pi owner can do if it is
  /// missing or not theirs to open.
  init(name: String, busNumber: Int, plan: SamplingPlan, start: Instant) throws(LinuxI2CBusError) {
    self.name = name
    bus = try LinuxI2CBus(busNumber: busNumber)
    chips = plan.chips.map { ($0.chip.address, $0.chip.chipName) }
    scheduler = plan.scheduler(start: start)
  }

  var deadline: Instant { scheduler.deadline }

  func poll(now: Instant) -> [SamplingScheduler.Event] {
    scheduler.poll(on: &bus, now: now)
  }
}
