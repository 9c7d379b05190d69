import ApplianceCore
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// The scheduler running real drivers against the simulated board's chip models, with the bus's
/// clock moved to each deadline as a platform's timer would.
final class SamplingSchedulerTests: XCTestCase {
  private let soilCalibration = MoistureCalibration(
    dry: SimulatedSeesawSoilSensor.dryCount, wet: SimulatedSeesawSoilSensor.wetCount)

  /// Polls at each deadline up to `end`; returns every event with the instant it came at.
  private func run(
    _ scheduler: inout SamplingScheduler, on bus: SimulatedI2CBus, until end: Instant
  ) -> [(at: Instant, event: SamplingScheduler.Event)] {
    var events: [(Instant, SamplingScheduler.Event)] = []
    var busReference = bus
    for _ in 0..<10_000 {
      let deadline = scheduler.deadline
      guard deadline <= end else { break }
      XCTAssertGreaterThanOrEqual(deadline, bus.now, "deadlines never go back")
      bus.now = deadline
      for event in scheduler.poll(on: &busReference, now: deadline) {
        events.append((deadline, event))
      }
    }
    return events
  }

  func testEachChipMeasuresOnItsOwnGridAndItsValuesAreTheEnvironments() {
    let bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(
        temperatureCelsius: 18.5, soilMoisturePercent: 37))
    bus.attach(SimulatedSeesawSoilSensor())
    bus.attach(SimulatedBME280())
    var scheduler = SamplingScheduler(
      chips: [
        (
          SampledChip(
            .seesawSoil(SeesawSoilSensor(), calibration: soilCalibration), sensorName: "soil"),
          .seconds(1)
        ),
        (
          SampledChip(.bme280(BME280()), sensorName: "air"),
          .seconds(5)
        ),
      ], start: .zero)
    let events = run(&scheduler, on: bus, until: .zero + .milliseconds(9999))
    var soil: [(Instant, Double)] = []
    var air: [Double] = []
    for (instant, event) in events {
      guard case .sampled(_, let values) = event else { return XCTFail("\(event)") }
      for value in values where value.sensorName == "soil" { soil.append((instant, value.value)) }
      for value in values where value.sensorName == "air" { air.append(value.value) }
    }
    XCTAssertEqual(soil.count, 10, "one soil measurement a second")
    XCTAssertEqual(air.count, 2, "one air measurement every five seconds")
    for (index, (instant, value)) in soil.enumerated() {
      // Each measurement starts on the grid and ends after the seesaw's preparation time.
      let start = Instant.zero + .seconds(index)
      XCTAssertGreaterThan(instant, start)
      XCTAssertLessThan(instant, start + .milliseconds(100))
      XCTAssertEqual(value, 37, accuracy: 0.5)
    }
    for value in air { XCTAssertEqual(value, 18.5, accuracy: 0.05) }
  }

  func testAnUnpluggedChipIsReportedAndMeasuresAgainOncePluggedIn() {
    let bus = SimulatedI2CBus()
    let soilChip = SimulatedSeesawSoilSensor()
    bus.attach(soilChip)
    var scheduler = SamplingScheduler(
      chips: [
        (
          SampledChip(
            .seesawSoil(SeesawSoilSensor(), calibration: soilCalibration), sensorName: "soil"),
          .seconds(1)
        )
      ], start: .zero)
    XCTAssertEqual(run(&scheduler, on: bus, until: .zero + .milliseconds(2500)).count, 3)
    soilChip.unplug()
    let whileUnplugged = run(&scheduler, on: bus, until: .zero + .milliseconds(4500))
    XCTAssertEqual(whileUnplugged.count, 2)
    for (_, event) in whileUnplugged {
      XCTAssertEqual(
        event, .failed(address: soilChip.address, error: .notResponding(soilChip.address)))
    }
    soilChip.plugIn(now: bus.now)
    let afterwards = run(&scheduler, on: bus, until: .zero + .milliseconds(6500))
    XCTAssertEqual(afterwards.count, 2)
    for (_, event) in afterwards {
      guard case .sampled = event else { return XCTFail("\(event)") }
    }
  }

  func testAnSGP30GivesNoValuesWhileItWarmsUp() {
    let bus = SimulatedI2CBus(environment: PhysicalEnvironment(totalVOCPartsPerBillion: 250))
    bus.attach(SimulatedSGP30())
    var scheduler = SamplingScheduler(
      chips: [
        (SampledChip(.sgp30(SGP30()), sensorName: "voc"), .seconds(1))
      ],
      start: .zero)
    let events = run(&scheduler, on: bus, until: .zero + .seconds(20))
    let sampled = events.compactMap { entry -> (Instant, [SampledValue])? in
      guard case .sampled(_, let values) = entry.event else { return nil }
      return (entry.at, values)
    }
    XCTAssertFalse(sampled.isEmpty)
    XCTAssertEqual(sampled.count, events.count, "no failures")
    for (instant, values) in sampled {
      XCTAssertGreaterThanOrEqual(instant, .zero + SGP30.warmUpDuration)
      XCTAssertEqual(values.map(\.sensorName), ["voc", "voc.eco2"])
    }
  }

  /// A glitch while an SCD4x measures periodically: the chip keeps measuring, and refuses the
  /// probe's get_serial_number until it is stopped, so the restart stops it first.
  func testAnSCD4xThatFailedWhileMeasuringIsStoppedAndMeasuresAgain() {
    let bus = SimulatedI2CBus(environment: PhysicalEnvironment(co2PartsPerMillion: 800))
    let chip = SimulatedSCD4x()
    bus.attach(chip)
    var scheduler = SamplingScheduler(
      chips: [(SampledChip(.scd4x(SCD4x()), sensorName: "co2"), .seconds(10))], start: .zero)
    XCTAssertEqual(run(&scheduler, on: bus, until: .zero + .seconds(15)).count, 2)
    chip.faults.addressNAKsRemaining = 3  // every attempt of one transaction
    let afterGlitch = run(&scheduler, on: bus, until: .zero + .seconds(45))
    guard case .failed = afterGlitch.first?.event else { return XCTFail("\(afterGlitch)") }
    let recovered = afterGlitch.dropFirst().compactMap { entry -> Double? in
      guard case .sampled(_, let values) = entry.event else { return nil }
      return values.first?.value
    }
    XCTAssertEqual(afterGlitch.count - 1, recovered.count, "no failure after the glitch")
    XCTAssertFalse(recovered.isEmpty)
    for value in recovered { XCTAssertEqual(value, 800, accuracy: 30) }
  }

  /// The hygrometer's temperature and humidity go to the gas sensors after each of its
  /// measurements: the SGP30 its absolute humidity (8.8 fixed point g/m3), the CCS811 its
  /// ENV_DATA (1/512 units, temperature offset by 25 °C).
  func testGasSensorsAreToldTheHumidityTheHygrometerMeasured() {
    let bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(temperatureCelsius: 22, relativeHumidityPercent: 55))
    let sgp30 = SimulatedSGP30()
    let ccs811 = SimulatedCCS811()
    for chip: any SimulatedI2CChip in [sgp30, ccs811, SimulatedBME280()] { bus.attach(chip) }
    var scheduler = SamplingScheduler(
      chips: [
        (SampledChip(.sgp30(SGP30()), sensorName: "voc"), .seconds(1)),
        (SampledChip(.ccs811(CCS811()), sensorName: "gas"), .seconds(1)),
        (SampledChip(.bme280(BME280()), sensorName: "air"), .seconds(10)),
      ], start: .zero)
    let events = run(&scheduler, on: bus, until: .zero + .seconds(5))
    let air = events.compactMap { entry -> [SampledValue]? in
      guard case .sampled(BME280.primaryAddress, let values) = entry.event else { return nil }
      return values
    }
    XCTAssertEqual(air.count, 1)
    let temperature = air[0][0].value
    let humidity = air[0][1].value
    XCTAssertEqual(temperature, 22, accuracy: 0.1)
    let gramsPerCubicMetre = AbsoluteHumidity.gramsPerCubicMetre(
      temperatureCelsius: temperature, relativeHumidityPercent: humidity)
    XCTAssertEqual(gramsPerCubicMetre, 10.7, accuracy: 0.1)
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, UInt16((gramsPerCubicMetre * 256).rounded()))
    XCTAssertEqual(ccs811.environmentData.humidity, UInt16(humidity * 512))
    XCTAssertEqual(ccs811.environmentData.temperature, UInt16((temperature + 25) * 512))
  }

  /// A BME680 publishes its four quantities; one whose heater was too short to be stable gives
  /// no gas reading, and publishes the other three rather than a guess.
  func testABME680PublishesItsGasResistanceOnlyWhenTheChipMarksItValid() {
    let bus = SimulatedI2CBus(environment: PhysicalEnvironment(temperatureCelsius: 19))
    bus.attach(SimulatedBME680(address: BME680.primaryAddress))
    bus.attach(SimulatedBME680(address: BME680.secondaryAddress))
    let unstableHeater = BME680Settings(
      heater: BME680Heater(targetCelsius: 300, heatingMilliseconds: 10))
    var scheduler = SamplingScheduler(
      chips: [
        (SampledChip(.bme680(BME680()), sensorName: "air"), .seconds(10)),
        (
          SampledChip(
            .bme680(BME680(address: BME680.secondaryAddress, settings: unstableHeater)),
            sensorName: "cold"),
          .seconds(10)
        ),
      ], start: .zero)
    var sampled: [String: [SampledValue]] = [:]
    for (_, event) in run(&scheduler, on: bus, until: .zero + .seconds(5)) {
      guard case .sampled(_, let values) = event else { return XCTFail("\(event)") }
      sampled[values[0].sensorName] = values
    }
    let air = sampled["air"] ?? []
    XCTAssertEqual(
      air.map(\.sensorName), ["air", "air.humidity", "air.pressure", "air.gas_resistance"])
    XCTAssertEqual(air.map(\.quantity), ["temperature", "humidity", "pressure", "gas_resistance"])
    XCTAssertEqual(air.map(\.unit), ["°C", "%RH", "hPa", "Ω"])
    guard air.count == 4 else { return }
    XCTAssertEqual(air[0].value, 19, accuracy: 0.02)
    XCTAssertEqual(air[2].value, 1013.25, accuracy: 0.03)
    let ohms = SimulatedBME680.gasResistanceOhms(in: bus.environment)
    XCTAssertEqual(air[3].value, ohms, accuracy: ohms * 0.002)
    XCTAssertEqual(sampled["cold"]?.map(\.sensorName), ["cold", "cold.humidity", "cold.pressure"])
  }

  /// A BME680 measures humidity, so it is the gas sensors' hygrometer; a TMP105 before it in
  /// the list is passed over, as it measures temperature alone.
  func testABME680IsAHygrometerAndATMP105IsNot() {
    let bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(temperatureCelsius: 22, relativeHumidityPercent: 55))
    let sgp30 = SimulatedSGP30()
    for chip: any SimulatedI2CChip in [sgp30, SimulatedTMP105(), SimulatedBME680()] {
      bus.attach(chip)
    }
    let thermometer = SampledChip(.tmp105(TMP105()), sensorName: "shelf")
    XCTAssertFalse(thermometer.measuresAirHumidity)
    var alone = SamplingScheduler(
      chips: [
        (thermometer, .seconds(1)), (SampledChip(.sgp30(SGP30()), sensorName: "voc"), .seconds(1)),
      ], start: .zero)
    let shelf = run(&alone, on: bus, until: .zero + .milliseconds(2500)).compactMap {
      entry -> [SampledValue]? in
      guard case .sampled(TMP105.defaultAddress, let values) = entry.event else { return nil }
      return values
    }
    XCTAssertEqual(shelf.count, 3)
    XCTAssertEqual(shelf.first?.map(\.unit), ["°C"])
    XCTAssertEqual(shelf.first?.first?.value ?? 0, 22, accuracy: 0.0625)
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, 0, "no hygrometer, no compensation")
    var scheduler = SamplingScheduler(
      chips: [
        (thermometer, .seconds(1)),
        (SampledChip(.sgp30(SGP30()), sensorName: "voc"), .seconds(1)),
        (SampledChip(.bme680(BME680()), sensorName: "air"), .seconds(10)),
      ], start: bus.now)
    let air = run(&scheduler, on: bus, until: bus.now + .seconds(5)).compactMap {
      entry -> [SampledValue]? in
      guard case .sampled(BME680.primaryAddress, let values) = entry.event else { return nil }
      return values
    }
    XCTAssertEqual(air.count, 1)
    guard let values = air.first, values.count == 4 else { return XCTFail("\(air)") }
    let gramsPerCubicMetre = AbsoluteHumidity.gramsPerCubicMetre(
      temperatureCelsius: values[0].value, relativeHumidityPercent: values[1].value)
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, UInt16((gramsPerCubicMetre * 256).rounded()))
  }

  /// After the sensors' power was cut, every chip starts over from its probe on a new grid; an
  /// SGP30 warms up again, and is told the humidity again, which it forgot.
  func testARestartProbesEveryChipAgainAndResendsTheHumidity() {
    let bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(
        temperatureCelsius: 20, relativeHumidityPercent: 50, totalVOCPartsPerBillion: 250))
    let sgp30 = SimulatedSGP30()
    bus.attach(sgp30)
    bus.attach(SimulatedBME280())
    var scheduler = SamplingScheduler(
      chips: [
        (SampledChip(.sgp30(SGP30()), sensorName: "voc"), .seconds(1)),
        (SampledChip(.bme280(BME280()), sensorName: "air"), .seconds(60)),
      ], start: .zero)
    _ = run(&scheduler, on: bus, until: .zero + .milliseconds(30_500))
    let told = sgp30.absoluteHumidityFixedPoint
    XCTAssertNotEqual(told, 0)
    bus.cutPower()
    bus.now = .zero + .seconds(32)
    bus.restorePower()
    scheduler.restart(at: bus.now)
    XCTAssertEqual(scheduler.deadline, .zero + .seconds(32))
    let events = run(&scheduler, on: bus, until: .zero + .seconds(50))
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, told)
    let tvoc = events.compactMap { entry -> Instant? in
      guard case .sampled(SGP30.address, _) = entry.event else { return nil }
      return entry.at
    }
    XCTAssertEqual(events.count, tvoc.count + 1, "the BME280 once, no failures: \(events)")
    XCTAssertGreaterThan(tvoc.first ?? .zero, .zero + .seconds(32) + SGP30.warmUpDuration)
  }
}
