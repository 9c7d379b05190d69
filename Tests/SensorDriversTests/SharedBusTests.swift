import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// Several drivers on one bus, run by one loop that wakes at the earliest instant any of them
/// asked for, as an appliance's scheduler will: no driver blocks another while its chip converts.
final class SharedBusTests: XCTestCase {
  func testAFridgeBoardMeasuresWithFourChipsOnOneBus() throws {
    let fridge = PhysicalEnvironment(
      temperatureCelsius: 4, relativeHumidityPercent: 85, pressurePascals: 100_900,
      co2PartsPerMillion: 1400, totalVOCPartsPerBillion: 350)
    let bus = SimulatedI2CBus(environment: fridge)
    for chip: any SimulatedI2CChip in [
      SimulatedSGP30(), SimulatedSCD4x(), SimulatedBME280(), SimulatedCCS811(),
    ] {
      bus.attach(chip)
    }
    var sgp30 = SGP30()
    var scd4x = SCD4x()
    var bme280 = BME280()
    var ccs811 = CCS811()
    var busReference = bus
    try bme280.probe(on: &busReference)
    try complete(on: bus) { bus, now throws(SensorError) in
      try sgp30.initAirQuality(on: &bus, now: now)
    }
    try complete(on: bus) { bus, now throws(SensorError) in
      try scd4x.startPeriodicMeasurement(on: &bus, now: now)
    }
    try complete(on: bus) { bus, now throws(SensorError) in try ccs811.start(on: &bus, now: now) }
    let start = bus.now

    var sgp30Readings: [SGP30AirQuality] = []
    var scd4xReadings: [SCD4xMeasurement] = []
    var bme280Readings: [BME280Measurement] = []
    var ccs811Readings: [CCS811AirQuality] = []
    // Each driver runs one step when its wake-up comes, and answers when it wants to run
    // again: at the instant it waits for, or at its next sample once it has a reading.
    var wakeUps = [Instant](repeating: start, count: 4)
    let end = start.advanced(by: .seconds(60))
    while let next = wakeUps.indices.min(by: { wakeUps[$0] < wakeUps[$1] }), wakeUps[next] < end {
      XCTAssertGreaterThanOrEqual(wakeUps[next], bus.now, "time never runs backwards")
      let now = wakeUps[next]
      bus.now = now
      switch next {
      case 0:
        switch try sgp30.measureAirQuality(on: &busReference, now: now) {
        case .wait(let instant): wakeUps[0] = instant
        case .done(let reading):
          sgp30Readings.append(reading)
          wakeUps[0] = now.advanced(by: .seconds(1))  // The SGP30's baseline wants 1 Hz.
        }
      case 1:
        switch try scd4x.measure(on: &busReference, now: now) {
        case .wait(let instant): wakeUps[1] = instant
        case .done(let reading):
          scd4xReadings.append(reading)
          wakeUps[1] = now.advanced(by: .seconds(5))
        }
      case 2:
        switch try bme280.measure(on: &busReference, now: now) {
        case .wait(let instant): wakeUps[2] = instant
        case .done(let reading):
          bme280Readings.append(reading)
          wakeUps[2] = now.advanced(by: .seconds(10))
        }
      default:
        switch try ccs811.measure(on: &busReference, now: now) {
        case .wait(let instant): wakeUps[3] = instant
        case .done(let reading):
          ccs811Readings.append(reading)
          wakeUps[3] = now.advanced(by: .seconds(1))
        }
      }
    }

    // SGP30: once a second, the first 15 s its fixed warm-up values, then the fridge's air.
    XCTAssertEqual(sgp30Readings.count, 60, accuracy: 1)
    XCTAssertEqual(sgp30Readings.filter(\.isWarmingUp).count, 15, accuracy: 1)
    for reading in sgp30Readings where !reading.isWarmingUp {
      XCTAssertEqual(reading.co2EquivalentPartsPerMillion, 1400)
      XCTAssertEqual(reading.totalVOCPartsPerBillion, 350)
    }
    // SCD4x: one every 5 s.
    XCTAssertEqual(scd4xReadings.count, 12, accuracy: 1)
    XCTAssertTrue(scd4xReadings.allSatisfy { $0.co2PartsPerMillion == 1400 })
    // BME280: one every 10 s, each the fridge's air to its resolution.
    XCTAssertEqual(bme280Readings.count, 6)
    for reading in bme280Readings {
      XCTAssertEqual(reading.temperatureCelsius, 4, accuracy: 0.02)
      XCTAssertEqual(reading.relativeHumidityPercent, 85, accuracy: 0.05)
      XCTAssertEqual(reading.pressurePascals, 100_900, accuracy: 3)
    }
    // CCS811: one a second from its own schedule.
    XCTAssertEqual(ccs811Readings.count, 59, accuracy: 2)
    XCTAssertTrue(ccs811Readings.allSatisfy { $0.totalVOCPartsPerBillion == 350 })
  }
}
