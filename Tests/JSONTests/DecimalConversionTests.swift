import JSON
import XCTest

/// Hard cases for decimal-to-double conversion, checked against known bit patterns (the
/// differential test covers thousands more against Python's `float()`).
final class DecimalConversionTests: XCTestCase {
  private func bits(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> UInt64? {
    do {
      return try JSONParser.parse(Array(text.utf8)).doubleValue?.bitPattern
    } catch {
      XCTAssertEqual(error.kind, .numberOutOfRange, file: file, line: line)
      return nil
    }
  }

  func testBoundaries() {
    XCTAssertEqual(bits("1.7976931348623157e308"), 0x7FEF_FFFF_FFFF_FFFF)
    XCTAssertEqual(bits("1.7976931348623158e308"), 0x7FEF_FFFF_FFFF_FFFF)  // rounds down
    XCTAssertNil(bits("1.7976931348623159e308"))  // rounds to infinity: out of range
    XCTAssertEqual(bits("2.2250738585072014e-308"), 0x0010_0000_0000_0000)  // smallest normal
    XCTAssertEqual(bits("2.2250738585072011e-308"), 0x000F_FFFF_FFFF_FFFF)  // largest subnormal
    XCTAssertEqual(bits("4.9406564584124654e-324"), 1)  // smallest subnormal
    XCTAssertEqual(bits("2.4703282292062327e-324"), 0)  // just below half of it: zero
    XCTAssertEqual(bits("2.4703282292062328e-324"), 1)  // just above half: rounds up
    XCTAssertEqual(bits("-1e-400"), 0x8000_0000_0000_0000)  // negative underflow keeps sign
  }

  func testFastPathAndCommonValues() {
    XCTAssertEqual(bits("0.1"), 0x3FB9_9999_9999_999A)
    XCTAssertEqual(bits("0.3"), 0x3FD3_3333_3333_3333)
    XCTAssertEqual(bits("1e22"), 0x4480_F0CF_064D_D592)
    XCTAssertEqual(bits("1e23"), 0x44B5_2D02_C7E1_4AF6)  // beyond the fast path
    XCTAssertEqual(bits("123456789012345.6"), (123456789012345.6 as Double).bitPattern)
  }

  func testTiesRoundToEvenAndStickyDigits() {
    // 2^53 + 1 is exactly halfway between 2^53 and 2^53 + 2: ties go to the even 2^53.
    XCTAssertEqual(bits("9007199254740993.0"), (0x1p53 as Double).bitPattern)
    let zeros = String(repeating: "0", count: 1000)
    XCTAssertEqual(bits("9007199254740993." + zeros), (0x1p53 as Double).bitPattern)
    // A non-zero digit 1000 places later breaks the tie, although only 800 digits are kept.
    XCTAssertEqual(bits("9007199254740993." + zeros + "1"), (0x1p53 as Double).bitPattern + 1)
    XCTAssertEqual(bits("9007199254740995.0"), (0x1p53 as Double).bitPattern + 2)  // odd: up
  }

  func testHugeInputsAreBoundedAndCorrect() {
    XCTAssertNil(bits("1" + String(repeating: "0", count: 100_000)))
    XCTAssertEqual(bits("0." + String(repeating: "0", count: 100_000) + "1"), 0)
    XCTAssertEqual(
      bits("1" + String(repeating: "0", count: 100_000) + "e-100000"), 0x3FF0_0000_0000_0000)
    XCTAssertNil(bits("1e99999999999999999999999"))
    XCTAssertEqual(bits("1e-99999999999999999999999"), 0)
    XCTAssertEqual(bits("0e99999999999999999999999"), 0)
    XCTAssertEqual(bits("0.0000000000000000000000000000001e31"), 0x3FF0_0000_0000_0000)
  }
}
