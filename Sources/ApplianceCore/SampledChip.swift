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
///
/// A gas sensor that compensates for the air's humidity (SGP30, CCS811) is told the temperature
/// and humidity a hygrometer measured (`compensate(temperatureCelsius:relativeHumidityPercent:)`)
/// at the start of its next turn, and again whenever it starts over, since a chip that restarts
/// forgets it.
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
    /// A BME680: temperature (°C), humidity (%RH), pressure (hPa) and the gas sensor's
    /// resistance (Ω).
    case bme680(BME680)
    /// A TMP105: temperature (°C).
    case tmp105(TMP105)
    /// An SGP30: TVOC (ppb) and eCO2 (ppm).
    case sgp30(SGP30)
    /// An SCD40 or SCD41: CO2 (ppm), temperature (°C) and humidity (%RH).
    case scd4x(SCD4x)
    /// A CCS811: TVOC (ppb) and eCO2 (ppm).
    case ccs811(CCS811)
  }

  private enum Phase { case probing, starting, compensating, measuring }

  /// The sensor's local name, under which its first quantity is published.
  public let sensorName: String
  /// The chip's driver.
  public private(set) var driver: Driver
  private let initialDriver: Driver
  private var phase = Phase.probing
  /// Set when an SCD4x fails after it was started: it goes on measuring through a failure on
  /// the bus, and refuses get_serial_number until stop_periodic_measurement.
  private var isStopDue = false
  /// Whether a measurement was sent and its answer is awaited: nothing else may be sent then.
  private var isMeasurementUnderWay = false
  /// The latest air a hygrometer measured, for a gas sensor's compensation.
  private var compensation: (temperatureCelsius: Double, relativeHumidityPercent: Double)?
  /// Whether `compensation` must still be sent to the chip.
  private var isCompensationDue = false

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
    case .bme680(let sensor): return sensor.chip.address
    case .tmp105(let sensor): return sensor.chip.address
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
    case .bme680: return "BME680"
    case .tmp105: return "TMP105"
    case .sgp30: return "SGP30"
    case .scd4x: return "SCD4x"
    case .ccs811: return "CCS811"
    }
  }

  /// The quantities its values carry, as `Reading.quantity` names them, in the order of
  /// `publishedNames`.
  public var publishedQuantities: [String] {
    switch driver {
    case .seesawSoil, .ads1115: return ["soil_moisture"]
    case .bme280: return ["temperature", "humidity", "pressure"]
    case .bme680: return ["temperature", "humidity", "pressure", "gas_resistance"]
    case .tmp105: return ["temperature"]
    case .sgp30, .ccs811: return ["tvoc", "eco2"]
    case .scd4x: return ["co2", "temperature", "humidity"]
    }
  }

  /// The names its values are published under, first quantity first: the sensor's name, then
  /// `<name>.<quantity>`.
  public var publishedNames: [String] {
    publishedQuantities.enumerated().map { index, quantity in
      index == 0 ? sensorName : "\(sensorName).\(quantity)"
    }
  }

  /// The name the chip's `quantity` is published under, or nil if it publishes no such
  /// quantity.
  public func publishedName(of quantity: String) -> String? {
    publishedQuantities.firstIndex(of: quantity).map { publishedNames[$0] }
  }

  /// The longest the chip may go between measurements, whatever its interval, or nil if it may
  /// go its whole interval: the SGP30's `sgp30MeasurementInterval`. A chip measured more often
  /// than its interval publishes the mean of each interval's measurements (`SamplingScheduler`).
  public var measurementIntervalMax: Duration? {
    switch driver {
    case .sgp30: return Self.sgp30MeasurementInterval
    case .seesawSoil, .ads1115, .bme280, .bme680, .tmp105, .scd4x, .ccs811: return nil
    }
  }

  /// The SGP30's rhythm: its datasheet asks for Measure_air_quality once a second, which its
  /// dynamic baseline compensation relies on. (A CCS811 in drive mode 1 measures every second
  /// on its own, read or not: it is read once per its interval, its latest measurement.)
  public static let sgp30MeasurementInterval = Duration.seconds(1)

  /// Whether the chip measures the air's temperature and relative humidity, which gas sensors
  /// compensate for.
  public var measuresAirHumidity: Bool {
    switch driver {
    case .bme280, .bme680, .scd4x: return true
    case .seesawSoil, .ads1115, .tmp105, .sgp30, .ccs811: return false
    }
  }

  /// Whether the chip compensates its measurements for the air's humidity (the SGP30 given
  /// the absolute humidity, the CCS811 its `ENV_DATA`).
  public var compensatesForHumidity: Bool {
    switch driver {
    case .sgp30, .ccs811: return true
    case .seesawSoil, .ads1115, .bme280, .bme680, .tmp105, .scd4x: return false
    }
  }

  /// Gives a gas sensor the air a hygrometer measured, sent at the start of its next turn.
  /// Values outside what the chips measure (-45 to 130 °C, 0 to 100 %RH) are ignored.
  public mutating func compensate(temperatureCelsius: Double, relativeHumidityPercent: Double) {
    guard compensatesForHumidity, (-45...130).contains(temperatureCelsius),
      (0...100).contains(relativeHumidityPercent)
    else { return }
    compensation = (temperatureCelsius, relativeHumidityPercent)
    isCompensationDue = true
  }

  /// Forgets all progress: the next `measure` probes the chip again (an SCD4x that was
  /// started is stopped first).
  public mutating func reset() {
    if case .scd4x = driver, phase != .probing { isStopDue = true }
    startOver()
  }

  /// Forgets all progress after the chip's power was cut: it is back in its power-on state,
  /// so the next `measure` probes it at once (an SCD4x is idle and needs no stop).
  public mutating func resetAfterPowerCycle() {
    isStopDue = false
    startOver()
  }

  /// Back to the probe with a fresh driver; the compensation is sent again, as the chip lost it.
  private mutating func startOver() {
    driver = initialDriver
    phase = .probing
    isMeasurementUnderWay = false
    isCompensationDue = compensation != nil
  }

  /// Runs the next step towards a measurement; call again at the instant a `.wait` names.
  public mutating func measure<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    // Each phase that finishes without waiting moves on at once; four phases bound the loop.
    for _ in 0..<4 {
      // New humidity goes to the chip between measurements, not in the middle of one.
      if phase == .measuring && isCompensationDue && !isMeasurementUnderWay {
        phase = .compensating
      }
      let step: DriverStep<[SampledValue]>
      switch phase {
      case .probing: step = try probe(on: &bus, now: now)
      case .starting: step = try start(on: &bus, now: now)
      case .compensating: step = try sendCompensation(on: &bus, now: now)
      case .measuring: return try takeMeasurement(on: &bus, now: now)
      }
      guard case .done = step else { return step }
    }
    preconditionFailure("a chip's setup did not reach its measuring phase")
  }

  /// Proves the chip answers: its identity, or (for the ADS1115 and the TMP105, which have
  /// none) a register that keeps what it is given. The CCS811's identity check is part of its
  /// start.
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
    case .bme680(var sensor):
      // Its probe resets the chip and waits for it to start again.
      let step = try sensor.probe(on: &bus, now: now)
      driver = .bme680(sensor)
      return advance(after: step, to: .measuring)
    case .tmp105(var sensor):
      try sensor.probe(on: &bus, now: now)
      driver = .tmp105(sensor)
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
    case .seesawSoil, .ads1115, .bme280, .bme680, .tmp105:
      return moveOn(to: .measuring)
    }
  }

  /// Tells a gas sensor the air's humidity: the SGP30 its absolute humidity (Set_humidity, in
  /// g/m3), the CCS811 the temperature and relative humidity (`ENV_DATA`).
  private mutating func sendCompensation<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    guard let air = compensation else { return moveOn(to: .measuring) }
    isCompensationDue = false
    switch driver {
    case .sgp30(var sensor):
      let gramsPerCubicMetre = AbsoluteHumidity.gramsPerCubicMetre(
        temperatureCelsius: air.temperatureCelsius,
        relativeHumidityPercent: air.relativeHumidityPercent)
      // Air saturated above about 75 °C holds more water than the chip takes (255.996 g/m3).
      let step = try sensor.setHumidity(
        gramsPerCubicMetre: min(gramsPerCubicMetre, SGP30.absoluteHumidityMax), on: &bus,
        now: now)
      driver = .sgp30(sensor)
      return advance(after: step, to: .measuring)
    case .ccs811(let sensor):
      try sensor.setEnvironment(
        temperatureCelsius: air.temperatureCelsius,
        relativeHumidityPercent: air.relativeHumidityPercent, on: &bus)
      return moveOn(to: .measuring)
    case .seesawSoil, .ads1115, .bme280, .bme680, .tmp105, .scd4x:
      return moveOn(to: .measuring)
    }
  }

  private mutating func takeMeasurement<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    assert(phase == .measuring)
    let step = try measureValues(on: &bus, now: now)
    if case .wait = step { isMeasurementUnderWay = true } else { isMeasurementUnderWay = false }
    return step
  }

  private mutating func measureValues<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[SampledValue]> {
    let names = publishedNames
    let quantities = publishedQuantities
    /// The measured `numbers`, in `units`, under their published names and quantities; fewer
    /// numbers than quantities leave the last quantities out.
    func values(_ numbers: [Double], _ units: [String]) -> [SampledValue] {
      numbers.indices.map { index in
        SampledValue(
          sensorName: names[index], quantity: quantities[index], unit: units[index],
          value: numbers[index])
      }
    }
    switch driver {
    case .seesawSoil(var sensor, let calibration):
      let step = try sensor.measureCapacitance(on: &bus, now: now)
      driver = .seesawSoil(sensor, calibration: calibration)
      return step.map { count in values([calibration.percent(raw: Double(count))], ["%"]) }
    case .ads1115(var sensor, let channel, let calibration):
      let step = try sensor.measureVolts(channel: channel, on: &bus, now: now)
      driver = .ads1115(sensor, channel: channel, calibration: calibration)
      return step.map { volts in values([calibration.percent(raw: volts)], ["%"]) }
    case .bme280(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .bme280(sensor)
      return step.map { measurement in
        values(
          [
            measurement.temperatureCelsius, measurement.relativeHumidityPercent,
            measurement.pressurePascals / 100,
          ], ["°C", "%RH", "hPa"])
      }
    case .bme680(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .bme680(sensor)
      return step.map { measurement in
        var numbers = [
          measurement.temperatureCelsius, measurement.relativeHumidityPercent,
          measurement.pressurePascals / 100,
        ]
        // A gas reading the chip marked invalid, or taken before its heater was stable, is
        // left out: the other quantities are still measurements.
        if let ohms = measurement.gasResistanceOhms { numbers.append(ohms) }
        return values(numbers, ["°C", "%RH", "hPa", "Ω"])
      }
    case .tmp105(var sensor):
      let step = try sensor.measureCelsius(on: &bus, now: now)
      driver = .tmp105(sensor)
      return step.map { celsius in values([celsius], ["°C"]) }
    case .sgp30(var sensor):
      let step = try sensor.measureAirQuality(on: &bus, now: now)
      driver = .sgp30(sensor)
      return step.map { quality in
        // The chip answers fixed values while it warms up: they are not measurements.
        guard !quality.isWarmingUp else { return [] }
        return values(
          [Double(quality.totalVOCPartsPerBillion), Double(quality.co2EquivalentPartsPerMillion)],
          ["ppb", "ppm"])
      }
    case .scd4x(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .scd4x(sensor)
      return step.map { measurement in
        values(
          [
            Double(measurement.co2PartsPerMillion), measurement.temperatureCelsius,
            measurement.relativeHumidityPercent,
          ], ["ppm", "°C", "%RH"])
      }
    case .ccs811(var sensor):
      let step = try sensor.measure(on: &bus, now: now)
      driver = .ccs811(sensor)
      return step.map { quality in
        values(
          [Double(quality.totalVOCPartsPerBillion), Double(quality.co2EquivalentPartsPerMillion)],
          ["ppb", "ppm"])
      }
    }
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
