import BoardSupport
import SensorDrivers
import Time

/// One value a chip measured, named as the appliance publishes it.
public struct SampledValue: Equatable, Sendable {
  /// The sensor's local name (`soil`, `air`, ...); the appliance prefixes its own id.
  public var sensorName: String
  /// The measured quantity, for example `soil_moisture`.
  public var quantity: String
  /// The unit of `value`.
  public var unit: String
  /// The value, in `unit`.
  public var value: Double

  /// A named value.
  public init(sensorName: String, quantity: String, unit: String, value: Double) {
    self.sensorName = sensorName
    self.quantity = quantity
    self.unit = unit
    self.value = value
  }
}

/// A chip on the appliance's bus, its driver, and the setup it needs before it measures.
///
/// `measure` runs one step of whatever comes next: the probe (identity, calibration), the
/// chip's start-up command, or a measurement, returning `.wait(until:)` as the drivers do and
/// `.done` with the values of a finished measurement (none while a chip warms up: its values are
/// then not measurements). After an error the chip starts again from its probe, since a chip that
/// stopped answering may have lost power.
public struct SampledChip {
  /// Which driver, with what it needs.
  public enum Driver {
    /// The seesaw soil sensor: `soilSensorName` gets soil moisture in percent.
    case seesawSoil(SeesawSoilSensor, calibration: MoistureCalibration, soilSensorName: String)
    /// A BME280: `temperatureSensorName` gets °C, and `humiditySensorName`, if any, %RH.
    case bme280(BME280, temperatureSensorName: String, humiditySensorName: String?)
    /// An SGP30: `tvocSensorName` gets TVOC in ppb and `eco2SensorName` eCO2 in ppm.
    case sgp30(SGP30, tvocSensorName: String, eco2SensorName: String)
  }

  private enum Phase { case probing, starting, measuring }

  /// The chip's driver.
  public private(set) var driver: Driver
  private let initialDriver: Driver
  private var phase = Phase.probing

  /// A chip not yet probed.
  public init(_ driver: Driver) {
    self.driver = driver
    self.initialDriver = driver
  }

  /// The chip's address, for health reports and logs.
  public var address: I2CAddress {
    switch driver {
    case .seesawSoil(let sensor, _, _): return sensor.chip.address
    case .bme280(let sensor, _, _): return sensor.chip.address
    case .sgp30(let sensor, _, _): return sensor.chip.address
    }
  }

  /// Which chip it is, for people: `seesaw`, `BME280`, `SGP30`.
  public var chipName: String {
    switch driver {
    case .seesawSoil: return "seesaw"
    case .bme280: return "BME280"
    case .sgp30: return "SGP30"
    }
  }

  /// Forgets all progress: the next `measure` probes the chip again.
  public mutating func reset() {
    driver = initialDriver
    phase = .probing
  }

  /// Runs the next step towards a measurement; call again at the instant a `.wait` names.
  public mutating func measure<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    // Each phase that finishes without waiting moves on at once; three phases bound the loop.
    for _ in 0..<3 {
      let step: DriverStep<[SampledValue]>
      switch phase {
      case .probing: step = try probe(on: &bus, now: now)
      case .starting: step = try start(on: &bus, now: now)
      case .measuring: return try takeMeasurement(on: &bus, now: now)
      }
      guard case .done = step else { return step }
    }
    preconditionFailure("a chip's setup did not reach its measuring phase")
  }

  private mutating func probe<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    switch driver {
    case .seesawSoil(var sensor, let calibration, let name):
      let step = try sensor.probe(on: &bus, now: now)
      driver = .seesawSoil(sensor, calibration: calibration, soilSensorName: name)
      return advance(after: step, to: .measuring)
    case .bme280(var sensor, let temperature, let humidity):
      try sensor.probe(on: &bus)
      driver = .bme280(sensor, temperatureSensorName: temperature, humiditySensorName: humidity)
      phase = .measuring
      return .done([])
    case .sgp30(var sensor, let tvoc, let eco2):
      let step = try sensor.probe(on: &bus, now: now)
      driver = .sgp30(sensor, tvocSensorName: tvoc, eco2SensorName: eco2)
      return advance(after: step, to: .starting)
    }
  }

  /// The SGP30's Init_air_quality; the other chips need no start-up command.
  private mutating func start<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    guard case .sgp30(var sensor, let tvoc, let eco2) = driver else {
      phase = .measuring
      return .done([])
    }
    let step = try sensor.initAirQuality(on: &bus, now: now)
    driver = .sgp30(sensor, tvocSensorName: tvoc, eco2SensorName: eco2)
    return advance(after: step, to: .measuring)
  }

  private mutating func takeMeasurement<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    assert(phase == .measuring)
    switch driver {
    case .seesawSoil(var sensor, let calibration, let name):
      let step = try sensor.measureCapacitance(on: &bus, now: now)
      driver = .seesawSoil(sensor, calibration: calibration, soilSensorName: name)
      return step.map { count in
        let percent = calibration.percent(raw: Double(count))
        return [
          SampledValue(sensorName: name, quantity: "soil_moisture", unit: "%", value: percent)
        ]
      }
    case .bme280(var sensor, let temperature, let humidity):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .bme280(sensor, temperatureSensorName: temperature, humiditySensorName: humidity)
      return step.map { measurement in
        var values = [
          SampledValue(
            sensorName: temperature, quantity: "temperature", unit: "°C",
            value: measurement.temperatureCelsius)
        ]
        if let humidity {
          values.append(
            SampledValue(
              sensorName: humidity, quantity: "humidity", unit: "%RH",
              value: measurement.relativeHumidityPercent))
        }
        return values
      }
    case .sgp30(var sensor, let tvoc, let eco2):
      let step = try sensor.measureAirQuality(on: &bus, now: now)
      driver = .sgp30(sensor, tvocSensorName: tvoc, eco2SensorName: eco2)
      return step.map { quality in
        // The chip answers fixed values while it warms up: they are not measurements.
        guard !quality.isWarmingUp else { return [] }
        return [
          SampledValue(
            sensorName: tvoc, quantity: "tvoc", unit: "ppb",
            value: Double(quality.totalVOCPartsPerBillion)),
          SampledValue(
            sensorName: eco2, quantity: "eco2", unit: "ppm",
            value: Double(quality.co2EquivalentPartsPerMillion)),
        ]
      }
    }
  }

  /// `step` as a step of this chip's sampling: once it is done, the chip moves to `next`.
  private mutating func advance<Output>(
    after step: DriverStep<Output>, to next: Phase
  ) -> DriverStep<[SampledValue]> {
    switch step {
    case .wait(let instant): return .wait(until: instant)
    case .done:
      phase = next
      return .done([])
    }
  }
}
