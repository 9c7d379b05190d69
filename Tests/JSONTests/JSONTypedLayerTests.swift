import JSON
import XCTest

/// A reading, as an appliance would report it; written by hand without Codable.
private struct Reading: JSONEncodable, JSONDecodable, Equatable {
  var sensor: String
  var value: Double
  var sequence: Int
  var tags: [String]
  var note: String?

  func encode(to writer: inout JSONWriter) {
    writer.beginObject()
    writer.field("sensor", sensor)
    writer.field("value", value)
    writer.field("sequence", sequence)
    writer.field("tags", tags)
    if let note { writer.field("note", note) }
    writer.endObject()
  }

  init(sensor: String, value: Double, sequence: Int, tags: [String], note: String?) {
    (self.sensor, self.value, self.sequence, self.tags, self.note) =
      (sensor, value, sequence, tags, note)
  }

  init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    sensor = try object.decode("sensor")
    value = try object.decode("value")
    sequence = try object.decode("sequence")
    tags = try object.decode("tags")
    note = try object.decodeIfPresent("note")
  }
}

private struct Batch: JSONDecodable {
  var readings: [Reading]

  init(json: JSONValue) throws(JSONDecodingError) {
    readings = try JSONObject(json: json).decode("readings")
  }
}

final class JSONTypedLayerTests: XCTestCase {
  private func decodeError<T: JSONDecodable>(
    _ type: T.Type, _ text: String, file: StaticString = #filePath, line: UInt = #line
  ) throws -> JSONDecodingError? {
    let value = try JSONParser.parse(Array(text.utf8))
    do {
      _ = try T(json: value)
      XCTFail("decoded \(text)", file: file, line: line)
      return nil
    } catch {
      return error
    }
  }

  func testEncodesAndDecodesARoundTrip() throws {
    let readings = [
      Reading(sensor: "t1", value: 21.5, sequence: 1, tags: ["a", "b"], note: nil),
      Reading(sensor: "t2", value: -0.25, sequence: 2, tags: [], note: "recalibrated"),
    ]
    let bytes = readings.serialized()
    XCTAssertEqual(
      String(decoding: bytes, as: UTF8.self),
      #"[{"sensor":"t1","value":21.5,"sequence":1,"tags":["a","b"]},"#
        + #"{"sensor":"t2","value":-0.25,"sequence":2,"tags":[],"note":"recalibrated"}]"#)
    XCTAssertEqual(try [Reading](json: JSONParser.parse(bytes)), readings)
  }

  func testErrorsCarryThePathToTheBadValue() throws {
    let good = #"{"sensor":"a","value":1,"sequence":1,"tags":[]}"#
    let bad = #"{"sensor":"d","value":"x","sequence":1,"tags":[]}"#
    let document = #"{"readings":["# + [good, good, good, bad].joined(separator: ",") + "]}"
    let error = try XCTUnwrap(try decodeError(Batch.self, document))
    XCTAssertEqual(error.path, [.key("readings"), .index(3), .key("value")])
    XCTAssertEqual(error.reason, .typeMismatch(expected: .number, found: .string))
    XCTAssertEqual(error.description, "readings[3].value: expected a number, found a string")

    let missing = #"{"readings":[{"value":1}]}"#
    XCTAssertEqual(
      try decodeError(Batch.self, missing)?.description,
      "readings[0].sensor: required key is missing")
    let badTag = #"{"readings":[{"sensor":"a","value":1,"sequence":1,"tags":["x",7]}]}"#
    XCTAssertEqual(
      try decodeError(Batch.self, badTag)?.description,
      "readings[0].tags[1]: expected a string, found a number")
    XCTAssertEqual(
      try decodeError(Batch.self, "[]")?.description, "expected an object, found an array")
  }

  func testDecodeIfPresentTreatsAbsentAndNullAsNil() throws {
    let object = try JSONObject(json: JSONParser.parse(Array(#"{"a":null,"b":"x","c":1}"#.utf8)))
    XCTAssertNil(try object.decodeIfPresent("a", as: String.self))
    XCTAssertNil(try object.decodeIfPresent("missing", as: String.self))
    XCTAssertEqual(try object.decodeIfPresent("b", as: String.self), "x")
    XCTAssertThrowsError(try object.decodeIfPresent("c", as: String.self)) { error in
      XCTAssertEqual(
        (error as? JSONDecodingError)?.description, "c: expected a string, found a number")
    }
  }

  func testIntegersAcceptIntegralNumbersOnly() throws {
    XCTAssertEqual(try Int(json: 1000), 1000)
    XCTAssertEqual(try Int(json: .number(.double(1e3))), 1000)  // "1e3" is the integer 1000
    XCTAssertEqual(try Int64(json: .number(.integer(.min))), .min)
    XCTAssertThrowsError(try Int(json: 1.5)) { error in
      XCTAssertEqual((error as? JSONDecodingError)?.reason, .notAnInteger)
    }
    XCTAssertThrowsError(try Int64(json: .number(.double(1e19)))) { error in
      XCTAssertEqual((error as? JSONDecodingError)?.reason, .integerOutOfRange)
    }
    XCTAssertThrowsError(try Int64(json: .number(.double(-0x1p63 * 2)))) { error in
      XCTAssertEqual((error as? JSONDecodingError)?.reason, .integerOutOfRange)
    }
    XCTAssertEqual(try Int64(json: .number(.double(-0x1p63))), .min)
  }

  func testScalarConformances() throws {
    XCTAssertEqual(try Bool(json: true), true)
    XCTAssertEqual(try Double(json: 3), 3.0)
    XCTAssertEqual(try String(json: "s"), "s")
    XCTAssertEqual(try String?(json: nil), nil)
    XCTAssertEqual(try [Int?](json: [1, nil]), [1, nil])
    XCTAssertThrowsError(try Bool(json: nil)) { error in
      XCTAssertEqual("\(error)", "expected a boolean, found null")
    }
    XCTAssertEqual(String(decoding: Optional<Int>.none.serialized(), as: UTF8.self), "null")
  }
}
