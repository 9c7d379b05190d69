import BoardSupport
import SimulatedBoard
import Time

/// The physical world around a simulated appliance, from SimulatedBoard's models over days: a
/// drying plant pot, watered by the appliance's pump, or a fridge whose door opens and whose
/// food spoils.
///
/// The models run on their own clock, `timeScale` times faster than the appliance's, so that a
/// day of drying shows in minutes of `make run`. The pump does not: it is the appliance's, so
/// it pumps for as long as its relay is high in the appliance's time (a run of 8 s adds the
/// 4 points of moisture 8 s of pumping gives), not `timeScale` times that.
public struct SimulatedWorld {
  private enum Model {
    case plantPot(PlantPotModel)
    case fridge(FridgeModel)
  }

  /// The appliance kinds that have a world model.
  public static let kinds = ["plant-pot", "fridge"]

  private var model: Model
  private let start: Instant
  private let timeScale: Double
  /// The appliance time the world was last moved to.
  private var advancedTo: Instant

  /// The world of an appliance of `kind` from `start` (appliance time), or nil if no model
  /// describes that kind; `seed` fixes its random events.
  public init?(kind: String, seed: UInt64, timeScale: Double, start: Instant) {
    switch kind {
    case "plant-pot": model = .plantPot(PlantPotModel(seed: seed))
    case "fridge": model = .fridge(FridgeModel(seed: seed))
    default: return nil
    }
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
    let modelTime = Instant.zero + .nanoseconds(Int64(min(elapsed, 9e18)))
    let pumped = pumpRelay == .high && now > advancedTo ? now.duration(since: advancedTo) : .zero
    advancedTo = max(advancedTo, now)
    switch model {
    case .plantPot(var pot):
      pot.runPump(for: pumped)
      pot.advance(to: modelTime)
      model = .plantPot(pot)
    case .fridge(var fridge):
      fridge.advance(to: modelTime)
      model = .fridge(fridge)
    }
  }
}
