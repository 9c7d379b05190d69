import SimulatedBoard
import Time

/// The physical world around a simulated appliance, from SimulatedBoard's models over days: a
/// drying plant pot, or a fridge whose door opens and whose food spoils. Someone waters the pot
/// when its soil is down to `wateringBelowPercent`, so that a long `make run` shows the soil
/// drying and watered again.
///
/// The models run on their own clock, `timeScale` times faster than the appliance's, so that a
/// day of drying shows in minutes of `make run`.
struct SimulatedWorld {
  private enum Model {
    case plantPot(PlantPotModel)
    case fridge(FridgeModel)
  }

  /// The appliance kinds that have a world model.
  static let kinds = ["plant-pot", "fridge"]
  /// The soil moisture at which the pot is watered, in percent (the plant-pot profile's
  /// "water me" alert is at 25).
  static let wateringBelowPercent = 22.0
  /// How much a watering adds, in percentage points: about a large glass in a 2 l pot.
  static let wateringPercentagePoints = 30.0

  private var model: Model
  /// The model time of a watering scheduled but not yet applied.
  private var wateringLandsAfter: Instant?
  private let start: Instant
  private let timeScale: Double

  /// The world of an appliance of `kind` from `start` (appliance time), or nil if no model
  /// describes that kind; `seed` fixes its random events.
  init?(kind: String, seed: UInt64, timeScale: Double, start: Instant) {
    switch kind {
    case "plant-pot": model = .plantPot(PlantPotModel(seed: seed))
    case "fridge": model = .fridge(FridgeModel(seed: seed))
    default: return nil
    }
    self.start = start
    self.timeScale = timeScale
  }

  /// What the chips measure now.
  var environment: PhysicalEnvironment {
    switch model {
    case .plantPot(let pot): return pot.environment
    case .fridge(let fridge): return fridge.environment
    }
  }

  /// Runs the model on to the appliance's `now`.
  mutating func advance(to now: Instant) {
    let elapsed = Double(now.duration(since: start).nanosecondsClamped) * timeScale
    let modelTime = Instant.zero + .nanoseconds(Int64(min(elapsed, 9e18)))
    switch model {
    case .plantPot(var pot):
      pot.advance(to: modelTime)
      // The watering lands at the model's next step; until then the soil still reads dry.
      if pot.environment.soilMoisturePercent < Self.wateringBelowPercent
        && wateringLandsAfter == nil
      {
        pot.scheduleWatering(at: pot.time, addingPercentagePoints: Self.wateringPercentagePoints)
        wateringLandsAfter = pot.time
      } else if let landsAfter = wateringLandsAfter, pot.time > landsAfter {
        wateringLandsAfter = nil
      }
      model = .plantPot(pot)
    case .fridge(var fridge):
      fridge.advance(to: modelTime)
      model = .fridge(fridge)
    }
  }
}
