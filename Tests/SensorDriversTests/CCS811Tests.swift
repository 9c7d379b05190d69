import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class CCS811Tests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedCCS811()
  private var driver = CCS811()

  override func setUp() {
    bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(co2PartsPerMillion: 950, totalVOCPartsPerBillion: 220))
    chip = SimulatedCCS811()
    bus.attach(chip)
    driver = CCS811()
  }

  private func start() throws(SensorError) {
    try complete(on: bus) { bus, now throws(SensorError) in try driver.start(on: &bus, now: now) }
  }

  private func measure() throws(SensorError) -> CCS811AirQuality {
    try complete(on: bus) { bus, now throws(SensorError) in try driver.measure(on: &bus, now: now) }
  }

  func testStartLeavesBootModeAndResultsComeEverySecond() throws {
    let started = bus.now
    try start()
    XCTAssertTrue(driver.isRunning)
    XCTAssertEqual(bus.now, started.advanced(by: CCS811.applicationStartTime))
    XCTAssertEqual(
      try measure(),
      CCS811AirQuality(co2EquivalentPartsPerMillion: 950, totalVOCPartsPerBillion: 220))
    XCTAssertGreaterThanOrEqual(bus.now, started.advanced(by: .seconds(1)))
    bus.environment.totalVOCPartsPerBillion = 5000  // Beyond the chip's 1187 ppb.
    XCTAssertEqual(try measure().totalVOCPartsPerBillion, 1187)
  }

  func testEnvironmentDataIsInUnitsOfOneFiveHundredTwelfth() throws {
    try start()
    try driver.setEnvironment(temperatureCelsius: 4.5, relativeHumidityPercent: 80.5, on: &bus)
    XCTAssertEqual(chip.environmentData.humidity, 41_216)  // 80.5 * 512
    XCTAssertEqual(chip.environmentData.temperature, 15_104)  // (4.5 + 25) * 512
  }

  func testAChipFaultIsReportedWithItsErrorID() throws {
    try start()
    chip.errorFlags = 0x10  // HEATER_FAULT
    assertThrows(.chipFault("ERROR_ID 0x10")) { () throws(SensorError) in try measure() }
    XCTAssertEqual(chip.errorFlags, 0, "reading ERROR_ID clears it")
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 950)
  }

  func testTransientNAKsAreRetried() throws {
    try start()
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 950)
  }

  func testUnpluggedThenPluggedBackMeansStartAgain() throws {
    try start()
    chip.unplug()
    assertThrows(.notResponding(CCS811.primaryAddress)) { () throws(SensorError) in try measure() }
    chip.plugIn(now: bus.now)
    assertThrows(.restarted) { () throws(SensorError) in try measure() }
    XCTAssertFalse(driver.isRunning)
    try start()
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 950)
  }

  func testAnotherChipIsRefused() {
    chip.faults.corruptedReadsRemaining = 1
    assertThrows(.unexpectedIdentity("HW_ID 0x80, a CCS811 has 0x81")) {
      () throws(SensorError) in try start()
    }
  }

  func testStuckReadingsRepeat() throws {
    try start()
    chip.stick(at: bus.environment)
    bus.environment.co2PartsPerMillion = 2000
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 950)
  }
}
