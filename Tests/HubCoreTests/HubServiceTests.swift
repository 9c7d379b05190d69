import Foundation
import HTTP
import HubCore
import JSON
import Readings
import RecordLog
import Time
import XCTest

/// Makes a `MemoryStore` fail, as a full or broken disk would, while the hub holds it.
final class DiskFault {
  var message: String?
}

/// A store in memory; `durableCount` of its batches have been synced.
struct MemoryStore: ReadingStore {
  var batches: [AcceptedBatch] = []
  var durableCount = 0
  var syncCount = 0
  var fault = DiskFault()
  var syncFault = DiskFault()

  var kind: String { "memory" }
  var byteCount: Int { batches.reduce(0) { $0 + $1.logRecord().count } }
  var hasUnsyncedWrites: Bool { durableCount < batches.count }

  mutating func append(_ batch: AcceptedBatch) throws(ReadingStoreError) {
    if let message = fault.message { throw ReadingStoreError(message) }
    batches.append(batch)
  }

  mutating func sync() throws(ReadingStoreError) {
    syncCount += 1
    if let message = syncFault.message { throw ReadingStoreError(message) }
    durableCount = batches.count
  }
}

/// Drives a `HubService` through the real HTTP server connection, bytes in and bytes out.
struct HubHarness {
  var hub: HubService<MemoryStore>
  var now = Instant(nanoseconds: 5_000_000_000)

  init(store: MemoryStore = MemoryStore()) {
    hub = HubService(
      store: store, index: SensorIndex(), now: now,
      wallClock: UTCTime(millisecondsSinceEpoch: 1_795_725_226_000))
  }

  mutating func request(
    _ method: String, _ target: String, body: String? = nil
  ) throws -> (status: Int, headers: HTTPHeaders, json: JSONValue?) {
    var text = "\(method) \(target) HTTP/1.1\r\nHost: hub\r\n"
    if let body {
      text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
    }
    text += "\r\n" + (body ?? "")
    var server = HTTPServerConnection(configuration: HTTPServerConfiguration(), now: now)
    let output = server.receive(Array(text.utf8), now: now, responder: &hub)
    var client = HTTPClientConnection()
    _ = client.send(HTTPClientRequest(method: HTTPMethod(method), target: target), host: "hub")
    let response = try XCTUnwrap(try client.receive(output.bytes))
    let isJSON = response.headers["Content-Type"] == "application/json"
    return (
      response.status.code, response.headers,
      isJSON ? try JSONParser.parse(response.body) : nil
    )
  }
}

func batchJSON(appliance: String = "plant-pot", sequences: [Int], sensor: String = "plant-pot.soil")
  -> String
{
  let readings = sequences.map { sequence in
    #"{"sensor":"\#(sensor)","quantity":"soil_moisture","unit":"%","value":\#(40 + sequence),"#
      + #""time":"2026-11-26T20:00:\#(sequence < 10 ? "0" : "")\#(sequence).000Z","seq":\#(sequence)}"#
  }
  return #"{"appliance":"\#(appliance)","readings":[\#(readings.joined(separator: ","))]}"#
}

final class HubServiceTests: XCTestCase {
  func testPublishThenReadBack() throws {
    var harness = HubHarness()
    let posted = try harness.request(
      "POST", "/api/v1/readings", body: batchJSON(sequences: [1, 2, 3]))
    XCTAssertEqual(posted.status, 200)
    XCTAssertEqual(posted.json?["accepted"], .number(.integer(3)))
    XCTAssertEqual(posted.json?["acknowledged_seq"], .number(.integer(3)))
    XCTAssertNotNil(posted.headers["Date"])

    let sensors = try harness.request("GET", "/api/v1/sensors")
    XCTAssertEqual(sensors.status, 200)
    let first = try XCTUnwrap(sensors.json?["sensors"]?.arrayValue?.first)
    XCTAssertEqual(first["id"], .string("plant-pot.soil"))
    XCTAssertEqual(first["unit"], .string("%"))
    XCTAssertEqual(first["reading_count"], .number(.integer(3)))
    XCTAssertEqual(first["latest"]?["value"], .number(.double(43)))
    XCTAssertEqual(first["latest"]?["time"], .string("2026-11-26T20:00:03.000Z"))

    let one = try harness.request("GET", "/api/v1/sensors/plant-pot.soil")
    XCTAssertEqual(one.json?["appliance"], .string("plant-pot"))

    let range = try harness.request(
      "GET",
      "/api/v1/sensors/plant-pot.soil/readings?since=2026-11-26T20:00:02Z&limit=1")
    XCTAssertEqual(range.status, 200)
    XCTAssertEqual(range.json?["readings"]?.arrayValue?.count, 1)
    XCTAssertEqual(range.json?["readings"]?.arrayValue?.first?["seq"], .number(.integer(3)))
    XCTAssertEqual(range.json?["truncated"], .bool(true))

    let buckets = try harness.request(
      "GET", "/api/v1/sensors/plant-pot.soil/readings?bucket_seconds=2&limit=1")
    XCTAssertEqual(buckets.status, 200)
    XCTAssertEqual(buckets.json?["bucket_seconds"], .number(.integer(2)))
    XCTAssertEqual(buckets.json?["truncated"], .bool(true))
    XCTAssertNil(buckets.json?["readings"])
    let bucket = try XCTUnwrap(buckets.json?["buckets"]?.arrayValue?.first)
    XCTAssertEqual(bucket["time"], .string("2026-11-26T20:00:02.000Z"))
    XCTAssertEqual(bucket["count"], .number(.integer(2)))
    XCTAssertEqual(bucket["mean"], .number(.double(42.5)))
    XCTAssertEqual(bucket["min"], .number(.double(42)))
    XCTAssertEqual(bucket["max"], .number(.double(43)))

    let health = try harness.request("GET", "/api/v1/health")
    XCTAssertEqual(health.json?["status"], .string("ok"))
    XCTAssertEqual(health.json?["readings"], .number(.integer(3)))
    XCTAssertEqual(harness.hub.store.batches.count, 1)
  }

  func testABatchSentTwiceIsStoredOnce() throws {
    var harness = HubHarness()
    _ = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1, 2]))
    let again = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1, 2]))
    XCTAssertEqual(again.status, 200)
    XCTAssertEqual(again.json?["accepted"], .number(.integer(0)))
    XCTAssertEqual(again.json?["duplicates"], .number(.integer(2)))
    XCTAssertEqual(harness.hub.store.batches.count, 1, "nothing new is written for duplicates")
    XCTAssertEqual(harness.hub.index.readingCount, 2)
  }

  func testInvalidBatchesGetAJSONErrorAndChangeNothing() throws {
    var harness = HubHarness()
    let cases: [(String, String)] = [
      ("{\"appliance\":\"plant-pot\",\"readings\":[}", "invalid JSON"),
      ("{\"appliance\":\"plant-pot\"}", "readings"),
      (batchJSON(sequences: [1], sensor: "fridge.soil"), "must start with the appliance id"),
      (batchJSON(appliance: "Plant Pot", sequences: [1]), "appliance id"),
      (batchJSON(sequences: [2, 1]), "seq must increase"),
      (batchJSON(sequences: [1]).replacingOccurrences(of: "\"%\"", with: "\"\""), "unit"),
    ]
    for (body, expected) in cases {
      let response = try harness.request("POST", "/api/v1/readings", body: body)
      XCTAssertEqual(response.status, 400, body)
      XCTAssertEqual(response.json?["error"]?["code"], .string("invalid_batch"), body)
      let message = response.json?["error"]?["message"]?.stringValue ?? ""
      XCTAssertTrue(message.contains(expected), "\(message) should mention \(expected)")
    }
    XCTAssertEqual(harness.hub.index.readingCount, 0)
    XCTAssertTrue(harness.hub.store.batches.isEmpty)
  }

  func testAStoreFailureIsA503AndTheRetryIsStored() throws {
    let fault = DiskFault()
    fault.message = "disk full"
    var harness = HubHarness(store: MemoryStore(fault: fault))
    let failed = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1]))
    XCTAssertEqual(failed.status, 503)
    XCTAssertEqual(failed.json?["error"]?["code"], .string("store_unavailable"))
    XCTAssertTrue(failed.json?["error"]?["message"]?.stringValue?.contains("disk full") ?? false)
    XCTAssertEqual(harness.hub.index.readingCount, 0, "nothing acknowledged, nothing indexed")

    fault.message = nil
    let retried = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1]))
    XCTAssertEqual(retried.json?["accepted"], .number(.integer(1)))
    XCTAssertEqual(harness.hub.store.batches.count, 1)
  }

  func testOneSyncCoversEveryBatchAcceptedBeforeIt() throws {
    var harness = HubHarness()
    _ = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1]))
    _ = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [2]))
    XCTAssertEqual(harness.hub.store.batches.count, 2)
    XCTAssertEqual(harness.hub.store.syncCount, 0, "responding does not sync")
    XCTAssertTrue(harness.hub.store.hasUnsyncedWrites)

    try harness.hub.makeAcceptedReadingsDurable()
    XCTAssertEqual(harness.hub.store.syncCount, 1)
    XCTAssertEqual(harness.hub.store.durableCount, 2)
    try harness.hub.makeAcceptedReadingsDurable()
    _ = try harness.request("GET", "/api/v1/health")
    try harness.hub.makeAcceptedReadingsDurable()
    XCTAssertEqual(harness.hub.store.syncCount, 1, "nothing new to sync, no sync")
  }

  func testAFailedSyncIsThrownToThePlatform() throws {
    let syncFault = DiskFault()
    syncFault.message = "EIO"
    var harness = HubHarness(store: MemoryStore(syncFault: syncFault))
    _ = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1]))
    XCTAssertThrowsError(try harness.hub.makeAcceptedReadingsDurable()) { error in
      XCTAssertEqual((error as? ReadingStoreError)?.description, "EIO")
    }
    XCTAssertEqual(harness.hub.store.durableCount, 0)
  }

  func testRoutingErrorsAreJSON() throws {
    var harness = HubHarness()
    let missing = try harness.request("GET", "/api/v1/nothing")
    XCTAssertEqual(missing.status, 404)
    XCTAssertEqual(missing.json?["error"]?["code"], .string("not_found"))
    let noSensor = try harness.request("GET", "/api/v1/sensors/fridge.voc")
    XCTAssertEqual(noSensor.status, 404)
    let wrongMethod = try harness.request("DELETE", "/api/v1/sensors")
    XCTAssertEqual(wrongMethod.status, 405)
    XCTAssertEqual(wrongMethod.headers["Allow"], "GET, HEAD")
    for query in [
      "since=yesterday", "limit=0", "limit=20001", "colour=red", "bucket_seconds=0",
      "bucket_seconds=1.5", "bucket_seconds=31622401",
      "since=2026-11-27T00:00:00Z&until=2026-11-26T00:00:00Z",
    ] {
      _ = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1]))
      let response = try harness.request("GET", "/api/v1/sensors/plant-pot.soil/readings?\(query)")
      XCTAssertEqual(response.status, 400, query)
      XCTAssertEqual(response.json?["error"]?["code"], .string("invalid_parameter"), query)
    }
  }

  func testServesTheDashboardAndTheOpenAPIDocument() throws {
    var harness = HubHarness()
    let page = try harness.request("GET", "/")
    XCTAssertEqual(page.status, 200)
    XCTAssertEqual(page.headers["Content-Type"], "text/html; charset=utf-8")
    let document = try harness.request("GET", "/api/v1/openapi.json")
    XCTAssertEqual(document.json?["openapi"], .string("3.0.3"))
  }

  func testLogReplayRebuildsTheSameIndex() throws {
    var harness = HubHarness()
    _ = try harness.request("POST", "/api/v1/readings", body: batchJSON(sequences: [1, 2]))
    _ = try harness.request(
      "POST", "/api/v1/readings",
      body: batchJSON(appliance: "fridge", sequences: [7], sensor: "fridge.voc"))
    let file =
      RecordLogFormat.readingLog.magic + harness.hub.store.batches.flatMap { $0.logRecord() }
    var replayed = SensorIndex()
    for record in try RecordLogFormat.readingLog.scan(file).records {
      try ReadingLogReplay.replay(record, into: &replayed)
    }
    XCTAssertEqual(replayed.readingCount, 3)
    XCTAssertEqual(replayed.acknowledgedSequences, ["plant-pot": 2, "fridge": 7])
    XCTAssertEqual(
      replayed.sensors["plant-pot.soil"]?.readings,
      harness.hub.index.sensors["plant-pot.soil"]?.readings)
  }
}
