import Time
import XCTest

final class InstantTests: XCTestCase {
  func testAdvancesAndMeasures() {
    let start = Instant(nanoseconds: 1_000)
    let later = start + .milliseconds(5)
    XCTAssertEqual(later.nanoseconds, 5_001_000)
    XCTAssertEqual(later.duration(since: start), .milliseconds(5))
    XCTAssertEqual(start.duration(since: later), .zero)
  }

  func testSaturatesInsteadOfTrapping() {
    XCTAssertEqual(Instant(nanoseconds: .max - 1).advanced(by: .seconds(1)).nanoseconds, .max)
    XCTAssertEqual(Instant(nanoseconds: 5).advanced(by: .seconds(-1)).nanoseconds, 0)
    XCTAssertEqual(Duration.seconds(Int64.max).nanosecondsClamped, .max)
  }
}
