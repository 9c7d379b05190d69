import BoardSupport
import BroadcomPeripherals
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class BroadcomI2CControllerTests: XCTestCase {
  func testTheDividerGivesTheBusRateFromTheCoreClock() {
    let bsc = SimulatedBSC(bus: SimulatedI2CBus())
    _ = BroadcomI2CController(registers: bsc, coreClockHertz: 250_000_000)
    XCTAssertEqual(bsc.divider, 2500, "250 MHz / 100 kHz")
    _ = BroadcomI2CController(registers: bsc, coreClockHertz: 250_000_000, busHertz: 400_000)
    XCTAssertEqual(bsc.divider, 626, "250 MHz / 400 kHz = 625, made even upwards")
    XCTAssertEqual(bsc.control & (1 << 15), 1 << 15, "the controller is enabled")
  }

  func testTheBME280DriverReadsItsChipThroughTheController() throws {
    // The real driver, on the BSC driver, on a model of the controller, on the chip model.
    let bus = SimulatedI2CBus()
    bus.environment = PhysicalEnvironment(
      temperatureCelsius: 18.25, relativeHumidityPercent: 61, pressurePascals: 100_200)
    bus.attach(SimulatedBME280())
    let bsc = SimulatedBSC(bus: bus)
    var controller = BroadcomI2CController(registers: bsc, coreClockHertz: 250_000_000)
    var driver = BME280()
    try driver.probe(on: &controller)
    var now = Instant.zero
    var measurement: BME280Measurement?
    for _ in 0..<10 where measurement == nil {
      bus.now = now
      switch try driver.measure(on: &controller, now: now) {
      case .wait(let instant): now = instant
      case .done(let value): measurement = value
      }
    }
    let result = try XCTUnwrap(measurement)
    XCTAssertEqual(result.temperatureCelsius, 18.25, accuracy: 0.02)
    XCTAssertEqual(result.relativeHumidityPercent, 61, accuracy: 0.1)
    XCTAssertEqual(result.pressurePascals, 100_200, accuracy: 3)
    // A register read is a write of the register number, then a separate read after a stop.
    XCTAssertEqual(bsc.transfers.first?.messages, [.write([0xD0])])
    XCTAssertEqual(bsc.transfers.dropFirst().first?.messages, [.read(count: 1)])
  }

  func testALongWriteIsFedThroughTheSixteenByteFIFO() throws {
    let bus = SimulatedI2CBus()
    let bsc = SimulatedBSC(bus: bus)
    var controller = BroadcomI2CController(registers: bsc, coreClockHertz: 250_000_000)
    // No chip answers, so the write is refused; but it must have been carried whole.
    let bytes = (0..<40).map { UInt8($0) }
    XCTAssertThrowsError(try controller.write(bytes, to: I2CAddress(known: 0x50))) { error in
      XCTAssertEqual(error as? I2CError, .addressNotAcknowledged)
    }
    XCTAssertEqual(bsc.transfers.last?.messages, [.write(bytes)])
  }

  func testNothingAtTheAddressIsAMissingAcknowledgementAndTheDriverSaysTheChipIsGone() {
    let bsc = SimulatedBSC(bus: SimulatedI2CBus())
    var controller = BroadcomI2CController(registers: bsc, coreClockHertz: 250_000_000)
    XCTAssertThrowsError(try controller.read(count: 2, from: I2CAddress(known: 0x48))) { error in
      XCTAssertEqual(error as? I2CError, .addressNotAcknowledged)
    }
    var sensor = TMP105()
    XCTAssertThrowsError(try sensor.probe(on: &controller, now: .zero)) { error in
      XCTAssertEqual(error as? SensorError, .notResponding(I2CAddress(known: 0x48)))
    }
    // The status bits were cleared for the next transfer.
    XCTAssertEqual(bsc.read(0x04) & (1 << 8 | 1 << 1), 0)
  }
}
