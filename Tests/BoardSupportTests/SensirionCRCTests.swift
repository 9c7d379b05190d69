import BoardSupport
import XCTest

final class SensirionCRCTests: XCTestCase {
  func testCheckValueFromTheDatasheet() {
    XCTAssertEqual(SensirionCRC.checksum([0xBE, 0xEF]), 0x92)
  }

  func testAppendedWordCarriesItsCRC() {
    var bytes: [UInt8] = []
    SensirionCRC.append(word: 0xBEEF, to: &bytes)
    SensirionCRC.append(word: 0x0000, to: &bytes)
    // 0x81 is the CRC of a zero word (SCD4x datasheet, section 3.11 uses the same algorithm).
    XCTAssertEqual(bytes, [0xBE, 0xEF, 0x92, 0x00, 0x00, 0x81])
    XCTAssertEqual(SensirionCRC.words(bytes), [0xBEEF, 0x0000])
  }

  func testAnyFlippedBitIsCaught() {
    var bytes: [UInt8] = []
    SensirionCRC.append(word: 0x1234, to: &bytes)
    for index in 0..<3 {
      for bit in 0..<8 {
        var damaged = bytes
        damaged[index] ^= 1 << bit
        XCTAssertNil(SensirionCRC.words(damaged), "byte \(index) bit \(bit)")
      }
    }
  }

  func testLengthNotAMultipleOfThreeIsRefused() {
    XCTAssertNil(SensirionCRC.words([0xBE, 0xEF]))
    XCTAssertEqual(SensirionCRC.words([]), [])
  }
}
