import Net
import XCTest

final class SequenceNumberTests: XCTestCase {
  func testArithmeticWrapsAround() {
    XCTAssertEqual(SequenceNumber(0xFFFF_FFFF) + 1, SequenceNumber(0))
    XCTAssertEqual(SequenceNumber(0xFFFF_FFF0) + 0x20, SequenceNumber(0x10))
    XCTAssertEqual(SequenceNumber(0) - 1, SequenceNumber(0xFFFF_FFFF))
    var number = SequenceNumber(0xFFFF_FFFE)
    number += 5
    XCTAssertEqual(number, SequenceNumber(3))
    number -= 4
    XCTAssertEqual(number, SequenceNumber(0xFFFF_FFFF))
  }

  func testDistanceTakesTheShortWayAround() {
    XCTAssertEqual(SequenceNumber(0xFFFF_FFF0).distance(to: SequenceNumber(0x10)), 0x20)
    XCTAssertEqual(SequenceNumber(0x10).distance(to: SequenceNumber(0xFFFF_FFF0)), -0x20)
    XCTAssertEqual(SequenceNumber(7).distance(to: SequenceNumber(7)), 0)
    XCTAssertEqual(SequenceNumber(0).distance(to: SequenceNumber(0x7FFF_FFFF)), Int32.max)
  }

  func testComparisonsAcrossTheWrap() {
    let beforeWrap = SequenceNumber(0xFFFF_FF00)
    let afterWrap = SequenceNumber(0x0000_0100)
    XCTAssertTrue(beforeWrap < afterWrap)
    XCTAssertTrue(beforeWrap <= afterWrap)
    XCTAssertFalse(beforeWrap > afterWrap)
    XCTAssertFalse(beforeWrap >= afterWrap)
    XCTAssertTrue(afterWrap > beforeWrap)
    XCTAssertTrue(afterWrap >= beforeWrap)
    XCTAssertFalse(afterWrap < beforeWrap)
    XCTAssertTrue(afterWrap <= afterWrap)
    XCTAssertFalse(afterWrap < afterWrap)
  }

  /// For every base, including ones near 0 and 2^32, a number up to 2^31 - 1 ahead is later and
  /// one up to 2^31 - 1 behind is earlier.
  func testOrderHoldsWithinHalfTheSpaceFromAnyBase() {
    let bases: [UInt32] = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 0x1234_5678]
    let offsets: [UInt32] = [1, 2, 1000, 0x4000_0000, 0x7FFF_FFFE, 0x7FFF_FFFF]
    for base in bases.map(SequenceNumber.init) {
      for offset in offsets {
        XCTAssertTrue(base < base + offset, "\(base) + \(offset)")
        XCTAssertTrue(base > base - offset, "\(base) - \(offset)")
        XCTAssertEqual(base.distance(to: base + offset), Int32(offset))
        XCTAssertEqual(base.distance(to: base - offset), -Int32(offset))
      }
    }
  }

  /// Exactly 2^31 apart, neither number is before the other: the comparison is undefined there
  /// and the type says so rather than picking one.
  func testHalfwayAroundIsUnordered() {
    let first = SequenceNumber(5)
    let opposite = first + 0x8000_0000
    XCTAssertFalse(first < opposite)
    XCTAssertFalse(opposite < first)
    XCTAssertFalse(first <= opposite)
    XCTAssertFalse(first >= opposite)
    XCTAssertNotEqual(first, opposite)
  }
}
