import DiskImage
import XCTest

final class SparseImageTests: XCTestCase {
  func testRunsStayInOrderAndHolesReadAsZeros() throws {
    var image = SparseImage(byteCount: 16)
    try image.place([7, 8], at: 10)
    try image.place([1, 2, 3], at: 2)
    try image.place([], at: 16)
    XCTAssertEqual(image.runs.map(\.offset), [2, 10])
    XCTAssertEqual(image.bytes(in: 0..<16), [0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 7, 8, 0, 0, 0, 0])
    XCTAssertEqual(image.bytes(in: 3..<11), [2, 3, 0, 0, 0, 0, 0, 7])
  }

  func testOverlapsAndBytesPastTheEndAreRefused() throws {
    var image = SparseImage(byteCount: 16)
    try image.place([1, 2, 3, 4], at: 4)
    XCTAssertThrowsError(try image.place([9], at: 7)) {
      XCTAssertEqual($0 as? DiskImageError, .regionsOverlap(offset: 7))
    }
    XCTAssertThrowsError(try image.place([9, 9], at: 3)) {
      XCTAssertEqual($0 as? DiskImageError, .regionsOverlap(offset: 3))
    }
    XCTAssertThrowsError(try image.place([9, 9], at: 15)) {
      XCTAssertEqual($0 as? DiskImageError, .regionOutsideImage(offset: 15))
    }
    XCTAssertNoThrow(try image.place([9, 9, 9, 9], at: 0))
    XCTAssertNoThrow(try image.place([9], at: 8))
  }
}
