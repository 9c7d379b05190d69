import BoardSupport
import SensorDrivers
import XCTest

/// A bus that fails the first `failures` transactions with `error`, then answers zeros.
private struct FailingBus: I2CBus {
  var error: I2CError
  var failures: Int
  var attempts = 0

  mutating func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8] {
    attempts += 1
    guard attempts > failures else { throw error }
    return [UInt8](repeating: 0, count: transaction.readCount)
  }
}

final class I2CChipAccessTests: XCTestCase {
  private let chip = I2CChipAccess(address: I2CAddress(known: 0x58), attemptsMax: 3)

  func testEachTransientErrorIsRetriedUpToTheBound() throws {
    for error in [I2CError.addressNotAcknowledged, .dataNotAcknowledged, .timeout, .busError] {
      var bus = FailingBus(error: error, failures: 2)
      XCTAssertEqual(try chip.read(count: 2, on: &bus), [0, 0], "\(error)")
      XCTAssertEqual(bus.attempts, 3, "\(error)")
    }
  }

  func testAnAddressNobodyAcknowledgesIsASensorThatIsGone() {
    var bus = FailingBus(error: .addressNotAcknowledged, failures: 3)
    assertThrows(.notResponding(I2CAddress(known: 0x58))) { () throws(SensorError) in
      try chip.read(count: 2, on: &bus)
    }
    XCTAssertEqual(bus.attempts, 3)
  }

  func testOtherPersistentErrorsAreBusFailures() {
    for error in [I2CError.dataNotAcknowledged, .timeout, .busError] {
      var bus = FailingBus(error: error, failures: 3)
      assertThrows(.busFailed(error)) { () throws(SensorError) in
        try chip.write([0x20, 0x03], on: &bus)
      }
      XCTAssertEqual(bus.attempts, 3, "\(error)")
    }
  }

  func testAnAbsentBusIsNotRetried() {
    var bus = FailingBus(error: .busAbsent, failures: 3)
    assertThrows(.busFailed(.busAbsent)) { () throws(SensorError) in
      try chip.write([0x20, 0x03], on: &bus)
    }
    XCTAssertEqual(bus.attempts, 1)
  }
}
