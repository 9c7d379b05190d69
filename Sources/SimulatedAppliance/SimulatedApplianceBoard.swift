import ApplianceCore
import ApplianceProfiles
import BoardSupport
import SimulatedBoard
import Time

/// The `sim` board: a `SimulatedI2CBus` with a chip model at each of the profile's sensors,
/// read by the real drivers through the profile's `SamplingPlan`, measuring the `SimulatedWorld`
/// of the appliance's kind, and a `SimulatedGPIOChip` for the profile's roles, whose lines act
/// on the simulation: the `sensor-power` line is the chips' supply (low, they answer nothing;
/// back high, each starts from power-on), and the `pump-relay` line runs the world's pump.
///
/// Everything here is simulated: the chips are models written from the datasheets, and what they
/// measure comes from physical models, not from soil or a fridge.
public final class SimulatedApplianceBoard: ApplianceBoard {
  public let name = "sim"
  public let chips: [(address: I2CAddress, name: String)]
  private var bus: SimulatedI2CBus
  private var scheduler: SamplingScheduler
  private var world: SimulatedWorld
  private var lines: RoleLines<SimulatedGPIOChip>
  /// The pump relay's level since the world was last moved on.
  private var pumpRelay = GPIOLevel.low

  /// The board for `profile`, sampled by `plan` from `start`, in `world`, with the lines of
  /// the profile's roles.
  public init(
    profile: SensorProfile, plan: SamplingPlan, world: SimulatedWorld,
    lines: RoleLines<SimulatedGPIOChip>, start: Instant
  ) {
    self.world = world
    self.lines = lines
    bus = SimulatedI2CBus(now: start)
    for sensor in profile.sensors { bus.attach(Self.chipModel(of: sensor)) }
    chips = plan.chips.map { ($0.chip.address, $0.chip.chipName) }
    scheduler = plan.scheduler(start: start)
    // The role lines start low: without a sensor-power role the chips are always powered.
    if profile.gpioRoles.contains(.sensorPower) { bus.cutPower() }
    moveWorld(to: start)
  }

  public var deadline: Instant { scheduler.deadline }

  /// Moves the physical world on to `now` and runs every chip that is due.
  public func poll(now: Instant) -> [SamplingScheduler.Event] {
    moveWorld(to: now)
    return scheduler.poll(on: &bus, now: now)
  }

  public func restartSampling(at now: Instant) {
    scheduler.restart(at: now)
  }

  /// Drives the line, and what it switches: the world is moved on to `now` first, so the pump
  /// runs exactly while its relay is high.
  public func drive(_ role: GPIORole, to level: GPIOLevel, now: Instant) throws(GPIOError) {
    moveWorld(to: now)
    try lines.drive(role, to: level)
    switch role {
    case .statusLED: break
    case .sensorPower:
      if level == .high { bus.restorePower() } else { bus.cutPower() }
    case .pumpRelay: pumpRelay = level
    }
  }

  private func moveWorld(to now: Instant) {
    world.advance(to: now, pumpRelay: pumpRelay)
    bus.now = now
    bus.environment = world.environment
  }

  /// The model of the chip `sensor` names, at its address.
  private static func chipModel(of sensor: SensorConfiguration) -> any SimulatedI2CChip {
    switch sensor.chip {
    case .seesaw: return SimulatedSeesawSoilSensor(address: sensor.address)
    case .ads1115:
      guard case .ads1115(let channel, _, _) = sensor.options else {
        preconditionFailure("SensorConfiguration decodes the options of its chip")
      }
      // The model's analog probe sits on the channel the profile reads.
      return SimulatedADS1115(address: sensor.address, probeChannel: channel)
    case .bme280: return SimulatedBME280(address: sensor.address)
    case .bme680: return SimulatedBME680(address: sensor.address)
    case .tmp105: return SimulatedTMP105(address: sensor.address)
    case .sgp30: return SimulatedSGP30()
    case .scd4x: return SimulatedSCD4x()
    case .ccs811: return SimulatedCCS811(address: sensor.address)
    }
  }
}
