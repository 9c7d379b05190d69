import Net
import Randomness
import XCTest

final class InternetChecksumTests: XCTestCase {
  /// RFC 1071 section 3's worked example: the words 0001 f203 f4f5 f6f7 sum to ddf2 (folded),
  /// so the checksum is its complement, 220d.
  func testRFC1071Example() {
    XCTAssertEqual(
      InternetChecksum.checksum([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]), 0x220D)
  }

  /// A real IPv4 header (20 bytes, checksum field 0xb861) verifies, and recomputing its checksum
  /// with the field zeroed gives the same value.
  func testIPv4HeaderFromAWireCapture() {
    var header: [UInt8] = [
      0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61, 0xC0, 0xA8, 0x00,
      0x01,
      0xC0, 0xA8, 0x00, 0xC7,
    ]
    XCTAssertTrue(InternetChecksum.verifies(header))
    header[10] = 0
    header[11] = 0
    XCTAssertEqual(InternetChecksum.checksum(header), 0xB861)
  }

  func testOddLengthPadsWithZeroAndPiecesAddUp() {
    XCTAssertEqual(InternetChecksum.checksum([0x12]), InternetChecksum.checksum([0x12, 0x00]))
    let data = (0..<1001).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    var pieces = InternetChecksum()
    pieces.add(data[..<500])
    pieces.add(data[500...])
    XCTAssertEqual(pieces.value, InternetChecksum.checksum(data))
  }

  func testLongAllOnesDataDoesNotOverflow() {
    let data = [UInt8](repeating: 0xFF, count: 200_000)
    XCTAssertEqual(InternetChecksum.checksum(data), 0x0000)
  }

  /// The four-bytes-at-a-time path for bytes in memory agrees with the word-by-word path that
  /// other collections take, for every length (odd ones too) and many contents.
  func testContiguousAndWordByWordPathsAgree() {
    var random = SeededRandom(seed: 1071)
    for length in 0..<600 {
      let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      let wordByWord = InternetChecksum.checksum(data.lazy.map { $0 })
      XCTAssertEqual(InternetChecksum.checksum(data), wordByWord, "length \(length)")
      XCTAssertEqual(InternetChecksum.checksum(data[...]), wordByWord, "length \(length)")
    }
  }
}
