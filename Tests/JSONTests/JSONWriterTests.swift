import JSON
import XCTest

final class JSONWriterTests: XCTestCase {
  private func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
  }

  func testWritesCompactJSONWithCommasAndColons() {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("a")
    writer.beginArray()
    writer.integer(1)
    writer.number(2.5)
    writer.string("x")
    writer.beginArray()
    writer.endArray()
    writer.endArray()
    writer.key("b")
    writer.null()
    writer.field("c", true)
    writer.key("d")
    writer.beginObject()
    writer.endObject()
    XCTAssertFalse(writer.isComplete)
    writer.endObject()
    XCTAssertTrue(writer.isComplete)
    XCTAssertEqual(text(writer.bytes), #"{"a":[1,2.5,"x",[]],"b":null,"c":true,"d":{}}"#)
  }

  func testEscapesQuotesBackslashesAndControlCharactersOnly() {
    var writer = JSONWriter()
    writer.string("\"\\/\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F} é😀")
    XCTAssertEqual(
      text(writer.bytes), "\"\\\"\\\\/\\n\\r\\t\\b\\f\\u0000\\u001F\u{7F} é😀\"")
    XCTAssertEqual(
      try JSONParser.parse(writer.bytes), .string("\"\\/\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F} é😀"))
  }

  func testWritesIntegersExactly() {
    XCTAssertEqual(text(Int64.min.serialized()), "-9223372036854775808")
    XCTAssertEqual(text(Int64.max.serialized()), "9223372036854775807")
    XCTAssertEqual(text(42.serialized()), "42")
  }

  func testWritesDoublesInShortestRoundTripForm() throws {
    let cases: [(Double, String)] = [
      (0.1, "0.1"), (100, "100.0"), (1e-05, "1e-05"), (-0.0, "-0.0"), (1e20, "1e+20"),
      (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
      (123456.789, "123456.789"),
    ]
    for (value, expected) in cases {
      let bytes = value.serialized()
      XCTAssertEqual(text(bytes), expected)
      let parsed = try JSONParser.parse(bytes).doubleValue
      XCTAssertEqual(parsed?.bitPattern, value.bitPattern, "\(expected) does not round-trip")
    }
  }

  func testWritesNonFiniteDoublesAsNull() {
    var writer = JSONWriter()
    writer.beginArray()
    writer.number(.nan)
    writer.number(.infinity)
    writer.number(-.infinity)
    writer.endArray()
    XCTAssertEqual(text(writer.bytes), "[null,null,null]")
  }

  func testSerializedValueRoundTrips() throws {
    let value: JSONValue = [
      "name": "sensor \"α\"\n",
      "values": [1, -2, 3.25, 1e-300, .number(.integer(.min))],
      "nested": ["empty": [:], "list": [], "flag": false, "none": nil],
      "": "empty key",
    ]
    let bytes = value.serialized()
    XCTAssertEqual(try JSONParser.parse(bytes), value)
    XCTAssertEqual(try JSONParser.parse(bytes).serialized(), bytes)
    XCTAssertEqual(
      text((["b": 1, "a": 2] as JSONValue).serialized()), #"{"b":1,"a":2}"#, "member order is kept")
  }
}
