import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// The compensation against the worked example, whose calibration and raw values the BMP280
/// datasheet gives (section 3.12; the BME280 datasheet uses the same temperature and pressure
/// formulas, and gives no humidity example).
final class BME280CompensationTests: XCTestCase {
  private let calibration: BME280Calibration = {
    let blocks = BME280Trimming.example.registerBlocks
    return BME280Calibration(firstBlock: blocks.first, secondBlock: blocks.second)
  }()

  func testCalibrationRegistersDecodeToTheDatasheetValues() {
    XCTAssertEqual(calibration.t1, 27_504)
    XCTAssertEqual(calibration.t2, 26_435)
    XCTAssertEqual(calibration.t3, -1000)
    XCTAssertEqual(calibration.p1, 36_477)
    XCTAssertEqual(calibration.p2, -10_685)
    XCTAssertEqual(calibration.p9, 6000)
    XCTAssertEqual(calibration.h4, 313)
    XCTAssertEqual(calibration.h5, 50)
    XCTAssertEqual(calibration.h6, 30)
  }

  func testTemperatureOfTheWorkedExample() {
    let fine = calibration.fineTemperature(rawTemperature: 519_888)
    XCTAssertEqual(fine, 128_422)
    XCTAssertEqual(calibration.temperatureCentidegrees(fineTemperature: fine), 2508)  // 25.08 °C
  }

  func testPressureOfTheWorkedExample() throws {
    let fine = calibration.fineTemperature(rawTemperature: 519_888)
    let pressure = try XCTUnwrap(
      calibration.pressure256thPascals(rawPressure: 415_148, fineTemperature: fine))
    // The datasheet's 100653.27 Pa comes from its floating-point formulas; the 64-bit integer
    // formula gives 25767233 / 256 = 100653.254 Pa (also worked out by hand in Python's
    // unbounded integers), within 0.02 Pa of it.
    XCTAssertEqual(pressure, 25_767_233)
    XCTAssertEqual(Double(pressure) / 256, 100_653.27, accuracy: 0.02)
  }

  func testRegistersOfAnotherChipGiveTheTemperatureAndHumidityComputedForThem() throws {
    // The raw calibration (0x88-0x9F, 0xA1, 0xE1-0xE7) and data (0xF7-0xFE) of someone's
    // BME280, posted on Bosch Sensortec's community forum ("BME280 Data to test Calculations",
    // 2019) with the values computed for them: 24.44 °C and 54.17 %RH. The pressure given there
    // (1148.38 hPa) was what the poster was asking about, so it is not used here.
    let calibrationBytes: [UInt8] = [
      0x6C, 0x6E, 0x77, 0x66, 0x32, 0x00, 0xA8, 0x92, 0x27, 0xD5, 0xD0, 0x0B, 0x6F, 0x18, 0xCA,
      0xFF, 0xF9, 0xFF, 0xAC, 0x26, 0x0A, 0xD8, 0xBD, 0x10, 0x4B, 0x65, 0x01, 0x00, 0x14, 0x0B,
      0x00, 0x1E,
    ]
    let data: [UInt8] = [0x55, 0x33, 0x80, 0x81, 0x7F, 0xB0, 0x79, 0x13]
    let calibration = BME280Calibration(
      firstBlock: Array(calibrationBytes[0..<24]) + [0x00, calibrationBytes[24]],
      secondBlock: Array(calibrationBytes[25...]))
    XCTAssertEqual(calibration.h4, 331)  // 0x14 << 4 | 0xB
    XCTAssertEqual(calibration.h5, 0)  // 0x00 << 4 | 0x0
    let measurement = try BME280.compensate(data: data, calibration: calibration)
    XCTAssertEqual(measurement.temperatureCelsius, 24.44)
    XCTAssertEqual(measurement.relativeHumidityPercent, 54.17, accuracy: 0.01)
  }

  func testNegativeHumidityCalibrationNibblesDecode() {
    // H4 = -3 and H5 = -2 put sign bits in 0xE4 and 0xE6 and share 0xE5.
    var trimming = BME280Trimming.example
    trimming.humidity.3 = -3
    trimming.humidity.4 = -2
    let blocks = trimming.registerBlocks
    let decoded = BME280Calibration(firstBlock: blocks.first, secondBlock: blocks.second)
    XCTAssertEqual(decoded.h4, -3)
    XCTAssertEqual(decoded.h5, -2)
  }

  func testSkippedMeasurementIsNotAValue() {
    // Table 18's reset values: 0x80000 for temperature and pressure, 0x8000 for humidity.
    let resetData: [UInt8] = [0x80, 0, 0, 0x80, 0, 0, 0x80, 0]
    XCTAssertThrowsError(try BME280.compensate(data: resetData, calibration: calibration))
  }
}

final class BME280Tests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedBME280()
  private var driver = BME280()

  override func setUp() {
    bus = SimulatedI2CBus()
    chip = SimulatedBME280()
    bus.attach(chip)
    driver = BME280()
  }

  private func measure() throws(SensorError) -> BME280Measurement {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measure(on: &bus, now: now)
    }
  }

  func testProbeReadsTheCalibration() throws {
    try driver.probe(on: &bus)
    XCTAssertEqual(driver.calibration?.t1, 27_504)
    XCTAssertEqual(driver.calibration?.h2, 362)
  }

  func testForcedMeasurementsFollowTheEnvironment() throws {
    try driver.probe(on: &bus)
    let environments = [
      PhysicalEnvironment(
        temperatureCelsius: 3.5, relativeHumidityPercent: 88, pressurePascals: 99_800),
      PhysicalEnvironment(
        temperatureCelsius: 21, relativeHumidityPercent: 45, pressurePascals: 101_325),
      PhysicalEnvironment(
        temperatureCelsius: 34.2, relativeHumidityPercent: 12, pressurePascals: 103_100),
    ]
    for environment in environments {
      bus.environment = environment
      let started = bus.now
      let reading = try measure()
      XCTAssertEqual(bus.now, started.advanced(by: BME280.measurementTime))
      // The model's raw values come from the datasheet's floating-point formulas; the driver's
      // integer formulas must agree to within their resolution and a raw step.
      XCTAssertEqual(reading.temperatureCelsius, environment.temperatureCelsius, accuracy: 0.02)
      XCTAssertEqual(reading.pressurePascals, environment.pressurePascals, accuracy: 3)
      XCTAssertEqual(
        reading.relativeHumidityPercent, environment.relativeHumidityPercent, accuracy: 0.05)
    }
  }

  func testAnotherChipIsRefused() {
    chip.faults.corruptedReadsRemaining = 1  // The ID reads 0x61 (a BME680's).
    assertThrows(.unexpectedIdentity("chip ID 0x61, a BME280 has 0x60")) { () throws(SensorError) in
      try driver.probe(on: &bus)
    }
  }

  func testTransientNAKsAreRetried() throws {
    try driver.probe(on: &bus)
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(try measure().temperatureCelsius, 21, accuracy: 0.02)
  }

  func testUnpluggedAndPluggedBack() throws {
    try driver.probe(on: &bus)
    chip.unplug()
    assertThrows(.notResponding(BME280.primaryAddress)) { () throws(SensorError) in try measure() }
    chip.plugIn(now: bus.now)
    XCTAssertEqual(try measure().relativeHumidityPercent, 45, accuracy: 0.05)
  }

  func testStuckReadingsRepeat() throws {
    try driver.probe(on: &bus)
    chip.stick(at: bus.environment)
    bus.environment.temperatureCelsius = 30
    XCTAssertEqual(try measure().temperatureCelsius, 21, accuracy: 0.02)
  }

  func testSecondaryAddress() throws {
    let other = SimulatedBME280(address: BME280.secondaryAddress)
    bus.attach(other)
    var secondDriver = BME280(address: BME280.secondaryAddress)
    try secondDriver.probe(on: &bus)
    other.unplug()
    XCTAssertThrowsError(try secondDriver.probe(on: &bus))
    XCTAssertNoThrow(try driver.probe(on: &bus))
  }
}
