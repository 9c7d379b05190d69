import Hashing
import XCTest

final class CRC32Tests: XCTestCase {
  func testCheckValueFromTheStandard() {
    XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
  }

  func testEmptyInputAndKnownVectors() {
    XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
    XCTAssertEqual(CRC32.checksum([0]), 0xD202_EF8D)
    XCTAssertEqual(
      CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
  }

  func testIncrementalEqualsOneShot() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    for split in [0, 1, 499, 999, 1000] {
      var crc = CRC32()
      crc.update(bytes[..<split])
      crc.update(bytes[split...])
      XCTAssertEqual(crc.value, CRC32.checksum(bytes), "split at \(split)")
    }
  }
}

final class CRC32InputFormTests: XCTestCase {
  func testEveryInputFormGivesTheSameChecksum() {
    let bytes = Array("123456789".utf8)
    var fromBuffer = CRC32()
    bytes.withUnsafeBytes { fromBuffer.update($0) }
    var fromLazySequence = CRC32()
    fromLazySequence.update(bytes.lazy.map { $0 })  // Not contiguous: the byte-wise path.
    XCTAssertEqual(fromBuffer.value, 0xCBF4_3926)
    XCTAssertEqual(fromLazySequence.value, 0xCBF4_3926)
    XCTAssertEqual(CRC32.checksum(bytes[2...]), CRC32.checksum(Array(bytes[2...])))
  }
}
