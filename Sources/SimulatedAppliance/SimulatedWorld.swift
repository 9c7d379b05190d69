import BoardSupport
import SimulatedBoard
import Time

/// The physical world around a simulated appliance, from SimulatedBoard's models over days: a
/// drying plant pot, watered by the appliance's pump, or a fridge whose door opens and whose
/// food spoils, cleaned out every `cleaningPeriod` at `cleaningTimeOfDay`, so that a long
/// `make run` or a simulated week shows the fridge's air spoiling and fresh again.
///
/// The models run on their own clock, `timeScale` times faster than the appliance's, so that a
/// day of drying shows in minutes of `make run`. Their day starts at the appliance clock's time
/// of day (UTC), so that at a time scale of 1 the afternoons of the readings' timestamps are the
/// models' afternoons. The pump does not: it is the appliance's, so
/// it pumps for as long as its relay is high in the appliance's time (a run of 8 s adds the
/// 4 points of moisture 8 s of pumping gives), not `timeScale` times that.
public struct SimulatedWorld {
  private enum Model {
    case plantPot(PlantPotModel)
    case fridge(FridgeModel)
  }

  /// The appliance kinds that have a world model.
  public static let kinds = ["plant-pot", "fridge"]

  /// How often the fridge is cleaned out: often enough that a week shows the air spoiling and
  /// fresh again, seldom enough that it spoils well past a clean fridge's.
  public static let cleaningPeriod = Duration.seconds(5 * 86_400)
  /// The time of day of a cleaning: 10:00.
  public static let cleaningTimeOfDay = Duration.seconds(10 * 3600)

  private var model: Model
  /// The model time of the fridge's next cleaning not yet handed to the model.
  private var nextCleaning: Instant
  private let start: Instant
  /// The model time at `start`: the time of day of the appliance clock's `wallTime` then.
  private let modelStart: Instant
  private let timeScale: Double
  /// The appliance time the world was last moved to.
  private var advancedTo: Instant

  /// The world of an appliance of `kind` from `start` (appliance time), when the appliance
  /// clock's wall time is `wallTime`, or nil if no model describes that kind; `seed` fixes its
  /// random events.
  public init?(kind: String, seed: UInt64, timeScale: Double, start: Instant, wallTime: UTCTime) {
    let millisecondsPerDay: Int64 = 86_400_000
    let millisecondOfDay = wallTime.millisecondsSinceEpoch % millisecondsPerDay
    modelStart = .zero + .milliseconds((millisecondOfDay + millisecondsPerDay) % millisecondsPerDay)
    switch kind {
    case "plant-pot": model = .plantPot(PlantPotModel(seed: seed, start: modelStart))
    case "fridge": model = .fridge(FridgeModel(seed: seed, start: modelStart))
    default: return nil
    }
    // The model's day 0 starts at its midnight, `Instant.zero`: the first cleaning is on day 5.
    nextCleaning = .zero + Self.cleaningPeriod + Self.cleaningTimeOfDay
    self.start = start
    self.timeScale = timeScale
    advancedTo = start
  }

  /// What the chips measure now.
  public var environment: PhysicalEnvironment {
    switch model {
    case .plantPot(let pot): return pot.environment
    case .fridge(let fridge): return fridge.environment
    }
  }

  /// Runs the model on to the appliance's `now`; the pump ran since the last call if
  /// `pumpRelay` was high all along.
  public mutating func advance(to now: Instant, pumpRelay: GPIOLevel) {
    let elapsed = Double(now.duration(since: start).nanosecondsClamped) * timeScale
    let modelTime = modelStart + .nanoseconds(Int64(min(elapsed, 9e18)))
    let pumped = pumpRelay == .high && now > advancedTo ? now.duration(since: advancedTo) : .zero
    advancedTo = max(advancedTo, now)
    switch model {
    case .plantPot(var pot):
      pot.runPump(for: pumped)
      pot.advance(to: modelTime)
      model = .plantPot(pot)
    case .fridge(var fridge):
      // Handed over before the model steps past them, so each lands at its own time.
      while nextCleaning <= modelTime {
        fridge.scheduleCleaning(at: nextCleaning)
        nextCleaning = nextCleaning + Self.cleaningPeriod
      }
      fridge.advance(to: modelTime)
      model = .fridge(fridge)
    }
  }
}
