import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// The compensation against fixed vectors. The BME680 datasheet has no worked example, so the
/// expected values were computed independently, in Python: the datasheet's integer formulas in
/// unbounded integers with C's division, and its floating-point formulas in doubles. The integer
/// results are pinned exactly; the floating-point ones show the two versions agree.
final class BME680CompensationTests: XCTestCase {
  /// The calibration of `BME680Trimming.example` as register bytes, encoded by hand: 0x8A-0xA0,
  /// 0xE1-0xEE and 0x00-0x04 (whose other bits, set here, must be masked off).
  private let exampleCalibration = BME680Calibration(
    firstBlock: [
      0x97, 0x67, 0x03, 0x00, 0xC0, 0x88, 0xD4, 0xD7, 0x58, 0x00, 0xDC, 0x25, 0x36, 0xFF, 0x18,
      0x1E, 0x00, 0x00, 0xFC, 0xFD, 0x73, 0xF2, 0x1E,
    ],
    secondBlock: [
      0x3E, 0xFA, 0x31, 0x00, 0x2D, 0x14, 0x78, 0x9C, 0x5B, 0x66, 0x56, 0xCD, 0xE2, 0x12,
    ],
    heaterBlock: [0x2B, 0x00, 0x95, 0x00, 0xF3])

  /// A made-up calibration with negative values where the example has positive ones or zeros.
  private let negativeCalibration = BME680Calibration(
    firstBlock: [
      0x14, 0x69, 0xFD, 0x00, 0x68, 0x8D, 0x98, 0xD6, 0xB0, 0x00, 0x60, 0x22, 0x6A, 0xFF, 0xEC,
      0xE7, 0x00, 0x00, 0xD4, 0xFE, 0x48, 0xF4, 0x28,
    ],
    secondBlock: [
      0x44, 0xCC, 0x2B, 0xFB, 0x28, 0xEC, 0x64, 0xB0, 0x64, 0x64, 0xD8, 0xDC, 0x0C, 0xEC,
    ],
    heaterBlock: [0xF6, 0x00, 0x20, 0x00, 0x30])

  func testCalibrationRegistersDecode() {
    let calibration = exampleCalibration
    XCTAssertEqual([calibration.t1, calibration.p1], [26_203, 35_008])
    XCTAssertEqual(
      [calibration.t2, calibration.p2, calibration.p4, calibration.p5],
      [26_519, -10_284, 9692, -202])
    XCTAssertEqual([calibration.p8, calibration.p9, calibration.g2], [-516, -3469, -12_970])
    XCTAssertEqual(
      [calibration.t3, calibration.p3, calibration.p6, calibration.p7], [3, 88, 30, 24])
    XCTAssertEqual(calibration.p10, 30)
    XCTAssertEqual([calibration.h1, calibration.h2], [794, 1007])
    XCTAssertEqual(
      [calibration.h3, calibration.h4, calibration.h5, calibration.h7],
      [0, 45, 20, -100])
    XCTAssertEqual(calibration.h6, 120)
    XCTAssertEqual([calibration.g1, calibration.g3], [-30, 18])
    XCTAssertEqual(calibration.heaterResistanceRange, 1)
    XCTAssertEqual(calibration.heaterResistanceCorrection, 43)
    // 0x04 = 0xF3: the high nibble 0xF is -1 as a signed 4-bit value.
    XCTAssertEqual(calibration.rangeSwitchingError, -1)
  }

  func testNegativeCalibrationRegistersDecode() {
    let calibration = negativeCalibration
    XCTAssertEqual(
      [calibration.t3, calibration.p3, calibration.p6, calibration.p7],
      [-3, -80, -25, -20])
    XCTAssertEqual([calibration.h3, calibration.h5, calibration.g3], [-5, -20, -20])
    XCTAssertEqual([calibration.h1, calibration.h2], [700, 1100])
    XCTAssertEqual(calibration.g1, 12)
    XCTAssertEqual(calibration.heaterResistanceCorrection, -10)
    XCTAssertEqual(calibration.heaterResistanceRange, 2)
    XCTAssertEqual(calibration.rangeSwitchingError, 3)
  }

  func testTheExampleChipsVector() throws {
    // Raw: temperature 488850, pressure 350000, humidity 22000, gas 600 in range 5, with
    // gas_valid and heat_stab set.
    let data: [UInt8] = [
      0x80, 0x00, 0x55, 0x73, 0x00, 0x77, 0x59, 0x20, 0x55, 0xF0, 0x00, 0x00, 0x00, 0x96, 0x35,
    ]
    XCTAssertEqual(exampleCalibration.fineTemperature(rawTemperature: 488_850), 112_666)
    let reading = try BME680.compensate(data: data, calibration: exampleCalibration)
    XCTAssertEqual(
      reading,
      BME680Measurement(
        temperatureCelsius: 22.01, pressurePascals: 96_478, relativeHumidityPercent: 47.345,
        gasResistanceOhms: 232_764))
    // The floating-point formulas give 22.0060 °C, 96476.70 Pa, 47.3534 %RH and 232763.94 Ω.
    XCTAssertEqual(reading.temperatureCelsius, 22.0060, accuracy: 0.01)
    XCTAssertEqual(reading.pressurePascals, 96_476.70, accuracy: 1.5)
    XCTAssertEqual(reading.relativeHumidityPercent, 47.3534, accuracy: 0.01)
    XCTAssertEqual(try XCTUnwrap(reading.gasResistanceOhms), 232_763.94, accuracy: 1)
  }

  func testNegativeCalibrationVectors() throws {
    // Raw 560000, 300000, 18000 and gas 900 in range 2: hot air at high pressure. At 109 kPa
    // the datasheet's 32-bit par_p10 product would overflow (3.1e9), the 64-bit one does not.
    let hot = try BME680.compensate(
      data: [
        0x80, 0x00, 0x49, 0x3E, 0x00, 0x88, 0xB8, 0x00, 0x46, 0x50, 0x00, 0x00, 0x00, 0xE1, 0x32,
      ], calibration: negativeCalibration)
    XCTAssertEqual(
      hot,
      BME680Measurement(
        temperatureCelsius: 47.70, pressurePascals: 109_357, relativeHumidityPercent: 35.306,
        gasResistanceOhms: 1_554_791))
    // Floating point: 47.7041 °C, 109358.63 Pa, 35.3137 %RH, 1554790.59 Ω.
    XCTAssertEqual(hot.temperatureCelsius, 47.7041, accuracy: 0.01)
    XCTAssertEqual(hot.pressurePascals, 109_358.63, accuracy: 2)
    XCTAssertEqual(hot.relativeHumidityPercent, 35.3137, accuracy: 0.01)
    XCTAssertEqual(try XCTUnwrap(hot.gasResistanceOhms), 1_554_790.59, accuracy: 1)

    // Raw 420000, 380000, 24000 and gas 300 in range 9: cold, damp air.
    let cold = try BME680.compensate(
      data: [
        0x80, 0x00, 0x5C, 0xC6, 0x00, 0x66, 0x8A, 0x00, 0x5D, 0xC0, 0x00, 0x00, 0x00, 0x4B, 0x39,
      ], calibration: negativeCalibration)
    XCTAssertEqual(
      cold,
      BME680Measurement(
        temperatureCelsius: 2.82, pressurePascals: 87_835, relativeHumidityPercent: 71.627,
        gasResistanceOhms: 18_523))
    // Floating point: 2.8219 °C, 87835.92 Pa, 71.6531 %RH, 18523.08 Ω.
    XCTAssertEqual(cold.pressurePascals, 87_835.92, accuracy: 1.5)
    XCTAssertEqual(cold.relativeHumidityPercent, 71.6531, accuracy: 0.03)
  }

  func testHeaterTargetCodes() {
    // Integer formula; the floating-point one gives 110.33, 115.41 and 105.32, about one step
    // away: its ambient term is a hundred times the integer formula's.
    XCTAssertEqual(
      exampleCalibration.heaterResistanceCode(targetCelsius: 300, ambientCelsius: 25), 109)
    XCTAssertEqual(
      exampleCalibration.heaterResistanceCode(targetCelsius: 320, ambientCelsius: 25), 114)
    XCTAssertEqual(
      negativeCalibration.heaterResistanceCode(targetCelsius: 300, ambientCelsius: 25), 106)
    XCTAssertEqual(
      exampleCalibration.heaterResistanceCode(targetCelsius: 200, ambientCelsius: -40), 84)
    XCTAssertEqual(
      exampleCalibration.heaterResistanceCode(targetCelsius: 400, ambientCelsius: 85), 135)
  }

  func testHeatingTimeCodes() {
    // gas_wait: 6 bits of milliseconds times 1, 4, 16 or 64 (bits 7:6).
    let cases: [(milliseconds: Int, code: UInt8, heating: Duration)] = [
      (1, 0x01, .milliseconds(1)), (63, 0x3F, .milliseconds(63)), (64, 0x50, .milliseconds(64)),
      (100, 0x59, .milliseconds(100)), (150, 0x65, .milliseconds(148)),
      (1000, 0xBE, .milliseconds(992)), (4032, 0xFF, .milliseconds(4032)),
    ]
    for (milliseconds, code, heating) in cases {
      let heater = BME680Heater(targetCelsius: 300, heatingMilliseconds: milliseconds)
      XCTAssertEqual(heater.waitCode, code, "\(milliseconds) ms")
      XCTAssertEqual(heater.heatingDuration, heating, "\(milliseconds) ms")
    }
  }

  func testMeasurementTime() {
    // 3 samples of 1.963 ms, 9 x 0.477 ms and 1 ms, then the quick start's 100 ms of heating.
    XCTAssertEqual(BME680Settings().measurementTime, .microseconds(111_182))
    XCTAssertEqual(BME680Settings(heater: nil).measurementTime, .microseconds(11_182))
    let oversampled = BME680Settings(
      temperatureOversampling: .times16, pressureOversampling: .times4,
      humidityOversampling: .times2, heater: nil)
    XCTAssertEqual(oversampled.measurementTime, .microseconds(22 * 1963 + 9 * 477 + 1000))
  }

  func testAnInvalidGasReadingOrAnUnstableHeaterIsNotAValue() throws {
    var data: [UInt8] = [
      0x80, 0x00, 0x55, 0x73, 0x00, 0x77, 0x59, 0x20, 0x55, 0xF0, 0x00, 0x00, 0x00, 0x96, 0x35,
    ]
    data[14] = 0x95  // heat_stab without gas_valid: a dummy conversion.
    XCTAssertNil(
      try BME680.compensate(data: data, calibration: exampleCalibration).gasResistanceOhms)
    data[14] = 0xA5  // gas_valid without heat_stab: the heater fell short of its target.
    let reading = try BME680.compensate(data: data, calibration: exampleCalibration)
    XCTAssertNil(reading.gasResistanceOhms)
    XCTAssertEqual(reading.temperatureCelsius, 22.01)
  }

  func testSkippedMeasurementIsNotAValue() {
    // The memory map's reset values (section 5.2): 0x80000 for pressure and temperature, 0x8000 for humidity.
    let resetData: [UInt8] = [0, 0, 0x80, 0, 0, 0x80, 0, 0, 0x80, 0, 0, 0, 0, 0, 0]
    assertThrows(.invalidData("the chip reports a quantity not measured")) {
      () throws(SensorError) in
      try BME680.compensate(data: resetData, calibration: exampleCalibration)
    }
  }
}

final class BME680Tests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedBME680()
  private var driver = BME680()

  override func setUp() {
    bus = SimulatedI2CBus()
    chip = SimulatedBME680()
    bus.attach(chip)
    driver = BME680()
  }

  private func probe() throws(SensorError) {
    try complete(on: bus) { bus, now throws(SensorError) in try driver.probe(on: &bus, now: now) }
  }

  private func measure() throws(SensorError) -> BME680Measurement {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measure(on: &bus, now: now)
    }
  }

  /// One register of the simulated chip, read past the driver.
  private func register(_ number: UInt8) throws -> UInt8 {
    try bus.writeThenRead([number], count: 1, at: BME680.primaryAddress)[0]
  }

  func testProbeResetsTheChipAndReadsTheCalibration() throws {
    try bus.write([0x72, 0x05], to: BME680.primaryAddress)
    let started = bus.now
    try probe()
    XCTAssertEqual(bus.now, started.advanced(by: BME680.startupTime))
    XCTAssertEqual(try register(0x72), 0, "the soft reset cleared ctrl_hum")
    XCTAssertEqual(driver.calibration?.t1, 26_203)
    XCTAssertEqual(driver.calibration?.h2, 1007)
    XCTAssertEqual(driver.calibration?.rangeSwitchingError, -1)
  }

  func testForcedMeasurementsFollowTheEnvironment() throws {
    try probe()
    let environments = [
      PhysicalEnvironment(
        temperatureCelsius: 3.5, relativeHumidityPercent: 88, pressurePascals: 99_800,
        totalVOCPartsPerBillion: 0),
      PhysicalEnvironment(
        temperatureCelsius: 21, relativeHumidityPercent: 45, pressurePascals: 101_325,
        totalVOCPartsPerBillion: 80),
      PhysicalEnvironment(
        temperatureCelsius: 34.2, relativeHumidityPercent: 12, pressurePascals: 103_100,
        totalVOCPartsPerBillion: 2500),
      PhysicalEnvironment(
        temperatureCelsius: -15, relativeHumidityPercent: 60, pressurePascals: 70_000,
        totalVOCPartsPerBillion: 400),
    ]
    for environment in environments {
      bus.environment = environment
      let started = bus.now
      let reading = try measure()
      XCTAssertEqual(bus.now, started.advanced(by: BME680Settings().measurementTime))
      // The model's raw values come from the datasheet's floating-point formulas; the driver's
      // integer formulas must agree to within their resolution and a raw step.
      XCTAssertEqual(reading.temperatureCelsius, environment.temperatureCelsius, accuracy: 0.02)
      XCTAssertEqual(reading.pressurePascals, environment.pressurePascals, accuracy: 3)
      XCTAssertEqual(
        reading.relativeHumidityPercent, environment.relativeHumidityPercent, accuracy: 0.05)
      let resistance = SimulatedBME680.gasResistanceOhms(in: environment)
      XCTAssertEqual(
        try XCTUnwrap(reading.gasResistanceOhms), resistance, accuracy: resistance * 0.002)
    }
  }

  func testGasResistanceFallsAsVOCsRise() throws {
    try probe()
    var resistances: [Double] = []
    for voc in [0.0, 100, 1000, 10_000] {
      bus.environment.totalVOCPartsPerBillion = voc
      resistances.append(try XCTUnwrap(try measure().gasResistanceOhms))
    }
    XCTAssertEqual(resistances[0], 100_000, accuracy: 200)
    XCTAssertEqual(resistances, resistances.sorted(by: >))
  }

  func testTheHeaterSetPointIsWritten() throws {
    try probe()
    _ = try measure()
    // 300 °C at the assumed 25 °C: the integer formula's 109 for this calibration.
    XCTAssertEqual(try register(0x5A), 109)
    XCTAssertEqual(try register(0x64), 0x59, "100 ms")
    XCTAssertEqual(try register(0x71), 0x10, "run_gas, set-point 0")
  }

  func testWithoutGasTheReadingHasNoGasResistance() throws {
    driver = BME680(settings: BME680Settings(heater: nil))
    try probe()
    let started = bus.now
    let reading = try measure()
    XCTAssertEqual(bus.now, started.advanced(by: .microseconds(11_182)))
    XCTAssertNil(reading.gasResistanceOhms)
    XCTAssertEqual(reading.temperatureCelsius, 21, accuracy: 0.02)
    XCTAssertEqual(try register(0x71), 0)
  }

  func testAHeaterTooShortToSettleGivesNoGasResistance() throws {
    let heater = BME680Heater(targetCelsius: 300, heatingMilliseconds: 10)
    driver = BME680(settings: BME680Settings(heater: heater))
    try probe()
    let reading = try measure()
    XCTAssertNil(reading.gasResistanceOhms)
    XCTAssertEqual(reading.relativeHumidityPercent, 45, accuracy: 0.05)
    // gas_valid_r set, heat_stab_r clear.
    XCTAssertEqual(try register(0x2B) & 0x30, 0x20)
  }

  func testOversamplingLengthensTheMeasurement() throws {
    let settings = BME680Settings(
      temperatureOversampling: .times16, pressureOversampling: .times16,
      humidityOversampling: .times16)
    driver = BME680(settings: settings)
    try probe()
    let started = bus.now
    let reading = try measure()
    XCTAssertEqual(bus.now, started.advanced(by: settings.measurementTime))
    XCTAssertEqual(try register(0x74), 0b101_101_00, "x16 each, back in sleep mode")
    XCTAssertEqual(try register(0x72), 0b101)
    XCTAssertEqual(reading.pressurePascals, 101_325, accuracy: 3)
  }

  func testASlowChipIsPolledUntilItsDataIsNew() throws {
    try probe()
    chip.conversionDelay = .milliseconds(12)
    let started = bus.now
    let transactionsBefore = bus.transactionCount
    XCTAssertEqual(try measure().temperatureCelsius, 21, accuracy: 0.02)
    // Polls 5 and 10 ms after the budget find it measuring; the one at 15 ms reads the data.
    XCTAssertEqual(
      bus.now, started.advanced(by: BME680Settings().measurementTime + .milliseconds(15)))
    XCTAssertEqual(bus.transactionCount - transactionsBefore, 1 + 4)
  }

  func testAMeasurementLostToAPowerCycleTimesOut() throws {
    try probe()
    guard case .wait(let readyAt) = try driver.measure(on: &bus, now: bus.now) else {
      return XCTFail("a measurement takes time")
    }
    // The chip loses power mid-measurement: it wakes asleep, with no new data.
    chip.unplug()
    chip.plugIn(now: bus.now)
    bus.now = readyAt
    assertThrows(.measurementTimedOut) { () throws(SensorError) in try measure() }
    XCTAssertGreaterThanOrEqual(
      bus.now.duration(since: readyAt), BME680.dataReadyTimeout)
    // The next measurement sets the chip up again; the calibration is the same.
    XCTAssertEqual(try measure().temperatureCelsius, 21, accuracy: 0.02)
  }

  func testAnotherChipIsRefused() {
    chip.faults.corruptedReadsRemaining = 1  // The ID reads 0x60 (a BME280's).
    assertThrows(.unexpectedIdentity("chip ID 0x60, a BME680 has 0x61")) {
      () throws(SensorError) in try probe()
    }
  }

  func testTransientNAKsAreRetried() throws {
    chip.faults.addressNAKsRemaining = 2
    try probe()
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(try measure().temperatureCelsius, 21, accuracy: 0.02)
  }

  func testNAKsOnEveryAttemptMeanTheChipIsGone() throws {
    try probe()
    chip.faults.addressNAKsRemaining = 3
    assertThrows(.notResponding(BME680.primaryAddress)) { () throws(SensorError) in
      try measure()
    }
    XCTAssertEqual(try measure().relativeHumidityPercent, 45, accuracy: 0.05)
  }

  func testUnpluggedAndPluggedBack() throws {
    try probe()
    chip.unplug()
    assertThrows(.notResponding(BME680.primaryAddress)) { () throws(SensorError) in try measure() }
    chip.plugIn(now: bus.now)
    XCTAssertEqual(try measure().relativeHumidityPercent, 45, accuracy: 0.05)
  }

  func testStuckReadingsRepeat() throws {
    try probe()
    let before = try measure()
    chip.stick(at: bus.environment)
    bus.environment.temperatureCelsius = 30
    bus.environment.totalVOCPartsPerBillion = 3000
    XCTAssertEqual(try measure(), before)
  }

  func testAnAbsentBusFails() {
    bus.isPresent = false
    assertThrows(.busFailed(.busAbsent)) { () throws(SensorError) in try probe() }
  }

  func testSecondaryAddress() throws {
    let other = SimulatedBME680(address: BME680.secondaryAddress)
    bus.attach(other)
    var secondDriver = BME680(address: BME680.secondaryAddress)
    try complete(on: bus) { bus, now throws(SensorError) in
      try secondDriver.probe(on: &bus, now: now)
    }
    other.unplug()
    assertThrows(.notResponding(BME680.secondaryAddress)) { () throws(SensorError) in
      try complete(on: bus) { bus, now throws(SensorError) in
        try secondDriver.measure(on: &bus, now: now)
      }
    }
    XCTAssertNoThrow(try probe())
  }
}
