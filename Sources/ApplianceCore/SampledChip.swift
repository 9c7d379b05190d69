import BoardSupport
import SensorDrivers
import Time

/// One value a chip measured, named as the appliance publishes it.
public struct SampledValue: Equatable, Sendable {
  /// The sensor's local name (`soil`, `air`, `air.humidity`, ...); the appliance prefixes its
  /// own id.
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
///
/// The hub keeps one quantity per sensor id, so a chip that measures several publishes its first
/// quantity under the sensor's name and each other one under `<name>.<quantity>`: a BME280 named
/// `air` gives `air` (temperature), `air.humidity` and `air.pressure`.
public struct SampledChip {
  /// Which driver, with what it needs.
  public enum Driver {
    /// The seesaw soil sensor: soil moisture in percent of its capacitance `calibration`.
    case seesawSoil(SeesawSoilSensor, calibration: MoistureCalibration)
    /// An ADS1115 reading an analog soil probe on `channel`: soil moisture in percent of the
    /// probe's voltage `calibration`.
    case ads1115(ADS1115, channel: Int, calibration: MoistureCalibration)
    /// A BME280: temperature (°C), humidity (%RH) and pressure (hPa).
    case bme280(BME280)
    /// An SGP30: TVOC (ppb) and eCO2 (ppm).
    case sgp30(SGP30)
    /// An SCD40 or SCD41: CO2 (ppm), temperature (°C) and humidity (%RH).
    case scd4x(SCD4x)
    /// A CCS811: TVOC (ppb) and eCO2 (ppm).
    case ccs811(CCS811)
  }

  private enum Phase { case probing, starting, measuring }

  /// The sensor's local name, under which its first quantity is published.
  public let sensorName: String
  /// The chip's driver.
  public private(set) var driver: Driver
  private let initialDriver: Driver
  private var phase = Phase.probing
  /// Set when an SCD4x fails after it was started: it goes on measuring through a failure on
  /// the bus, and refuses get_serial_number until stop_periodic_measurement.
  private var isStopDue = false

  /// A chip not yet probed, publishing as `sensorName`.
  public init(_ driver: Driver, sensorName: String) {
    self.sensorName = sensorName
    self.driver = driver
    self.initialDriver = driver
  }

  /// The chip's address, for health reports and logs.
  public var address: I2CAddress {
    switch driver {
    case .seesawSoil(let sensor, _): return sensor.chip.address
    case .ads1115(let sensor, _, _): return sensor.chip.address
    case .bme280(let sensor): return sensor.chip.address
    case .sgp30(let sensor): return sensor.chip.address
    case .scd4x(let sensor): return sensor.chip.address
    case .ccs811(let sensor): return sensor.chip.address
    }
  }

  /// Which chip it is, for people: `seesaw`, `BME280`, `SGP30`, ...
  public var chipName: String {
    switch driver {
    case .seesawSoil: return "seesaw"
    case .ads1115: return "ADS1115"
    case .bme280: return "BME280"
    case .sgp30: return "SGP30"
    case .scd4x: return "SCD4x"
    case .ccs811: return "CCS811"
    }
  }

  /// The names its values are published under, first quantity first.
  public var publishedNames: [String] {
    switch driver {
    case .seesawSoil, .ads1115: return [sensorName]
    case .bme280: return [sensorName, "\(sensorName).humidity", "\(sensorName).pressure"]
    case .sgp30, .ccs811: return [sensorName, "\(sensorName).eco2"]
    case .scd4x: return [sensorName, "\(sensorName).temperature", "\(sensorName).humidity"]
    }
  }

  /// Forgets all progress: the next `measure` probes the chip again (an SCD4x that was
  /// started is stopped first).
  public mutating func reset() {
    if case .scd4x = driver, phase != .probing { isStopDue = true }
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

  /// Proves the chip answers: its identity, or (for the ADS1115, which has none) a register
  /// that keeps what it is given. The CCS811's identity check is part of its start.
  private mutating func probe<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    switch driver {
    case .seesawSoil(var sensor, let calibration):
      let step = try sensor.probe(on: &bus, now: now)
      driver = .seesawSoil(sensor, calibration: calibration)
      return advance(after: step, to: .measuring)
    case .ads1115(var sensor, let channel, let calibration):
      try sensor.probe(on: &bus)
      driver = .ads1115(sensor, channel: channel, calibration: calibration)
      return moveOn(to: .measuring)
    case .bme280(var sensor):
      try sensor.probe(on: &bus)
      driver = .bme280(sensor)
      return moveOn(to: .measuring)
    case .sgp30(var sensor):
      let step = try sensor.probe(on: &bus, now: now)
      driver = .sgp30(sensor)
      return advance(after: step, to: .starting)
    case .scd4x(var sensor) where isStopDue:
      // Tried once: if the chip had stopped (or lost power) it does not acknowledge the stop,
      // and this turn fails; the next one probes.
      isStopDue = false
      let step = try sensor.stopPeriodicMeasurement(on: &bus, now: now)
      driver = .scd4x(sensor)
      if case .wait = step { isStopDue = true }
      return advance(after: step, to: .probing)
    case .scd4x(var sensor):
      let step = try sensor.probe(on: &bus, now: now)
      driver = .scd4x(sensor)
      return advance(after: step, to: .starting)
    case .ccs811:
      return moveOn(to: .starting)
    }
  }

  /// The start-up command of the chips that measure on their own once started: the SGP30's
  /// Init_air_quality, the SCD4x's start_periodic_measurement, the CCS811's APP_START and
  /// drive mode. The other chips measure on request.
  private mutating func start<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    switch driver {
    case .sgp30(var sensor):
      let step = try sensor.initAirQuality(on: &bus, now: now)
      driver = .sgp30(sensor)
      return advance(after: step, to: .measuring)
    case .scd4x(var sensor):
      let step = try sensor.startPeriodicMeasurement(on: &bus, now: now)
      driver = .scd4x(sensor)
      return advance(after: step, to: .measuring)
    case .ccs811(var sensor):
      let step = try sensor.start(on: &bus, now: now)
      driver = .ccs811(sensor)
      return advance(after: step, to: .measuring)
    case .seesawSoil, .ads1115, .bme280:
      return moveOn(to: .measuring)
    }
  }

  private mutating func takeMeasurement<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    assert(phase == .measuring)
    let names = publishedNames
    switch driver {
    case .seesawSoil(var sensor, let calibration):
      let step = try sensor.measureCapacitance(on: &bus, now: now)
      driver = .seesawSoil(sensor, calibration: calibration)
      return step.map { count in
        [value(names[0], "soil_moisture", "%", calibration.percent(raw: Double(count)))]
      }
    case .ads1115(var sensor, let channel, let calibration):
      let step = try sensor.measureVolts(channel: channel, on: &bus, now: now)
      driver = .ads1115(sensor, channel: channel, calibration: calibration)
      return step.map { volts in
        [value(names[0], "soil_moisture", "%", calibration.percent(raw: volts))]
      }
    case .bme280(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .bme280(sensor)
      return step.map { measurement in
        [
          value(names[0], "temperature", "°C", measurement.temperatureCelsius),
          value(names[1], "humidity", "%RH", measurement.relativeHumidityPercent),
          value(names[2], "pressure", "hPa", measurement.pressurePascals / 100),
        ]
      }
    case .sgp30(var sensor):
      let step = try sensor.measureAirQuality(on: &bus, now: now)
      driver = .sgp30(sensor)
      return step.map { quality in
        // The chip answers fixed values while it warms up: they are not measurements.
        guard !quality.isWarmingUp else { return [] }
        return [
          value(names[0], "tvoc", "ppb", Double(quality.totalVOCPartsPerBillion)),
          value(names[1], "eco2", "ppm", Double(quality.co2EquivalentPartsPerMillion)),
        ]
      }
    case .scd4x(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .scd4x(sensor)
      return step.map { measurement in
        [
          value(names[0], "co2", "ppm", Double(measurement.co2PartsPerMillion)),
          value(names[1], "temperature", "°C", measurement.temperatureCelsius),
          value(names[2], "humidity", "%RH", measurement.relativeHumidityPercent),
        ]
      }
    case .ccs811(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .ccs811(sensor)
      return step.map { quality in
        [
          value(names[0], "tvoc", "ppb", Double(quality.totalVOCPartsPerBillion)),
          value(names[1], "eco2", "ppm", Double(quality.co2EquivalentPartsPerMillion)),
        ]
      }
    }
  }

  private func value(
    _ name: String, _ quantity: String, _ unit: String, _ value: Double
  ) -> SampledValue {
    SampledValue(sensorName: name, quantity: quantity, unit: unit, value: value)
  }

  /// `step` as a step of this chip's sampling: once it is done, the chip moves to `next`.
  private mutating func advance<Output>(
    after step: DriverStep<Output>, to next: Phase
  ) -> DriverStep<[SampledValue]> {
    switch step {
    case .wait(let instant): return .wait(until: instant)
    case .done: return moveOn(to: next)
    }
  }

  /// Moves the chip to `next` at once, for a phase this chip has nothing to do in.
  private mutating func moveOn(to next: Phase) -> DriverStep<[SampledValue]> {
    phase = next
    return .done([])
  }
}
