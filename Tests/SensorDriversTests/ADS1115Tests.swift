import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class ADS1115Tests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedADS1115()
  private var driver = ADS1115()
  private let calibration = MoistureCalibration(dry: 2.8, wet: 1.2)

  override func setUp() {
    bus = SimulatedI2CBus()
    chip = SimulatedADS1115()
    bus.attach(chip)
    driver = ADS1115()
  }

  private func volts(channel: Int = 0) throws(SensorError) -> Double {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measureVolts(channel: channel, on: &bus, now: now)
    }
  }

  func testConfigurationWordFollowsTheDatasheetFields() {
    // OS 1, MUX 100 (AIN0 to GND), PGA 001 (4.096 V), MODE 1, DR 100 (128 SPS), COMP_QUE 11.
    XCTAssertEqual(driver.configuration(channel: 0, startingConversion: true), 0xC383)
    XCTAssertEqual(driver.configuration(channel: 3, startingConversion: false), 0x7383)
    let fast = ADS1115(gain: .fullScale256Millivolts, dataRate: .samplesPerSecond860)
    XCTAssertEqual(fast.configuration(channel: 1, startingConversion: true), 0xDBE3)
  }

  func testProbeFindsARegisterThatKeepsItsValue() throws {
    try driver.probe(on: &bus)
  }

  func testProbeRefusesAConfigRegisterThatReadsBackWrong() {
    chip.faults.corruptedReadsRemaining = 1
    assertThrows(.unexpectedIdentity("config register reads 0xC283 after writing 0x4383")) {
      () throws(SensorError) in try driver.probe(on: &bus)
    }
  }

  func testSingleShotConversionWaitsOneSamplePeriod() throws {
    let started = bus.now
    bus.environment.soilMoisturePercent = 0
    XCTAssertEqual(try volts(), 2.8, accuracy: 4.096 / 32_768)
    // 1/128 s, and 10 % more for a slow oscillator.
    XCTAssertEqual(bus.now, started.advanced(by: .nanoseconds(7_812_500 + 781_250)))
  }

  func testASlowConversionIsPolledForAndAStuckOneTimesOut() throws {
    chip.conversionSlownessPercent = 15  // Beyond the datasheet's 10 %: one more status poll.
    bus.environment.soilMoisturePercent = 100
    XCTAssertEqual(try volts(), 1.2, accuracy: 4.096 / 32_768)
    chip.conversionSlownessPercent = 1000
    assertThrows(.measurementTimedOut) { () throws(SensorError) in try volts() }
  }

  func testVoltsBecomePercentThroughTheCalibration() throws {
    for moisture in [0.0, 33, 50, 100] {
      bus.environment.soilMoisturePercent = moisture
      XCTAssertEqual(calibration.percent(raw: try volts()), moisture, accuracy: 0.05)
    }
  }

  func testAnInputWithNothingOnItReadsZero() throws {
    XCTAssertEqual(try volts(channel: 2), 0)
  }

  func testAFailedReadLeavesNoConversionBehind() throws {
    var busReference = bus
    _ = try driver.measureVolts(channel: 0, on: &busReference, now: bus.now)
    bus.advance(by: .milliseconds(10))
    chip.faults.addressNAKsRemaining = 3
    assertThrows(.notResponding(ADS1115.defaultAddress)) { () throws(SensorError) in
      try driver.measureVolts(channel: 0, on: &busReference, now: bus.now)
    }
    // Another input next: a fresh conversion, not the abandoned one.
    XCTAssertEqual(try volts(channel: 2), 0)
  }

  func testTransientNAKsAreRetried() throws {
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(calibration.percent(raw: try volts()), 40, accuracy: 0.05)
  }

  func testUnpluggedAndPluggedBack() throws {
    chip.unplug()
    assertThrows(.notResponding(ADS1115.defaultAddress)) { () throws(SensorError) in try volts() }
    chip.plugIn(now: bus.now)
    XCTAssertEqual(calibration.percent(raw: try volts()), 40, accuracy: 0.05)
  }

  func testStuckReadingsRepeat() throws {
    chip.stick(at: bus.environment)
    bus.environment.soilMoisturePercent = 90
    XCTAssertEqual(calibration.percent(raw: try volts()), 40, accuracy: 0.05)
  }
}
