import Time
import XCTest

final class UTCTimeTests: XCTestCase {
  func testFormatsKnownInstants() {
    XCTAssertEqual(UTCTime(millisecondsSinceEpoch: 0).rfc3339, "1970-01-01T00:00:00.000Z")
    XCTAssertEqual(
      UTCTime(millisecondsSinceEpoch: 1_795_725_226_123).rfc3339, "2026-11-26T20:33:46.123Z")
    XCTAssertEqual(UTCTime(millisecondsSinceEpoch: -1).rfc3339, "1969-12-31T23:59:59.999Z")
    XCTAssertEqual(UTCTime.maximum.rfc3339, "9999-12-31T23:59:59.999Z")
    XCTAssertEqual(UTCTime.minimum.rfc3339, "0001-01-01T00:00:00.000Z")
  }

  func testParsesOffsetsAndFractions() throws {
    XCTAssertEqual(
      try UTCTime(rfc3339: "2026-11-26T21:33:46.1234+01:00").millisecondsSinceEpoch,
      1_795_725_226_123)
    XCTAssertEqual(try UTCTime(rfc3339: "1970-01-01T00:00:00Z").millisecondsSinceEpoch, 0)
    XCTAssertEqual(try UTCTime(rfc3339: "1970-01-01t00:00:00.5z").millisecondsSinceEpoch, 500)
    XCTAssertEqual(
      try UTCTime(rfc3339: "2016-12-31T23:59:60Z"),
      try UTCTime(rfc3339: "2016-12-31T23:59:59.999Z"))
  }

  func testRejectsMalformedAndOutOfRange() {
    for text in [
      "", "2026-11-26", "2026-11-26T20:33:46", "2026-11-26T20:33:46.Z", "x026-11-26T20:33:46Z",
      "2026-11-26T20:33:46Z ", "2026-11-26T20:33:46+0100",
    ] {
      XCTAssertThrowsError(try UTCTime(rfc3339: text), text) {
        XCTAssertEqual($0 as? RFC3339Error, .malformed, text)
      }
    }
    for text in [
      "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-01T24:00:00Z",
      "2026-01-01T00:60:00Z", "0000-12-31T00:00:00Z",
    ] {
      XCTAssertThrowsError(try UTCTime(rfc3339: text), text) {
        XCTAssertEqual($0 as? RFC3339Error, .fieldOutOfRange, text)
      }
    }
  }

  func testRoundTripsAcrossTheRange() throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let span = UInt64(
      UTCTime.maximum.millisecondsSinceEpoch - UTCTime.minimum.millisecondsSinceEpoch)
    for _ in 0..<20_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let time = UTCTime(
        millisecondsSinceEpoch: UTCTime.minimum.millisecondsSinceEpoch + Int64(state % span))
      XCTAssertEqual(try UTCTime(rfc3339: time.rfc3339), time, time.rfc3339)
    }
  }

  func testLeapDaysAgreeWithTheGregorianRule() throws {
    XCTAssertNoThrow(try UTCTime(rfc3339: "2000-02-29T00:00:00Z"))
    XCTAssertThrowsError(try UTCTime(rfc3339: "1900-02-29T00:00:00Z"))
    XCTAssertEqual(
      try UTCTime(rfc3339: "2024-03-01T00:00:00Z").millisecondsSinceEpoch
        - UTCTime(rfc3339: "2024-02-28T00:00:00Z").millisecondsSinceEpoch, 2 * 86_400_000)
  }
}

final class HTTPDateTests: XCTestCase {
  func testFormatsIMFFixdate() {
    XCTAssertEqual(UTCTime(millisecondsSinceEpoch: 0).httpDate, "Thu, 01 Jan 1970 00:00:00 GMT")
    XCTAssertEqual(
      UTCTime(millisecondsSinceEpoch: 1_795_725_226_999).httpDate, "Thu, 26 Nov 2026 20:33:46 GMT")
    // RFC 9110's own example.
    XCTAssertEqual(
      UTCTime(millisecondsSinceEpoch: 784_111_777_000).httpDate, "Sun, 06 Nov 1994 08:49:37 GMT")
    XCTAssertEqual(
      UTCTime(millisecondsSinceEpoch: -86_400_000).httpDate, "Wed, 31 Dec 1969 00:00:00 GMT")
  }
}
