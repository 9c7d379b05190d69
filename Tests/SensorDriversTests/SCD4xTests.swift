import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class SCD4xTests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedSCD4x()
  private var driver = SCD4x()

  override func setUp() {
    bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(
        temperatureCelsius: 4.5, relativeHumidityPercent: 82, co2PartsPerMillion: 1840))
    chip = SimulatedSCD4x()
    bus.attach(chip)
    driver = SCD4x()
  }

  private func start() throws(SensorError) {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.startPeriodicMeasurement(on: &bus, now: now)
    }
  }

  private func measure() throws(SensorError) -> SCD4xMeasurement {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measure(on: &bus, now: now)
    }
  }

  func testProbeReadsTheSerialNumber() throws {
    let serial = try complete(on: bus) { bus, now throws(SensorError) in
      try driver.probe(on: &bus, now: now)
    }
    XCTAssertEqual(serial, chip.serialNumber)
  }

  func testMeasurementComesAfterTheFirstPeriodInSIUnits() throws {
    let started = bus.now
    try start()
    XCTAssertTrue(driver.isMeasuringPeriodically)
    let reading = try measure()
    XCTAssertGreaterThanOrEqual(bus.now, started.advanced(by: .seconds(5)))
    XCTAssertEqual(reading.co2PartsPerMillion, 1840)
    // One step of the 16-bit words is 175/65535 degrees and 100/65535 percent.
    XCTAssertEqual(reading.temperatureCelsius, 4.5, accuracy: 175.0 / 65_535)
    XCTAssertEqual(reading.relativeHumidityPercent, 82, accuracy: 100.0 / 65_535)
  }

  func testConversionOfTheDatasheetFormula() throws {
    // Words 0x6667 and 0x5EB9 are about 25 °C and 37 %RH (SCD4x datasheet, section 3.5.2).
    bus.environment.temperatureCelsius = -45 + 175 * Double(0x6667) / 65_535
    bus.environment.relativeHumidityPercent = 100 * Double(0x5EB9) / 65_535
    try start()
    let reading = try measure()
    XCTAssertEqual(reading.temperatureCelsius, 25.0, accuracy: 0.01)
    XCTAssertEqual(reading.relativeHumidityPercent, 37.0, accuracy: 0.01)
  }

  func testACorruptedWordIsReported() throws {
    try start()
    bus.advance(by: .seconds(5))
    chip.faults.corruptedReadsRemaining = 1
    assertThrows(.checksumMismatch) { () throws(SensorError) in try measure() }
    XCTAssertEqual(try measure().co2PartsPerMillion, 1840)
  }

  func testTransientNAKsAreRetried() throws {
    try start()
    bus.advance(by: .seconds(5))
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(try measure().co2PartsPerMillion, 1840)
  }

  func testUnpluggedSensorIsGone() throws {
    try start()
    chip.unplug()
    assertThrows(.notResponding(SCD4x.address)) { () throws(SensorError) in try measure() }
  }

  func testAReplugThatEndedPeriodicModeTimesOutThenRestarts() throws {
    try start()
    _ = try measure()
    chip.unplug()
    chip.plugIn(now: bus.now)
    // The chip powered on idle: no data ever becomes ready, so the driver gives up in bounded time.
    let replugged = bus.now
    assertThrows(.measurementTimedOut) { () throws(SensorError) in try measure() }
    XCTAssertLessThanOrEqual(bus.now, replugged.advanced(by: SCD4x.dataReadyTimeout + .seconds(1)))
    XCTAssertFalse(driver.isMeasuringPeriodically)
    try start()
    XCTAssertEqual(try measure().co2PartsPerMillion, 1840)
  }

  func testStuckReadingsRepeat() throws {
    try start()
    chip.stick(at: bus.environment)
    bus.environment.co2PartsPerMillion = 450
    XCTAssertEqual(try measure().co2PartsPerMillion, 1840)
    chip.faults.stuckEnvironment = nil
    XCTAssertEqual(try measure().co2PartsPerMillion, 450)
  }

  func testAStopThatNeverReachedTheChipLeavesItMeasuring() throws {
    try start()
    chip.faults.addressNAKsRemaining = 3
    assertThrows(.notResponding(SCD4x.address)) { () throws(SensorError) in
      try complete(on: bus) { bus, now throws(SensorError) in
        try driver.stopPeriodicMeasurement(on: &bus, now: now)
      }
    }
    XCTAssertTrue(driver.isMeasuringPeriodically)
    XCTAssertEqual(try measure().co2PartsPerMillion, 1840)
  }

  func testStopWaitsFiveHundredMillisecondsThenTheChipIsIdle() throws {
    try start()
    let stopping = bus.now
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.stopPeriodicMeasurement(on: &bus, now: now)
    }
    XCTAssertEqual(bus.now, stopping.advanced(by: .milliseconds(500)))
    XCTAssertFalse(chip.isMeasuringPeriodically)
  }
}
