import Randomness
import Time

/// A simulation of the air in a fridge over days: food spoils (faster when warm), which
/// raises VOCs and CO2 until the fridge is cleaned; the door opens a few times an hour while
/// people are up, letting in warm, moist room air that the fridge takes minutes to cool again.
///
/// This is a simulation for development and tests, not a model fitted to measurements: its
/// rates are round figures of a plausible size (TVOC of several hundred ppb after a week
/// without cleaning; the air back near 4 °C some twenty minutes after the door closes). It is deterministic: driven only by the simulated time passed to
/// `advance` and by its seed, on a fixed internal step.
public struct FridgeModel: Sendable {
  /// The model's internal time step.
  public static let step = Duration.seconds(5)
  /// The thermostat's setting, in degrees Celsius.
  public static let setpointCelsius = 4.0
  /// The kitchen's air, which the open door lets in.
  public static let room = PhysicalEnvironment(
    temperatureCelsius: 21, relativeHumidityPercent: 55, co2PartsPerMillion: 600,
    totalVOCPartsPerBillion: 100, soilMoisturePercent: 0)
  /// The most spoilage the model accumulates: everything in the fridge has gone off.
  public static let spoilageMax = 5.0
  /// The most door openings, and separately cleanings, that may wait to happen at once.
  public static let scheduledEventsMax = 64

  /// What the chips measure now.
  public private(set) var environment: PhysicalEnvironment
  /// The simulated time the environment is at: the last internal step at or before the last
  /// `advance`.
  public private(set) var time: Instant
  /// How far the food has gone off: 0 in a clean fridge, about 1 more each three days at 4 °C.
  public private(set) var spoilage: Double
  /// How often the door has been opened.
  public private(set) var doorOpeningCount = 0
  private var random: SeededRandom
  private var doorClosesAt: Instant?
  private var doorOpenings: [(time: Instant, duration: Duration)] = []
  private var cleanings: [Instant] = []

  /// A closed fridge at its setpoint holding food that has spoiled by `spoilage`, with its
  /// door openings fixed by `seed`.
  public init(seed: UInt64, start: Instant = .zero, spoilage: Double = 0) {
    precondition((0...Self.spoilageMax).contains(spoilage))
    random = SeededRandom(seed: seed)
    time = start
    self.spoilage = spoilage
    environment = PhysicalEnvironment(
      temperatureCelsius: Self.setpointCelsius, relativeHumidityPercent: 45,
      co2PartsPerMillion: Self.equilibriumCO2(spoilage: spoilage),
      totalVOCPartsPerBillion: Self.equilibriumTVOC(spoilage: spoilage), soilMoisturePercent: 0)
  }

  /// Whether the door is open now.
  public var isDoorOpen: Bool {
    doorClosesAt != nil
  }

  /// Opens the door at `time` for `duration`, besides the random openings.
  public mutating func scheduleDoorOpening(at time: Instant, lasting duration: Duration) {
    precondition(time >= self.time, "a door opening cannot be scheduled in the past")
    precondition(doorOpenings.count < Self.scheduledEventsMax, "too many door openings scheduled")
    doorOpenings.append((time, duration))
  }

  /// Throws out the spoiled food and wipes the fridge at `time`. The VOCs and CO2 then fall
  /// over the next hours as the air is exchanged.
  public mutating func scheduleCleaning(at time: Instant) {
    precondition(time >= self.time, "a cleaning cannot be scheduled in the past")
    precondition(cleanings.count < Self.scheduledEventsMax, "too many cleanings scheduled")
    cleanings.append(time)
  }

  /// Runs the model up to `now`.
  public mutating func advance(to now: Instant) {
    while time + Self.step <= now {
      time = time + Self.step
      advanceOneStep()
    }
  }

  private mutating func advanceOneStep() {
    let seconds = Double(Self.step.nanosecondsClamped) / 1e9
    updateDoor(seconds: seconds)
    if let index = cleanings.firstIndex(where: { $0 <= time }) {
      cleanings.remove(at: index)
      spoilage = 0
    }
    // Spoilage runs about 10 % faster per degree above the setpoint; it never runs backwards.
    let warmth = max(0.1, 1 + 0.1 * (environment.temperatureCelsius - Self.setpointCelsius))
    spoilage = min(Self.spoilageMax, spoilage + warmth * seconds / (3 * 86_400))
    // Each quantity relaxes towards a target: the room's air while the door is open (fast), the
    // fridge's own equilibrium while it is closed (minutes for the air, hours for the gases).
    let open = isDoorOpen
    var target = Self.room
    if !open {
      target.temperatureCelsius = Self.setpointCelsius
      target.relativeHumidityPercent = 45
      target.co2PartsPerMillion = Self.equilibriumCO2(spoilage: spoilage)
      target.totalVOCPartsPerBillion = Self.equilibriumTVOC(spoilage: spoilage)
    }
    relax(
      &environment.temperatureCelsius, towards: target.temperatureCelsius,
      timeConstantSeconds: open ? 120 : 600, seconds: seconds)
    relax(
      &environment.relativeHumidityPercent, towards: target.relativeHumidityPercent,
      timeConstantSeconds: open ? 60 : 1200, seconds: seconds)
    relax(
      &environment.co2PartsPerMillion, towards: target.co2PartsPerMillion,
      timeConstantSeconds: open ? 300 : 7200, seconds: seconds)
    relax(
      &environment.totalVOCPartsPerBillion, towards: target.totalVOCPartsPerBillion,
      timeConstantSeconds: open ? 300 : 7200, seconds: seconds)
  }

  /// Closes the door when its time is up, or opens it as scheduled or by chance: about three
  /// times an hour while people are up, rarely at night, for 10 s to a minute.
  private mutating func updateDoor(seconds: Double) {
    if let closesAt = doorClosesAt {
      if closesAt <= time { doorClosesAt = nil }
      return
    }
    if let index = doorOpenings.firstIndex(where: { $0.time <= time }) {
      let opening = doorOpenings.remove(at: index)
      open(for: opening.duration)
      return
    }
    let openingsPerHour = DailyCycle(at: time).isWakingHours ? 3.0 : 0.1
    if random.chance(openingsPerHour / 3600 * seconds) {
      let openSeconds = 10 + 50 * random.nextUnit()
      open(for: .milliseconds(Int64(openSeconds * 1000)))
    }
  }

  private mutating func open(for duration: Duration) {
    doorClosesAt = time + duration
    doorOpeningCount += 1
  }

  /// Moves `value` a step towards `target` along an exponential with `timeConstantSeconds`.
  private func relax(
    _ value: inout Double, towards target: Double, timeConstantSeconds: Double, seconds: Double
  ) {
    value += (target - value) * min(1, seconds / timeConstantSeconds)
  }

  /// The TVOC a closed fridge settles at: a clean fridge's 40 ppb plus the spoiling food's.
  static func equilibriumTVOC(spoilage: Double) -> Double {
    40 + 280 * spoilage
  }

  /// The CO2 a closed fridge settles at: produce and microbes respire as food spoils.
  static func equilibriumCO2(spoilage: Double) -> Double {
    450 + 350 * spoilage
  }
}
