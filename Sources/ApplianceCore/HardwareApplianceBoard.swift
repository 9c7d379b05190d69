import ApplianceProfiles
import BoardSupport
import Time

/// A board with real chips: the profile's chips on an I2C bus, sampled by the profile's
/// `SamplingPlan`, and the profile's GPIO roles on the board's GPIO chip. A Raspberry Pi under
/// Linux has `LinuxI2CBus` (i2c-dev) and `LinuxGPIOChip` (libgpiod); a bare-metal Pi has the
/// SoC's BSC controller and GPIO registers.
public final class HardwareApplianceBoard<Bus: I2CBus, Chip: GPIOChip>: ApplianceBoard {
  public let name: String
  public let chips: [(address: I2CAddress, name: String)]
  private var bus: Bus
  private var scheduler: SamplingScheduler
  private var lines: RoleLines<Chip>?

  /// Board `name`, sampling `plan` on `bus` from `start`, with `lines` for the profile's roles
  /// (nil if it has none).
  public init(name: String, bus: Bus, plan: SamplingPlan, lines: RoleLines<Chip>?, start: Instant) {
    self.name = name
    self.bus = bus
    chips = plan.chips.map { ($0.chip.address, $0.chip.chipName) }
    scheduler = plan.scheduler(start: start)
    self.lines = lines
  }

  public var deadline: Instant { scheduler.deadline }

  public func poll(now: Instant) -> [SamplingScheduler.Event] {
    scheduler.poll(on: &bus, now: now)
  }

  public func restartSampling(at now: Instant) {
    scheduler.restart(at: now)
  }

  public func drive(_ role: GPIORole, to level: GPIOLevel, now: Instant) throws(GPIOError) {
    guard lines != nil else { preconditionFailure("the profile has no GPIO roles") }
    try lines!.drive(role, to: level)
  }
}
