import BoardSupport
import Time
import XCTest

final class I2CAddressTests: XCTestCase {
  func testSevenBitAddressesOutsideTheReservedRanges() {
    XCTAssertEqual(I2CAddress(0x58)?.value, 0x58)
    XCTAssertEqual(I2CAddress(0x08)?.value, 0x08)
    XCTAssertEqual(I2CAddress(0x77)?.value, 0x77)
    XCTAssertNil(I2CAddress(0x07))
    XCTAssertNil(I2CAddress(0x78))
    XCTAssertNil(I2CAddress(0xB0))
  }

  func testDescriptionIsTheDatasheetForm() {
    XCTAssertEqual(I2CAddress(known: 0x5A).description, "0x5A")
    XCTAssertEqual(I2CAddress(known: 0x0B).description, "0x0B")
  }

  func testHexadecimalTextHasADigitPerFourBits() {
    XCTAssertEqual(hexadecimalText(UInt8(0x60)), "0x60")
    XCTAssertEqual(hexadecimalText(UInt16(0x8583)), "0x8583")
    XCTAssertEqual(hexadecimalText(UInt16(0x000A)), "0x000A")
  }
}

/// A bus that records what it is asked and answers with counting bytes.
private struct RecordingBus: I2CBus {
  var transactions: [I2CTransaction] = []

  mutating func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8] {
    transactions.append(transaction)
    return (0..<transaction.readCount).map { UInt8($0) }
  }
}

final class I2CBusTests: XCTestCase {
  func testRegisterReadIsAWriteThenARepeatedStartRead() throws {
    var bus = RecordingBus()
    let address = I2CAddress(known: 0x77)
    let bytes = try bus.writeThenRead([0xD0], count: 3, at: address)
    XCTAssertEqual(bytes, [0, 1, 2])
    XCTAssertEqual(
      bus.transactions,
      [I2CTransaction(address: address, messages: [.write([0xD0]), .read(count: 3)])])
  }

  func testReadCountAddsEveryReadMessage() {
    let transaction = I2CTransaction(
      address: I2CAddress(known: 0x48),
      messages: [.read(count: 2), .write([1]), .read(count: 5)])
    XCTAssertEqual(transaction.readCount, 7)
  }

  func testOnlyAnAbsentBusIsPermanent() {
    XCTAssertTrue(I2CError.addressNotAcknowledged.isTransient)
    XCTAssertTrue(I2CError.dataNotAcknowledged.isTransient)
    XCTAssertTrue(I2CError.timeout.isTransient)
    XCTAssertTrue(I2CError.busError.isTransient)
    XCTAssertFalse(I2CError.busAbsent.isTransient)
  }
}

final class DriverStepTests: XCTestCase {
  func testMapTransformsResultsAndKeepsWaits() {
    let later = Instant(nanoseconds: 5)
    XCTAssertEqual(DriverStep<Int>.wait(until: later).map { $0 * 2 }, .wait(until: later))
    XCTAssertEqual(DriverStep<Int>.done(21).map { $0 * 2 }, .done(42))
  }
}
