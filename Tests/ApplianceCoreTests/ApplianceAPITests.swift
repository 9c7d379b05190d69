import ApplianceCore
import ApplianceProfiles
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

  /// A plant pot whose soil reading raised "water me" and whose pump ran once.
  private func plantPotAPI() throws -> ApplianceAPI {
    let profile = try shippedProfile("plant-pot")
    var control = ApplianceControl(
      profile: profile, plan: SamplingPlan(profile: profile), now: .zero)
    let time = UTCTime(millisecondsSinceEpoch: 1_795_000_000_000)
    let dry = SampledValue(sensorName: "soil", quantity: "soil_moisture", unit: "%", value: 21.5)
    let soil = I2CAddress(known: 0x36)
    _ = control.handle(
      [.sampled(address: soil, values: [dry])], now: .zero + .seconds(60),
      time: time.advanced(by: .seconds(60)))
    XCTAssertEqual(
      control.poll(now: .zero + .seconds(600), time: time.advanced(by: .seconds(600))),
      [.startPump(run: 1)])
    var status = ApplianceStatus(
      applianceID: "plant-pot", board: "sim", chips: [(soil, "seesaw")])
    status.control = control
    return ApplianceAPI(status: status)
  }

  func testAlertsListEveryThresholdWithItsState() throws {
    var api = try plantPotAPI()
    let (status, document) = try get("/api/v1/alerts", from: &api)
    XCTAssertEqual(status, 200)
    let alerts = try XCTUnwrap(document["alerts"]?.arrayValue)
    XCTAssertEqual(
      alerts.compactMap { $0["alert"]?.stringValue }, ["water me", "too cold for the plant"])
    XCTAssertEqual(alerts.compactMap { $0["state"]?.stringValue }, ["raised", "clear"])
    XCTAssertEqual(alerts[0]["sensor"]?.stringValue, "plant-pot.soil")
    XCTAssertEqual(alerts[0]["quantity"]?.stringValue, "soil_moisture")
    XCTAssertEqual(alerts[0]["below"]?.doubleValue, 25)
    XCTAssertEqual(alerts[0]["hysteresis"]?.doubleValue, 2)
    XCTAssertEqual(alerts[0]["value"]?.doubleValue, 21.5)
    XCTAssertEqual(alerts[0]["since"]?.stringValue, "2026-11-18T11:07:40.000Z")
    XCTAssertNil(alerts[1]["since"])
    XCTAssertNil(alerts[1]["value"], "no temperature measured yet")
  }

  func testHealthShowsTheRaisedAlertsTheSensorPowerAndThePump() throws {
    var api = try plantPotAPI()
    let (_, health) = try get("/api/v1/health", from: &api)
    XCTAssertEqual(
      health["alerts"]?.arrayValue?.compactMap { $0["alert"]?.stringValue }, ["water me"])
    XCTAssertEqual(health["sensor_power"]?["state"]?.stringValue, "on")
    XCTAssertEqual(health["sensor_power"]?["cycles"]?.int64Value, 0)
    let pump = try XCTUnwrap(health["pump"])
    XCTAssertEqual(pump["relay"]?.stringValue, "on")
    XCTAssertEqual(pump["state"]?.stringValue, "running")
    XCTAssertEqual(pump["runs_last_24h"]?.int64Value, 1)
    XCTAssertEqual(pump["runs_per_day_max"]?.int64Value, 4)
    XCTAssertEqual(pump["run_seconds"]?.int64Value, 8)
    XCTAssertEqual(pump["last_run"]?.stringValue, "2026-11-18T11:16:40.000Z")
    // The fridge has neither the pump nor (in this status) any control at all.
    var fridge = self.api()
    let (_, fridgeHealth) = try get("/api/v1/health", from: &fridge)
    XCTAssertNil(fridgeHealth["pump"])
    XCTAssertEqual(fridgeHealth["alerts"]?.arrayValue?.count, 0)
  }
}
