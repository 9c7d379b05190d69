import Randomness

/// Stand-in physical models for the two appliance kinds: plausible, slowly changing values
/// (soil drying and watered, a fridge door opening, food spoiling).
///
/// These are not chip simulations: they produce values directly. The appliance sets them as the
/// `PhysicalEnvironment` that the simulated board's chip models measure, and publishes what the
/// drivers read from those chips over their byte protocols (see docs/ARCHITECTURE.md).
public struct SimulatedEnvironment: Sendable {
  /// Which appliance this environment surrounds.
  public enum Kind: String, Sendable, CaseIterable {
    /// A plant pot: soil moisture and air temperature.
    case plantPot = "plant-pot"
    /// A fridge: TVOC, eCO2, temperature and humidity.
    case fridge
  }

  /// The appliance kind.
  public let kind: Kind
  /// Simulated seconds per real second, so that hours of drying show in minutes of `make run`.
  public let timeScale: Double
  private var random: SeededRandom
  private var simulatedSeconds = 0.0
  // Plant pot state.
  private var soilMoisturePercent = 55.0
  // Fridge state.
  private var fridgeCelsius = 4.0
  private var fridgeHumidityPercent = 42.0
  private var spoilage = 0.0  // 0 is a clean fridge; rises as food ages.
  private var doorOpenSeconds = 0.0

  /// An environment; `seed` fixes its random events.
  public init(kind: Kind, seed: UInt64, timeScale: Double = 60) {
    precondition(timeScale > 0 && timeScale.isFinite)
    self.kind = kind
    self.timeScale = timeScale
    self.random = SeededRandom(seed: seed)
  }

  /// Advances the models by `realSeconds` of wall time and reads every sensor.
  public mutating func advance(realSeconds: Double) -> [SampledValue] {
    precondition(realSeconds >= 0 && realSeconds.isFinite)
    let step = realSeconds * timeScale
    simulatedSeconds += step
    switch kind {
    case .plantPot: return advancePlantPot(simulatedSeconds: step)
    case .fridge: return advanceFridge(simulatedSeconds: step)
    }
  }

  private mutating func advancePlantPot(simulatedSeconds step: Double) -> [SampledValue] {
    // Potting soil loses roughly 0.5 to 1 percentage point of moisture an hour indoors.
    soilMoisturePercent -= step / 3600 * (0.6 + 0.4 * daylight())
    if soilMoisturePercent < 22 {
      soilMoisturePercent = 58 + 4 * random.nextUnit()  // Someone waters the plant.
    }
    let airCelsius = 20.5 + 2.5 * daylight() + 0.08 * random.nextStandardNormal()
    let soilReading = soilMoisturePercent + 0.3 * random.nextStandardNormal()
    return [
      SampledValue(
        sensorName: "soil", quantity: "soil_moisture", unit: "%",
        value: rounded(soilReading, places: 1)),
      SampledValue(
        sensorName: "air", quantity: "temperature", unit: "°C",
        value: rounded(airCelsius, places: 2)),
    ]
  }

  private mutating func advanceFridge(simulatedSeconds step: Double) -> [SampledValue] {
    // The door opens a few times an hour for about half a minute.
    if doorOpenSeconds <= 0, random.nextUnit() < step / 1200 {
      doorOpenSeconds = 20 + 30 * random.nextUnit()
    }
    let doorIsOpen = doorOpenSeconds > 0
    doorOpenSeconds = max(0, doorOpenSeconds - step)
    let targetCelsius = doorIsOpen ? 9.0 : 3.8
    let targetHumidity = doorIsOpen ? 60.0 : 40.0
    let approach = min(1, step / (doorIsOpen ? 60 : 600))
    fridgeCelsius += (targetCelsius - fridgeCelsius) * approach
    fridgeHumidityPercent += (targetHumidity - fridgeHumidityPercent) * approach
    // Food spoils over days; a clean-out every so often brings the VOCs back down.
    spoilage += step / 86_400
    if spoilage > 3 { spoilage = 0 }
    let tvocPartsPerBillion = 40 + 120 * spoilage * spoilage + 6 * random.nextStandardNormal()
    let eco2PartsPerMillion = 420 + 0.9 * tvocPartsPerBillion + 8 * random.nextStandardNormal()
    return [
      SampledValue(
        sensorName: "voc", quantity: "tvoc", unit: "ppb",
        value: rounded(max(0, tvocPartsPerBillion), places: 0)),
      SampledValue(
        sensorName: "co2", quantity: "eco2", unit: "ppm",
        value: rounded(max(400, eco2PartsPerMillion), places: 0)),
      SampledValue(
        sensorName: "air", quantity: "temperature", unit: "°C",
        value: rounded(fridgeCelsius + 0.05 * random.nextStandardNormal(), places: 2)),
      SampledValue(
        sensorName: "humidity", quantity: "humidity", unit: "%RH",
        value: rounded(fridgeHumidityPercent + 0.3 * random.nextStandardNormal(), places: 1)),
    ]
  }

  /// 0 at night, 1 in the early afternoon: a smooth daily cycle in simulated time.
  private func daylight() -> Double {
    let dayFraction = (simulatedSeconds / 86_400).truncatingRemainder(dividingBy: 1)
    // A raised-cosine built from a parabola per half-day, since bare metal has no libm `cos`.
    let distanceFromPeak = abs(dayFraction - 14.0 / 24)
    let wrapped = min(distanceFromPeak, 1 - distanceFromPeak) * 2  // 0 at the peak, 1 opposite.
    return 1 - wrapped * wrapped * (3 - 2 * wrapped)  // Smoothstep.
  }
}

private func rounded(_ value: Double, places: Int) -> Double {
  var scale = 1.0
  for _ in 0..<places { scale *= 10 }
  return (value * scale).rounded() / scale
}
