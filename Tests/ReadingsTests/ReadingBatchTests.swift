import JSON
import Readings
import Time
import XCTest

final class ReadingBatchTests: XCTestCase {
  private let sample = ReadingBatch(
    applianceID: "fridge",
    readings: [
      Reading(
        sensorID: "fridge.voc", quantity: "tvoc", unit: "ppb", value: 120,
        time: UTCTime(millisecondsSinceEpoch: 1_795_725_226_123), sequence: 17),
      Reading(
        sensorID: "fridge.air", quantity: "temperature", unit: "°C", value: 4.25,
        time: UTCTime(millisecondsSinceEpoch: 1_795_725_226_123), sequence: 18),
    ])

  func testWireFormIsStable() {
    XCTAssertEqual(
      String(decoding: sample.jsonBytes(), as: UTF8.self),
      #"{"appliance":"fridge","readings":[{"sensor":"fridge.voc","quantity":"tvoc","unit":"ppb","#
        + #""value":120.0,"time":"2026-11-26T20:33:46.123Z","seq":17},{"sensor":"fridge.air","#
        + #""quantity":"temperature","unit":"°C","value":4.25,"time":"2026-11-26T20:33:46.123Z","#
        + #""seq":18}]}"#)
  }

  func testRoundTrips() throws {
    XCTAssertEqual(try ReadingBatch(jsonBytes: sample.jsonBytes()), sample)
    XCTAssertNil(sample.problem())
  }

  func testDecodingErrorsNameThePlace() {
    let cases: [(String, String)] = [
      (#"{"appliance":"fridge","readings":[{"sensor":"fridge.voc"}]}"#, "readings[0]"),
      (#"{"appliance":"fridge","readings":[],"extra":1}"#, "extra"),
      (#"{"appliance":"fridge","readings":"none"}"#, "readings"),
      (
        #"{"appliance":"fridge","readings":[{"sensor":"fridge.voc","quantity":"tvoc","unit":"ppb","value":"high","time":"2026-11-26T20:33:46Z","seq":1}]}"#,
        "value"
      ),
      (
        #"{"appliance":"fridge","readings":[{"sensor":"fridge.voc","quantity":"tvoc","unit":"ppb","value":1,"time":"yesterday","seq":1}]}"#,
        "time"
      ),
      (
        #"{"appliance":"fridge","readings":[{"sensor":"fridge.voc","quantity":"tvoc","unit":"ppb","value":1,"time":"2026-11-26T20:33:46Z","seq":0}]}"#,
        "seq"
      ),
      (#"{"appliance":"fridge","readings":[}"#, "invalid JSON"),
    ]
    for (text, expected) in cases {
      XCTAssertThrowsError(try ReadingBatch(jsonBytes: Array(text.utf8)), text) { error in
        XCTAssertTrue("\(error)".contains(expected), "'\(error)' should name \(expected)")
      }
    }
  }

  func testValidationRules() {
    func problem(_ change: (inout ReadingBatch) -> Void) -> String? {
      var batch = sample
      change(&batch)
      return batch.problem()
    }
    XCTAssertNotNil(problem { $0.applianceID = "Fridge" })
    XCTAssertNotNil(problem { $0.applianceID = "" })
    XCTAssertNotNil(problem { $0.applianceID = String(repeating: "a", count: 65) })
    XCTAssertNotNil(problem { $0.readings[0].sensorID = "fridge." })
    XCTAssertNotNil(problem { $0.readings[0].sensorID = "fridgevoc" })
    XCTAssertNotNil(problem { $0.readings[0].sensorID = "other.voc" })
    XCTAssertNotNil(problem { $0.readings[0].quantity = "TVOC" })
    XCTAssertNotNil(problem { $0.readings[0].unit = "" })
    XCTAssertNotNil(problem { $0.readings[0].unit = "p\u{7}pb" })
    XCTAssertNotNil(problem { $0.readings[0].value = .nan })
    XCTAssertNotNil(problem { $0.readings[1].sequence = 17 })
    XCTAssertNotNil(problem { $0.readings = Array(repeating: $0.readings[0], count: 1001) })
    XCTAssertTrue(Identifier.isValid("plant-pot.soil_2"))
  }
}
