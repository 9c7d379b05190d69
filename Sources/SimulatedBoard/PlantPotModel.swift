import BoardSupport
import Randomness
import Time

/// A simulation of a potted plant's soil and the room around it over days: the soil dries,
/// faster when it is warm and during the day when the plant transpires, and jumps when it is
/// watered, by the pump (its relay GPIO line high) or by a scheduled watering.
///
/// This is a simulation for development and tests, not a model fitted to measurements: its
/// rates are round figures of the right size (a pot drying from 55 % to 25 % in about a week
/// at 21 °C). It is deterministic: driven only by the simulated time passed to `advance` and
/// by its seed, on a fixed internal step, so the same seed and the same calls give the same
/// values however the caller slices time.
public struct PlantPotModel: Sendable {
  /// The model's internal time step.
  public static let step = Duration.seconds(10)
  /// Moisture that no drying removes (water bound to the soil), in percent.
  public static let residualMoisturePercent = 5.0
  /// Above this, water drains out of the pot's holes within the hour; in percent.
  public static let fieldCapacityPercent = 60.0
  /// How much the pump raises the moisture per second it runs, in percentage points.
  public static let pumpPercentagePointsPerSecond = 0.5
  /// The most waterings that may wait to happen at once.
  public static let scheduledWateringsMax = 64

  /// A watering by hand at a set time.
  private struct Watering {
    var time: Instant
    var percentagePoints: Double
  }

  /// What the chips measure now: the soil moisture and the room's air.
  public private(set) var environment: PhysicalEnvironment
  /// The simulated time the environment is at: the last internal step at or before the last
  /// `advance`.
  public private(set) var time: Instant
  /// The latest instant `advance` was called with.
  private var advancedTo: Instant
  /// How long the pump ran that the soil has not had yet: its water lands at the next steps.
  private var pumpRunPending = Duration.zero
  /// The room's mean temperature; the day swings around it.
  public let roomTemperatureCelsius: Double
  private var random: SeededRandom
  private var waterings: [Watering] = []
  /// Today's weather: how much warmer or colder than usual the room is, redrawn each day.
  private var weatherOffsetCelsius = 0.0
  private var weatherDay = -1

  /// A pot whose soil starts at `soilMoisturePercent`, in a room whose mean temperature is
  /// `roomTemperatureCelsius`, with its random weather fixed by `seed`.
  public init(
    seed: UInt64, start: Instant = .zero, soilMoisturePercent: Double = 55,
    roomTemperatureCelsius: Double = 21
  ) {
    precondition((0...100).contains(soilMoisturePercent), "moisture is a percentage")
    random = SeededRandom(seed: seed)
    time = start
    advancedTo = start
    self.roomTemperatureCelsius = roomTemperatureCelsius
    environment = PhysicalEnvironment(
      temperatureCelsius: roomTemperatureCelsius, soilMoisturePercent: soilMoisturePercent)
  }

  /// Waters the pot at `time` (it must not be in the model's past), adding `percentagePoints`
  /// of moisture (about 10 for a glass of water in a 2 l pot).
  public mutating func scheduleWatering(at time: Instant, addingPercentagePoints points: Double) {
    precondition(time >= self.time, "a watering cannot be scheduled in the past")
    precondition(points > 0 && points <= 100)
    precondition(waterings.count < Self.scheduledWateringsMax, "too many waterings scheduled")
    waterings.append(Watering(time: time, percentagePoints: points))
  }

  /// Runs the model up to `now`. The pump runs from the previous `advance` to `now` if
  /// `pumpRelay` is high, as `SimulatedGPIOChip.drivenLevel(of: Line.pumpRelay)` reports it;
  /// every moment the relay was high counts, however the calls slice time.
  public mutating func advance(to now: Instant, pumpRelay: GPIOLevel = .low) {
    if pumpRelay == .high && now > advancedTo { runPump(for: now.duration(since: advancedTo)) }
    advancedTo = max(advancedTo, now)
    while time + Self.step <= now {
      time = time + Self.step
      let pumped = min(pumpRunPending, Self.step)
      pumpRunPending -= pumped
      advanceOneStep(pumpSeconds: Double(pumped.nanosecondsClamped) / 1e9)
    }
  }

  /// The pump ran for `duration` of the model's time, besides what `advance` was told: its
  /// water lands at the model's next steps, at most a step's worth each.
  public mutating func runPump(for duration: Duration) {
    precondition(duration >= .zero, "a pump runs for a positive time")
    pumpRunPending += duration
  }

  private mutating func advanceOneStep(pumpSeconds: Double) {
    let seconds = Double(Self.step.nanosecondsClamped) / 1e9
    let cycle = DailyCycle(at: time)
    if cycle.day != weatherDay {
      weatherDay = cycle.day
      weatherOffsetCelsius = 1.5 * random.nextStandardNormal()
    }
    let airCelsius =
      roomTemperatureCelsius + weatherOffsetCelsius + 3 * (cycle.daylight - 0.5)
      + 0.05 * random.nextStandardNormal()
    environment.temperatureCelsius = airCelsius
    environment.relativeHumidityPercent = 50 - 10 * cycle.daylight
    environment.soilMoisturePercent = soilMoisture(
      after: seconds, from: environment.soilMoisturePercent, airCelsius: airCelsius,
      daylight: cycle.daylight, pumpSeconds: pumpSeconds)
    assert((0...100).contains(environment.soilMoisturePercent))
  }

  private mutating func soilMoisture(
    after seconds: Double, from start: Double, airCelsius: Double, daylight: Double,
    pumpSeconds: Double
  ) -> Double {
    var moisture = start
    // Evaporation and transpiration take a share of the available water: about 17 % a day at
    // 20 °C, roughly 6 % more per degree warmer, and mostly while the plant is in the light.
    let warmth = max(0.2, 1 + 0.06 * (airCelsius - 20))
    let dryingPerSecond = 0.17 / 86_400 * warmth * (0.4 + 1.2 * daylight)
    moisture -= (moisture - Self.residualMoisturePercent) * dryingPerSecond * seconds
    // Water beyond field capacity drains out of the pot with a half-hour time constant.
    if moisture > Self.fieldCapacityPercent {
      moisture -= (moisture - Self.fieldCapacityPercent) * min(1, seconds / 1800)
    }
    moisture += Self.pumpPercentagePointsPerSecond * pumpSeconds
    while let index = waterings.firstIndex(where: { $0.time <= time }) {
      moisture += waterings.remove(at: index).percentagePoints
    }
    return min(max(moisture, 0), 100)
  }
}
