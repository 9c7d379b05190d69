import ApplianceCore
import BoardSupport
import HTTP
import JSON
import Readings
import Time
import XCTest

final class ApplianceAPITests: XCTestCase {
  private let bme280 = I2CAddress(known: 0x77)
  private let sgp30 = I2CAddress(known: 0x58)

  private func api() -> ApplianceAPI {
    var status = ApplianceStatus(
      applianceID: "fridge", board: "sim", chips: [(bme280, "BME280"), (sgp30, "SGP30")])
    for (sequence, sensor) in [(UInt64(1), "air"), (2, "humidity"), (3, "air")] {
      status.record(
        Reading(
          sensorID: "fridge.\(sensor)", quantity: sensor, unit: "x", value: Double(sequence),
          time: UTCTime(millisecondsSinceEpoch: 1_795_000_000_000), sequence: sequence))
    }
    status.setState(.measuring, ofChipAt: bme280)
    status.setState(.failing("no sensor answers at 0x58"), ofChipAt: sgp30)
    status.outboxWaitingCount = 3
    return ApplianceAPI(status: status)
  }

  private func get(_ target: String, from api: inout ApplianceAPI) throws -> (Int, JSONValue) {
    let head = try HTTPRequestHead(method: .get, target: target)
    let response = api.respond(to: HTTPRequest(head: head), now: .zero)
    return (response.status.code, try JSONParser.parse(response.body))
  }

  func testSensorsListTheLatestReadingOfEach() throws {
    var api = api()
    let (status, document) = try get("/api/v1/sensors", from: &api)
    XCTAssertEqual(status, 200)
    let sensors = try XCTUnwrap(document["sensors"]?.arrayValue)
    XCTAssertEqual(sensors.compactMap { $0["id"]?.stringValue }, ["fridge.air", "fridge.humidity"])
    XCTAssertEqual(sensors[0]["latest"]?["seq"]?.int64Value, 3)

    let (latestStatus, latest) = try get("/api/v1/sensors/fridge.humidity/latest", from: &api)
    XCTAssertEqual(latestStatus, 200)
    XCTAssertEqual(latest["latest"]?["value"]?.doubleValue, 2)
    let (missing, error) = try get("/api/v1/sensors/fridge.voc/latest", from: &api)
    XCTAssertEqual(missing, 404)
    XCTAssertEqual(error["error"]?["code"]?.stringValue, "not_found")
  }

  func testHealthSaysWhichChipFails() throws {
    var api = api()
    let (status, health) = try get("/api/v1/health", from: &api)
    XCTAssertEqual(status, 200)
    XCTAssertEqual(health["status"]?.stringValue, "degraded")
    let chips = try XCTUnwrap(health["chips"]?.arrayValue)
    XCTAssertEqual(chips.compactMap { $0["state"]?.stringValue }, ["measuring", "failing"])
    XCTAssertEqual(chips[1]["error"]?.stringValue, "no sensor answers at 0x58")
    XCTAssertEqual(health["outbox"]?["waiting"]?.int64Value, 3)
    let head = try HTTPRequestHead(method: .delete, target: "/api/v1/health")
    XCTAssertEqual(api.respond(to: HTTPRequest(head: head), now: .zero).status.code, 405)
  }
}
