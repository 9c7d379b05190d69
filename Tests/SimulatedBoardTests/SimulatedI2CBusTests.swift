import BoardSupport
import SimulatedBoard
import Time
import XCTest

final class SimulatedI2CBusTests: XCTestCase {
  private let sgp30Address = I2CAddress(known: 0x58)

  func testNothingAtAnAddressIsNotAcknowledged() {
    var bus = SimulatedI2CBus()
    XCTAssertThrowsError(try bus.write([0x20, 0x03], to: sgp30Address)) { error in
      XCTAssertEqual(error as? I2CError, .addressNotAcknowledged)
    }
  }

  func testAnAbsentBusFailsEveryTransaction() {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedSGP30())
    bus.isPresent = false
    XCTAssertThrowsError(try bus.write([0x20, 0x03], to: sgp30Address)) { error in
      XCTAssertEqual(error as? I2CError, .busAbsent)
    }
  }

  func testInjectedNAKsAreCountedDown() throws {
    var bus = SimulatedI2CBus()
    let chip = SimulatedSGP30()
    bus.attach(chip)
    chip.faults.addressNAKsRemaining = 1
    XCTAssertThrowsError(try bus.write([0x20, 0x03], to: sgp30Address))
    XCTAssertEqual(chip.faults.addressNAKsRemaining, 0)
    try bus.write([0x20, 0x03], to: sgp30Address)
    XCTAssertEqual(bus.transactionCount, 2)
  }

  func testUnpluggedChipAnswersAgainOncePluggedIn() throws {
    var bus = SimulatedI2CBus()
    let chip = SimulatedSGP30()
    bus.attach(chip)
    chip.unplug()
    XCTAssertThrowsError(try bus.write([0x20, 0x2F], to: sgp30Address)) { error in
      XCTAssertEqual(error as? I2CError, .addressNotAcknowledged)
    }
    chip.plugIn(now: bus.now)
    try bus.write([0x20, 0x2F], to: sgp30Address)
    bus.now = bus.now.advanced(by: .milliseconds(10))
    XCTAssertEqual(try bus.read(count: 3, from: sgp30Address), [0x00, 0x22, 0x65])
  }

  /// The chips share the sensor-power supply: cut, nothing answers; restored, each chip is in
  /// its power-on state (an SCD4x no longer measures, an SGP30 forgot its humidity).
  func testChipsAnswerNothingWithoutPowerAndStartFromPowerOnWhenItReturns() throws {
    var bus = SimulatedI2CBus()
    let sgp30 = SimulatedSGP30()
    let scd4x = SimulatedSCD4x()
    bus.attach(sgp30)
    bus.attach(scd4x)
    try bus.write([0x21, 0xB1], to: I2CAddress(known: 0x62))  // start_periodic_measurement
    try bus.write([0x20, 0x61, 0x0B, 0x80, 0xE1], to: sgp30Address)  // Set_humidity 11.5
    XCTAssertTrue(scd4x.isMeasuringPeriodically)
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, 0x0B80)
    bus.cutPower()
    for address in [sgp30Address, I2CAddress(known: 0x62)] {
      XCTAssertThrowsError(try bus.write([0x20, 0x2F], to: address)) { error in
        XCTAssertEqual(error as? I2CError, .addressNotAcknowledged)
      }
    }
    bus.now = bus.now.advanced(by: .seconds(2))
    bus.restorePower()
    XCTAssertTrue(bus.isPowered)
    XCTAssertFalse(scd4x.isMeasuringPeriodically)
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, 0)
    try bus.write([0x20, 0x2F], to: sgp30Address)
  }

  /// A hung chip stays deaf however often it is asked, until its power is cycled.
  func testAHungChipAnswersOnlyAfterAPowerCycle() throws {
    var bus = SimulatedI2CBus()
    let chip = SimulatedSGP30()
    bus.attach(chip)
    chip.hang()
    for _ in 0..<5 {
      XCTAssertThrowsError(try bus.write([0x20, 0x2F], to: sgp30Address))
    }
    bus.cutPower()
    bus.restorePower()
    XCTAssertFalse(chip.faults.isHung)
    try bus.write([0x20, 0x2F], to: sgp30Address)
    bus.now = bus.now.advanced(by: .milliseconds(10))
    XCTAssertEqual(try bus.read(count: 3, from: sgp30Address), [0x00, 0x22, 0x65])
  }

  func testCorruptionFlipsABitOfTheNextRead() throws {
    var bus = SimulatedI2CBus()
    let chip = SimulatedSGP30()
    bus.attach(chip)
    chip.faults.corruptedReadsRemaining = 1
    try bus.write([0x20, 0x2F], to: sgp30Address)
    bus.now = bus.now.advanced(by: .milliseconds(10))
    let bytes = try bus.read(count: 3, from: sgp30Address)
    XCTAssertEqual(bytes, [0x01, 0x22, 0x65])
    XCTAssertNil(SensirionCRC.words(bytes))
    XCTAssertEqual(chip.faults.corruptedReadsRemaining, 0)
  }
}

final class SimulatedSensirionChipTests: XCTestCase {
  func testSGP30DoesNotAnswerWhileItMeasures() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedSGP30())
    let address = I2CAddress(known: 0x58)
    try bus.write([0x20, 0x08], to: address)
    bus.now = bus.now.advanced(by: .milliseconds(11))
    XCTAssertThrowsError(try bus.read(count: 6, from: address)) { error in
      XCTAssertEqual(error as? I2CError, .addressNotAcknowledged)
    }
    bus.now = bus.now.advanced(by: .milliseconds(1))
    // Before init the chip answers its fixed values: 400 ppm and 0 ppb, each with its CRC.
    let words = SensirionCRC.words(try bus.read(count: 6, from: address))
    XCTAssertEqual(words, [400, 0])
  }

  func testSGP30RefusesAnArgumentWithABadCRC() {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedSGP30())
    XCTAssertThrowsError(
      try bus.write([0x20, 0x61, 0x0B, 0x80, 0x00], to: I2CAddress(known: 0x58))
    ) { error in
      XCTAssertEqual(error as? I2CError, .dataNotAcknowledged)
    }
  }

  func testSCD4xHasDataEveryFiveSecondsOnceStarted() throws {
    var bus = SimulatedI2CBus()
    let chip = SimulatedSCD4x()
    bus.attach(chip)
    let address = I2CAddress(known: 0x62)
    func dataReadyWord() throws -> UInt16? {
      try bus.write([0xE4, 0xB8], to: address)
      bus.now = bus.now.advanced(by: .milliseconds(1))
      return SensirionCRC.words(try bus.read(count: 3, from: address))?.first
    }
    try bus.write([0x21, 0xB1], to: address)
    XCTAssertTrue(chip.isMeasuringPeriodically)
    XCTAssertEqual(try dataReadyWord().map { $0 & 0x07FF }, 0)
    bus.now = bus.now.advanced(by: .seconds(5))
    XCTAssertNotEqual(try dataReadyWord().map { $0 & 0x07FF }, 0)
    // get_serial_number is refused while measuring.
    XCTAssertThrowsError(try bus.write([0x36, 0x82], to: address)) { error in
      XCTAssertEqual(error as? I2CError, .dataNotAcknowledged)
    }
  }
}
