import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class SeesawSoilSensorTests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedSeesawSoilSensor()
  private var driver = SeesawSoilSensor()
  private let calibration = MoistureCalibration(
    dry: SimulatedSeesawSoilSensor.dryCount, wet: SimulatedSeesawSoilSensor.wetCount)

  override func setUp() {
    bus = SimulatedI2CBus(environment: PhysicalEnvironment(temperatureCelsius: 19.25))
    chip = SimulatedSeesawSoilSensor()
    bus.attach(chip)
    driver = SeesawSoilSensor()
  }

  private func capacitance() throws(SensorError) -> UInt16 {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measureCapacitance(on: &bus, now: now)
    }
  }

  func testProbeReadsTheHardwareID() throws {
    let identity = try complete(on: bus) { bus, now throws(SensorError) in
      try driver.probe(on: &bus, now: now)
    }
    XCTAssertEqual(identity, 0x55)
  }

  func testCapacitanceBecomesPercentThroughTheCalibration() throws {
    for moisture in [0.0, 25, 40, 100] {
      bus.environment.soilMoisturePercent = moisture
      let count = try capacitance()
      XCTAssertEqual(calibration.percent(raw: Double(count)), moisture, accuracy: 0.1)
    }
  }

  func testTemperatureIsSixteenDotSixteenFixedPoint() throws {
    let celsius = try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measureTemperature(on: &bus, now: now)
    }
    XCTAssertEqual(celsius, 19.25, accuracy: 1.0 / 65_536)
  }

  func testAnswersFromAnUnreadyFirmwareAreAskedAgain() throws {
    chip.lateAnswersRemaining = 2
    let before = bus.transactionCount
    XCTAssertEqual(calibration.percent(raw: Double(try capacitance())), 40, accuracy: 0.1)
    XCTAssertEqual(bus.transactionCount - before, 6, "three requests and three reads")
  }

  func testAFirmwareThatIsNeverReadyIsReportedNotInvented() {
    chip.lateAnswersRemaining = 3
    assertThrows(.invalidData("capacitance count 65535 above 4095")) {
      () throws(SensorError) in try capacitance()
    }
  }

  func testAnInterruptedMeasurementDoesNotUseUpTheNextOnesAttempts() throws {
    chip.lateAnswersRemaining = 2
    var busReference = bus
    _ = try driver.measureCapacitance(on: &busReference, now: bus.now)
    bus.advance(by: .milliseconds(5))
    _ = try driver.measureCapacitance(on: &busReference, now: bus.now)  // Late: asks again.
    bus.advance(by: .milliseconds(5))
    chip.unplug()
    assertThrows(.notResponding(SeesawSoilSensor.defaultAddress)) { () throws(SensorError) in
      try driver.measureCapacitance(on: &busReference, now: bus.now)
    }
    chip.plugIn(now: bus.now)
    chip.lateAnswersRemaining = 2
    XCTAssertEqual(calibration.percent(raw: Double(try capacitance())), 40, accuracy: 0.1)
  }

  func testTransientNAKsAreRetried() throws {
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(calibration.percent(raw: Double(try capacitance())), 40, accuracy: 0.1)
  }

  func testUnpluggedAndPluggedBack() throws {
    chip.unplug()
    assertThrows(.notResponding(SeesawSoilSensor.defaultAddress)) { () throws(SensorError) in
      try capacitance()
    }
    chip.plugIn(now: bus.now)
    XCTAssertGreaterThan(try capacitance(), 0)
  }

  func testStuckReadingsRepeat() throws {
    chip.stick(at: bus.environment)
    bus.environment.soilMoisturePercent = 5
    XCTAssertEqual(calibration.percent(raw: Double(try capacitance())), 40, accuracy: 0.1)
  }

  func testACorruptedHardwareIDIsAnotherChip() {
    chip.faults.corruptedReadsRemaining = 1
    assertThrows(.unexpectedIdentity("hardware ID 0x54 is not a seesaw's")) {
      () throws(SensorError) in
      try complete(on: bus) { bus, now throws(SensorError) in try driver.probe(on: &bus, now: now) }
    }
  }
}

final class MoistureCalibrationTests: XCTestCase {
  func testRisingAndFallingSignalsAndClamping() {
    let capacitive = MoistureCalibration(dry: 300, wet: 1000)
    XCTAssertEqual(capacitive.percent(raw: 650), 50)
    XCTAssertEqual(capacitive.percent(raw: 200), 0)
    XCTAssertEqual(capacitive.percent(raw: 1200), 100)
    let voltage = MoistureCalibration(dry: 2.8, wet: 1.2)
    XCTAssertEqual(voltage.percent(raw: 2.0), 50, accuracy: 1e-9)
    XCTAssertEqual(voltage.percent(raw: 3.0), 0)
  }
}
