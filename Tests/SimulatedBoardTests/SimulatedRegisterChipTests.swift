import BoardSupport
import SimulatedBoard
import Time
import XCTest

final class SimulatedBME280Tests: XCTestCase {
  private let address = I2CAddress(known: 0x77)

  func testChipIDAndCalibrationAreInTheirRegisters() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME280())
    XCTAssertEqual(try bus.writeThenRead([0xD0], count: 1, at: address), [0x60])
    // dig_T1 = 27504 = 0x6B70, little-endian at 0x88.
    XCTAssertEqual(try bus.writeThenRead([0x88], count: 2, at: address), [0x70, 0x6B])
  }

  func testForcedConversionShowsMeasuringThenSleeps() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME280())
    XCTAssertEqual(try bus.writeThenRead([0xF7], count: 3, at: address), [0x80, 0, 0])
    try bus.write([0xF2, 0x01, 0xF4, 0x25], to: address)
    XCTAssertEqual(try bus.writeThenRead([0xF3], count: 1, at: address), [0b1000])
    // Typical time at x1 oversampling: 1 + 2 + 2.5 + 2.5 ms.
    bus.now = bus.now.advanced(by: .milliseconds(8))
    XCTAssertEqual(try bus.writeThenRead([0xF3], count: 1, at: address), [0])
    XCTAssertEqual(try bus.writeThenRead([0xF4], count: 1, at: address), [0x24])
    XCTAssertNotEqual(try bus.writeThenRead([0xF7], count: 3, at: address), [0x80, 0, 0])
  }

  func testSoftResetRestoresTheResetValues() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME280())
    try bus.write([0xF2, 0x05], to: address)
    try bus.write([0xE0, 0xB6], to: address)
    XCTAssertEqual(try bus.writeThenRead([0xF2], count: 1, at: address), [0])
  }
}

final class SimulatedBME680Tests: XCTestCase {
  private let address = I2CAddress(known: 0x77)

  func testChipIDAndCalibrationAreInTheirRegisters() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME680())
    XCTAssertEqual(try bus.writeThenRead([0xD0], count: 1, at: address), [0x61])
    // par_t1 = 26203 = 0x665B, little-endian at 0xE9; par_t2 = 26519 = 0x6797 at 0x8A.
    XCTAssertEqual(try bus.writeThenRead([0xE9], count: 2, at: address), [0x5B, 0x66])
    XCTAssertEqual(try bus.writeThenRead([0x8A], count: 2, at: address), [0x97, 0x67])
    // res_heat_range 1 in bits 5:4 of 0x02; range_switching_error -1 in bits 7:4 of 0x04.
    XCTAssertEqual(try bus.writeThenRead([0x02], count: 1, at: address)[0] & 0x30, 0x10)
    XCTAssertEqual(try bus.writeThenRead([0x04], count: 1, at: address)[0] >> 4, 0xF)
  }

  func testForcedMeasurementShowsMeasuringThenHeatingThenNewData() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME680())
    XCTAssertEqual(try bus.writeThenRead([0x1F], count: 3, at: address), [0x80, 0, 0])
    // x1 oversampling, 100 ms of heating at set-point 0, run_gas, then forced mode.
    try bus.write([0x72, 0x01, 0x64, 0x59, 0x5A, 0x70, 0x71, 0x10, 0x74, 0x25], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x1D], count: 1, at: address), [0x20])
    // The conversion at x1: 3 x 1.963 + 9 x 0.477 + 1 ms; then the heating.
    bus.now = bus.now.advanced(by: .microseconds(11_182))
    XCTAssertEqual(try bus.writeThenRead([0x1D], count: 1, at: address), [0x60])
    bus.now = bus.now.advanced(by: .milliseconds(100))
    XCTAssertEqual(try bus.writeThenRead([0x1D], count: 1, at: address), [0x80])
    XCTAssertEqual(try bus.writeThenRead([0x74], count: 1, at: address), [0x24])
    XCTAssertNotEqual(try bus.writeThenRead([0x1F], count: 3, at: address), [0x80, 0, 0])
    // gas_valid_r and heat_stab_r.
    XCTAssertEqual(try bus.writeThenRead([0x2B], count: 1, at: address)[0] & 0x30, 0x30)
  }

  func testControlWritesDuringAMeasurementAreIgnored() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME680())
    try bus.write([0x72, 0x01, 0x74, 0x25], to: address)
    try bus.write([0x72, 0x05], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x72], count: 1, at: address), [0x01])
  }

  func testWithoutRunGasTheGasReadingIsNotValid() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME680())
    try bus.write([0x72, 0x01, 0x74, 0x25], to: address)
    bus.now = bus.now.advanced(by: .milliseconds(12))
    XCTAssertEqual(try bus.writeThenRead([0x1D], count: 1, at: address), [0x80])
    XCTAssertEqual(try bus.writeThenRead([0x2B], count: 1, at: address)[0] & 0x30, 0)
  }

  func testSoftResetRestoresTheResetValues() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedBME680())
    try bus.write([0x72, 0x05, 0x71, 0x10], to: address)
    try bus.write([0xE0, 0xB6], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x71], count: 2, at: address), [0, 0])
  }
}

final class SimulatedADS1115Tests: XCTestCase {
  func testConfigResetValueAndConversionStatus() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedADS1115())
    let address = I2CAddress(known: 0x48)
    XCTAssertEqual(try bus.writeThenRead([0x01], count: 2, at: address), [0x85, 0x83])
    try bus.write([0x01, 0xC3, 0x83], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x01], count: 2, at: address), [0x43, 0x83])
    bus.now = bus.now.advanced(by: .milliseconds(8))
    XCTAssertEqual(try bus.writeThenRead([0x01], count: 2, at: address), [0xC3, 0x83])
  }
}

final class SimulatedTMP105Tests: XCTestCase {
  private let address = I2CAddress(known: 0x48)

  private func temperatureRegister(_ bus: inout SimulatedI2CBus) throws -> [UInt8] {
    try bus.writeThenRead([0x00], count: 2, at: address)
  }

  func testFromPowerUpItConvertsAtNineBitsInHalfDegrees() throws {
    var bus = SimulatedI2CBus(environment: PhysicalEnvironment(temperatureCelsius: 21.3))
    bus.attach(SimulatedTMP105())
    XCTAssertEqual(try bus.writeThenRead([0x01], count: 1, at: address), [0x00])
    // 0 °C until the first conversion, 27.5 ms at 9 bits.
    bus.now = bus.now.advanced(by: .microseconds(27_499))
    XCTAssertEqual(try temperatureRegister(&bus), [0x00, 0x00])
    bus.now = bus.now.advanced(by: .microseconds(1))
    // 21.5 °C: 43 half degrees, left-justified in 9 bits.
    XCTAssertEqual(try temperatureRegister(&bus), [0x15, 0x80])
    bus.environment.temperatureCelsius = -25.2
    bus.now = bus.now.advanced(by: .microseconds(27_500))
    XCTAssertEqual(try temperatureRegister(&bus), [0xE7, 0x00], "-25 °C")
    // T_LOW and T_HIGH: 75 and 80 °C.
    XCTAssertEqual(try bus.writeThenRead([0x02], count: 2, at: address), [0x4B, 0x00])
    XCTAssertEqual(try bus.writeThenRead([0x03], count: 2, at: address), [0x50, 0x00])
  }

  func testANewResolutionStartsAConversionOfItsOwnLength() throws {
    var bus = SimulatedI2CBus(environment: PhysicalEnvironment(temperatureCelsius: 21.3))
    bus.attach(SimulatedTMP105())
    bus.now = bus.now.advanced(by: .milliseconds(20))
    try bus.write([0x01, 0x60], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x01], count: 1, at: address), [0x60])
    bus.now = bus.now.advanced(by: .microseconds(219_999))
    XCTAssertEqual(try temperatureRegister(&bus), [0x00, 0x00])
    bus.now = bus.now.advanced(by: .microseconds(1))
    // 21.3125 °C: 341 sixteenths of a degree.
    XCTAssertEqual(try temperatureRegister(&bus), [0x15, 0x50])
  }

  func testShutdownStopsConvertingAndOneShotConvertsOnce() throws {
    var bus = SimulatedI2CBus(environment: PhysicalEnvironment(temperatureCelsius: 10))
    bus.attach(SimulatedTMP105())
    // SD set mid-conversion: that conversion still ends.
    try bus.write([0x01, 0x01], to: address)
    bus.now = bus.now.advanced(by: .milliseconds(30))
    XCTAssertEqual(try temperatureRegister(&bus), [0x0A, 0x00])
    bus.environment.temperatureCelsius = 12
    bus.now = bus.now.advanced(by: .milliseconds(100))
    XCTAssertEqual(try temperatureRegister(&bus), [0x0A, 0x00])
    // OS with SD: one conversion; OS is not kept.
    try bus.write([0x01, 0x81], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x01], count: 1, at: address), [0x01])
    bus.now = bus.now.advanced(by: .microseconds(27_500))
    XCTAssertEqual(try temperatureRegister(&bus), [0x0C, 0x00])
    bus.environment.temperatureCelsius = 14
    bus.now = bus.now.advanced(by: .milliseconds(100))
    XCTAssertEqual(try temperatureRegister(&bus), [0x0C, 0x00])
  }

  func testWritesThatFitNoRegisterAreNotAcknowledged() {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedTMP105())
    for bytes: [UInt8] in [[0x04], [0x00, 0x19, 0x00], [0x01, 0x60, 0x00], [0x02, 0x4B]] {
      XCTAssertThrowsError(try bus.write(bytes, to: address), "\(bytes)") {
        XCTAssertEqual($0 as? I2CError, .dataNotAcknowledged)
      }
    }
  }
}

final class SimulatedSeesawTests: XCTestCase {
  func testAReadBeforeTheFirmwareIsReadyGetsOnes() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedSeesawSoilSensor())
    let address = I2CAddress(known: 0x36)
    try bus.write([0x0F, 0x10], to: address)
    XCTAssertEqual(try bus.read(count: 2, from: address), [0xFF, 0xFF])
    try bus.write([0x0F, 0x10], to: address)
    bus.now = bus.now.advanced(by: .milliseconds(5))
    XCTAssertNotEqual(try bus.read(count: 2, from: address), [0xFF, 0xFF])
  }
}

final class SimulatedCCS811Tests: XCTestCase {
  private let address = I2CAddress(known: 0x5A)

  func testBootModeRefusesMeasurementModeUntilTheApplicationStarts() throws {
    var bus = SimulatedI2CBus()
    bus.attach(SimulatedCCS811())
    XCTAssertEqual(try bus.writeThenRead([0x20], count: 1, at: address), [0x81])
    // Boot mode: APP_VALID only. A MEAS_MODE write is invalid there and sets ERROR.
    XCTAssertEqual(try bus.writeThenRead([0x00], count: 1, at: address), [0x10])
    try bus.write([0x01, 0x10], to: address)
    XCTAssertEqual(try bus.writeThenRead([0x00], count: 1, at: address), [0x11])
    // ERROR_ID: WRITE_REG_INVALID.
    XCTAssertEqual(try bus.writeThenRead([0xE0], count: 1, at: address), [0x01])
    try bus.write([0xF4], to: address)
    bus.now = bus.now.advanced(by: .milliseconds(1))
    try bus.write([0x01, 0x10], to: address)
    // FW_MODE and APP_VALID.
    XCTAssertEqual(try bus.writeThenRead([0x00], count: 1, at: address), [0x90])
    bus.now = bus.now.advanced(by: .seconds(1))
    // And DATA_READY.
    XCTAssertEqual(try bus.writeThenRead([0x00], count: 1, at: address), [0x98])
  }
}
