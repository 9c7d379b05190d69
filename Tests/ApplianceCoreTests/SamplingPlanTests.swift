import ApplianceCore
import ApplianceProfiles
import BoardSupport
import SimulatedBoard
import Time
import XCTest

/// The sampling plan built from each shipped profile: its chips, addresses and intervals, and
/// the names its values are published under, read by the real drivers from chip models on a
/// simulated bus at the profile's addresses.
final class SamplingPlanTests: XCTestCase {
  /// Runs `plan` on `bus` for `duration` and returns every published name with its values.
  private func run(
    _ plan: SamplingPlan, on bus: SimulatedI2CBus, for duration: Duration
  ) -> [String: [Double]] {
    var scheduler = plan.scheduler(start: .zero)
    var busReference = bus
    var values: [String: [Double]] = [:]
    while scheduler.deadline <= .zero + duration {
      bus.now = scheduler.deadline
      for event in scheduler.poll(on: &busReference, now: bus.now) {
        guard case .sampled(_, let sampled) = event else {
          XCTFail("\(event)")
          continue
        }
        for value in sampled { values[value.sensorName, default: []].append(value.value) }
      }
    }
    return values
  }

  func testPlantPotPlan() throws {
    let plan = SamplingPlan(profile: try shippedProfile("plant-pot"))
    XCTAssertEqual(plan.chips.map(\.chip.chipName), ["seesaw", "ADS1115", "BME280"])
    XCTAssertEqual(plan.chips.map(\.chip.address.value), [0x36, 0x48, 0x77])
    XCTAssertEqual(plan.chips.map(\.interval), [.seconds(60), .seconds(60), .seconds(60)])
    let bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(temperatureCelsius: 19, soilMoisturePercent: 40))
    bus.attach(SimulatedSeesawSoilSensor(address: I2CAddress(known: 0x36)))
    bus.attach(SimulatedADS1115(address: I2CAddress(known: 0x48), probeChannel: 0))
    bus.attach(SimulatedBME280(address: I2CAddress(known: 0x77)))
    let values = run(plan, on: bus, for: .seconds(125))
    XCTAssertEqual(
      Set(values.keys), ["soil", "soil-analog", "air", "air.humidity", "air.pressure"])
    for (name, series) in values { XCTAssertEqual(series.count, 3, name) }
    for value in values["soil"]! { XCTAssertEqual(value, 40, accuracy: 1) }
    // The profile's probe calibration (2.75 V dry, 1.25 V wet) is not quite the model's
    // probe (2.8 V, 1.2 V): a few points off, as a real calibration would be.
    for value in values["soil-analog"]! { XCTAssertEqual(value, 40, accuracy: 5) }
    for value in values["air"]! { XCTAssertEqual(value, 19, accuracy: 0.1) }
  }

  func testFridgePlan() throws {
    let plan = SamplingPlan(profile: try shippedProfile("fridge"))
    XCTAssertEqual(plan.chips.map(\.chip.chipName), ["SGP30", "SCD4x", "BME280"])
    XCTAssertEqual(plan.chips.map(\.chip.address.value), [0x58, 0x62, 0x77])
    XCTAssertEqual(plan.chips.map(\.interval), [.seconds(10), .seconds(30), .seconds(30)])
    // The SGP30 is measured once a second whatever the profile says (its baseline needs it).
    XCTAssertEqual(
      plan.chips.map(\.chip.measurementIntervalMax),
      [SampledChip.sgp30MeasurementInterval, nil, nil])
    let bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(
        temperatureCelsius: 4, relativeHumidityPercent: 45, co2PartsPerMillion: 900,
        totalVOCPartsPerBillion: 200))
    bus.attach(SimulatedSGP30())
    bus.attach(SimulatedSCD4x())
    bus.attach(SimulatedBME280(address: I2CAddress(known: 0x77)))
    let values = run(plan, on: bus, for: .seconds(65))
    XCTAssertEqual(
      Set(values.keys),
      [
        "voc", "voc.eco2", "co2", "co2.temperature", "co2.humidity", "air", "air.humidity",
        "air.pressure",
      ])
    // Turns at 0 s (its first value is ready 5 s after the start), 30 s and 60 s.
    XCTAssertEqual(values["co2"]!.count, 3)
    for value in values["co2"]! { XCTAssertEqual(value, 900, accuracy: 30) }
    for value in values["air"]! { XCTAssertEqual(value, 4, accuracy: 0.1) }
    // The means of 10 s intervals ending at 20 s to 60 s: the first fell in the warm-up.
    XCTAssertEqual(values["voc"], [200, 200, 200, 200, 200])
    XCTAssertEqual(values["voc.eco2"], [900, 900, 900, 900, 900])
  }

  /// A BME680 publishes four quantities, its gas resistance in ohms; a TMP105 one.
  func testPlanWithABME680AndATMP105() throws {
    let text = """
      {"kind": "fridge", "name": "Fridge", "sensors": [
        {"id": "air", "chip": "bme680", "bus": 1, "address": "0x76", "interval_seconds": 10},
        {"id": "shelf", "chip": "tmp105", "bus": 1, "address": "0x49", "interval_seconds": 5}
      ]}
      """
    let plan = SamplingPlan(
      profile: try SensorProfile.parse(Array(text.utf8), fileName: "fridge.json"))
    XCTAssertEqual(plan.chips.map(\.chip.chipName), ["BME680", "TMP105"])
    XCTAssertEqual(plan.chips.map(\.chip.address.value), [0x76, 0x49])
    let environment = PhysicalEnvironment(
      temperatureCelsius: 4, relativeHumidityPercent: 60, totalVOCPartsPerBillion: 400)
    let bus = SimulatedI2CBus(environment: environment)
    bus.attach(SimulatedBME680(address: I2CAddress(known: 0x76)))
    bus.attach(SimulatedTMP105(address: I2CAddress(known: 0x49)))
    let values = run(plan, on: bus, for: .seconds(25))
    XCTAssertEqual(
      Set(values.keys), ["air", "air.humidity", "air.pressure", "air.gas_resistance", "shelf"])
    XCTAssertEqual(values["air.gas_resistance"]?.count, 3)
    XCTAssertEqual(values["shelf"]?.count, 6)
    for value in values["air"]! { XCTAssertEqual(value, 4, accuracy: 0.02) }
    for value in values["air.humidity"]! { XCTAssertEqual(value, 60, accuracy: 0.05) }
    for value in values["air.pressure"]! { XCTAssertEqual(value, 1013.25, accuracy: 0.03) }
    let ohms = SimulatedBME680.gasResistanceOhms(in: environment)
    for value in values["air.gas_resistance"]! { XCTAssertEqual(value, ohms, accuracy: ohms / 500) }
    for value in values["shelf"]! { XCTAssertEqual(value, 4, accuracy: 0.0625) }
  }

  func testAnIntervalOverrideReplacesEveryInterval() throws {
    let plan = SamplingPlan(profile: try shippedProfile("fridge"), interval: .seconds(3))
    XCTAssertEqual(plan.chips.map(\.interval), [.seconds(3), .seconds(3), .seconds(3)])
  }

  /// A BME280 called `air` publishes `air.humidity`; a second sensor given that id would mix its
  /// values into the same series at the hub, so the plan names the clash.
  func testSensorIdsThatClashWithDerivedNamesAreFound() throws {
    let clashing = """
      {"kind": "plant-pot", "name": "Clash", "sensors": [
        {"id": "air", "chip": "bme280", "bus": 1, "address": "0x77", "interval_seconds": 60},
        {"id": "air.humidity", "chip": "seesaw", "bus": 1, "address": "0x36",
         "interval_seconds": 60, "calibration": {"dry": 320, "wet": 1015}}
      ]}
      """
    let plan = SamplingPlan(
      profile: try SensorProfile.parse(Array(clashing.utf8), fileName: "clash.json"))
    let clash = try XCTUnwrap(plan.publishedNameClash)
    XCTAssertEqual(clash.name, "air.humidity")
    XCTAssertEqual(clash.first, "air")
    XCTAssertEqual(clash.second, "air.humidity")
    for name in ["plant-pot", "fridge"] {
      XCTAssertNil(SamplingPlan(profile: try shippedProfile(name)).publishedNameClash, name)
    }
  }
}
