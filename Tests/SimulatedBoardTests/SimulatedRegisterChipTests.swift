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
