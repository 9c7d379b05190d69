import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class TMP105Tests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedTMP105()
  private var driver = TMP105()

  override func setUp() {
    bus = SimulatedI2CBus(environment: PhysicalEnvironment(temperatureCelsius: 21.3))
    chip = SimulatedTMP105()
    bus.attach(chip)
    driver = TMP105()
  }

  private func probe() throws(SensorError) {
    var busReference = bus
    try driver.probe(on: &busReference, now: bus.now)
  }

  private func celsius() throws(SensorError) -> Double {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measureCelsius(on: &bus, now: now)
    }
  }

  /// The configuration register, read past the driver.
  private func configuration() throws -> UInt8 {
    try bus.writeThenRead([0x01], count: 1, at: TMP105.defaultAddress)[0]
  }

  func testTheDatasheetsTemperatureTable() {
    // TMP105 datasheet, table 2 ("Temperature Data Format"), 12-bit values left-justified.
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x7FF0), 127.9375)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x6400), 100)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x1900), 25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x0040), 0.25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x0000), 0)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0xFFC0), -0.25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0xE700), -25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0xC900), -55)
  }

  func testTheProbeSetsTwelveBitsAndTheFirstReadingWaitsForItsConversion() throws {
    let started = bus.now
    try probe()
    XCTAssertEqual(try configuration(), 0x60)
    XCTAssertEqual(try celsius(), 21.3125, "21.3 °C to the nearest 1/16")
    // The driver waits the worst case; the model's typical 12-bit conversion is 220 ms.
    XCTAssertEqual(bus.now, started.advanced(by: .milliseconds(330)))
  }

  func testReadingsFollowTheAirInSixteenthsOfADegree() throws {
    try probe()
    for temperature in [-25.0, -0.25, 0, 4.03, 25, 100] {
      bus.environment.temperatureCelsius = temperature
      // The chip converts on its own; the next conversion to end has the new air.
      bus.advance(by: .milliseconds(220))
      XCTAssertEqual(try celsius(), temperature, accuracy: 0.0625 / 2)
    }
  }

  func testTransientNAKsAreRetried() throws {
    chip.faults.addressNAKsRemaining = 2
    try probe()
    chip.faults.addressNAKsRemaining = 2
    XCTAssertEqual(try celsius(), 21.3125)
  }

  func testNAKsOnEveryAttemptMeanTheChipIsGone() throws {
    chip.faults.addressNAKsRemaining = 3
    assertThrows(.notResponding(TMP105.defaultAddress)) { () throws(SensorError) in try probe() }
    try probe()
    bus.advance(by: .milliseconds(330))
    chip.faults.addressNAKsRemaining = 3
    assertThrows(.notResponding(TMP105.defaultAddress)) { () throws(SensorError) in
      try celsius()
    }
    XCTAssertEqual(try celsius(), 21.3125)
  }

  /// Back from power-up the chip converts at 9 bits again, so the driver probes it again, as
  /// the appliance does after a failure.
  func testUnpluggedAndPluggedBack() throws {
    try probe()
    XCTAssertEqual(try celsius(), 21.3125)
    chip.unplug()
    assertThrows(.notResponding(TMP105.defaultAddress)) { () throws(SensorError) in
      try celsius()
    }
    chip.plugIn(now: bus.now)
    XCTAssertEqual(try configuration(), 0x00)
    try probe()
    XCTAssertEqual(try celsius(), 21.3125)
  }

  func testAConfigurationThatDoesNotReadBackIsRefused() {
    chip.faults.corruptedReadsRemaining = 1
    assertThrows(.unexpectedIdentity("configuration reads 0x61 after writing 0x60")) {
      () throws(SensorError) in try probe()
    }
  }

  func testStuckReadingsRepeat() throws {
    try probe()
    XCTAssertEqual(try celsius(), 21.3125)
    chip.stick(at: bus.environment)
    bus.environment.temperatureCelsius = 30
    bus.advance(by: .milliseconds(220))
    XCTAssertEqual(try celsius(), 21.3125)
  }

  func testAnAbsentBusFails() {
    bus.isPresent = false
    assertThrows(.busFailed(.busAbsent)) { () throws(SensorError) in try probe() }
  }

  func testSecondaryAddress() throws {
    let other = SimulatedTMP105(address: TMP105.secondaryAddress)
    bus.attach(other)
    var secondDriver = TMP105(address: TMP105.secondaryAddress)
    var busReference = bus
    try secondDriver.probe(on: &busReference, now: bus.now)
    other.unplug()
    assertThrows(.notResponding(TMP105.secondaryAddress)) { () throws(SensorError) in
      try complete(on: bus) { bus, now throws(SensorError) in
        try secondDriver.measureCelsius(on: &bus, now: now)
      }
    }
    XCTAssertNoThrow(try probe())
  }
}
