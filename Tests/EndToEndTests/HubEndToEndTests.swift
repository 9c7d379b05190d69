import Foundation
import JSON
import XCTest

/// The hub and appliances as real processes talking HTTP over the kernel's loopback.
final class HubEndToEndTests: XCTestCase {
  private func startAppliance(
    _ kind: String, hub: HubUnderTest, dataDirectory: URL, interval: String = "0.1"
  ) throws -> ChildProcess {
    try ChildProcess(
      try executable("appliance"),
      ["--kind", kind, "--hub", hub.baseURL, "--interval", interval, "--data", dataDirectory.path],
      name: kind)
  }

  private func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("loam-e2e-\(UUID().uuidString)")
  }

  /// Every sequence number the hub holds for an appliance, across its sensors.
  private func storedSequences(_ hub: HubUnderTest, sensors: [String]) throws -> [Int64] {
    var sequences: [Int64] = []
    for sensor in sensors {
      let list = try hub.getJSON("/api/v1/sensors/\(sensor)/readings?limit=10000")
      for reading in list["readings"]?.arrayValue ?? [] {
        sequences.append(try XCTUnwrap(reading["seq"]?.int64Value))
      }
    }
    return sequences.sorted()
  }

  func testApplianceReadingsArriveAndReadBack() throws {
    let hub = try HubUnderTest()
    try hub.start()
    let data = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: data) }
    let fridge = try startAppliance("fridge", hub: hub, dataDirectory: data)
    // The SCD4x has a new value every 5 s, the SGP30 none during its 15 s warm-up.
    try waitUntil("the fridge's readings arrive", timeoutSeconds: 45) {
      let sensors = try hub.getJSON("/api/v1/sensors")["sensors"]?.arrayValue ?? []
      return sensors.count == fridgeSensors.count
        && sensors.allSatisfy { ($0["reading_count"]?.int64Value ?? 0) >= 5 }
    }
    fridge.kill()
    let sensors = try hub.getJSON("/api/v1/sensors")["sensors"]?.arrayValue ?? []
    XCTAssertEqual(sensors.compactMap { $0["id"]?.stringValue }, fridgeSensors)
    var units: [String: Set<String>] = [:]
    for sensor in sensors {
      units[sensor["quantity"]?.stringValue ?? "", default: []].insert(
        sensor["unit"]?.stringValue ?? "")
    }
    XCTAssertEqual(
      units,
      [
        "temperature": ["°C"], "humidity": ["%RH"], "pressure": ["hPa"], "co2": ["ppm"],
        "eco2": ["ppm"], "tvoc": ["ppb"],
      ])
    let sequences = try storedSequences(hub, sensors: fridgeSensors)
    XCTAssertEqual(sequences, Array(1...Int64(sequences.count)), "every reading once, none missing")
  }

  /// The hub is killed mid-stream, its log gets a torn record, and it comes back: the appliance
  /// buffers meanwhile and delivers the rest, so every reading is stored exactly once.
  func testHubCrashTornLogAndRecoveryLoseNothing() throws {
    let hubData = temporaryDirectory()
    let applianceData = temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(at: hubData)
      try? FileManager.default.removeItem(at: applianceData)
    }
    let hub = try HubUnderTest(dataDirectory: hubData)
    try hub.start()
    let pot = try startAppliance("plant-pot", hub: hub, dataDirectory: applianceData)
    let sensors = plantPotSensors
    try waitUntil("some readings arrive", timeoutSeconds: 20) {
      ((try? self.storedSequences(hub, sensors: sensors))?.count ?? 0) >= 10
    }
    hub.stop(signal: SIGKILL)
    // A crash in the middle of an append leaves part of a record at the end of the log.
    let log = hubData.appendingPathComponent("readings.log")
    let handle = try FileHandle(forWritingTo: log)
    try handle.seekToEnd()
    try handle.write(contentsOf: [200, 0, 0, 0, 1, 2, 3, 4] + Array("{\"appliance\":".utf8))
    try handle.close()
    Thread.sleep(forTimeInterval: 1.5)  // The appliance keeps sampling into its outbox.

    try hub.start()
    XCTAssertTrue(
      hub.child?.output.contains("dropping 21 bytes of a record torn by a crash") ?? false,
      hub.child?.output ?? "")
    let expectedAtLeast = try storedSequences(hub, sensors: sensors).count + 10
    try waitUntil("the buffered readings arrive", timeoutSeconds: 30) {
      try self.storedSequences(hub, sensors: sensors).count >= expectedAtLeast
    }
    pot.kill()
    XCTAssertTrue(pot.output.contains("unreachable"), pot.output)
    XCTAssertTrue(pot.output.contains("reachable again"), pot.output)
    let sequences = try storedSequences(hub, sensors: sensors)
    XCTAssertEqual(sequences, Array(1...Int64(sequences.count)), "no gap, no duplicate")
  }

  /// An appliance killed with SIGKILL and restarted continues with fresh sequence numbers, so
  /// its new readings are not mistaken for duplicates.
  func testApplianceRestartNeverReusesSequenceNumbers() throws {
    let hub = try HubUnderTest()
    try hub.start()
    let data = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: data) }
    var pot = try startAppliance("plant-pot", hub: hub, dataDirectory: data)
    let sensors = plantPotSensors
    try waitUntil("first readings", timeoutSeconds: 20) {
      ((try? self.storedSequences(hub, sensors: sensors))?.count ?? 0) >= 4
    }
    pot.kill(signal: SIGKILL)
    let before = try storedSequences(hub, sensors: sensors)
    pot = try startAppliance("plant-pot", hub: hub, dataDirectory: data)
    try waitUntil("readings after the restart", timeoutSeconds: 20) {
      try self.storedSequences(hub, sensors: sensors).count >= before.count + 4
    }
    pot.kill()
    let after = try storedSequences(hub, sensors: sensors)
    XCTAssertEqual(Set(after).count, after.count, "no sequence stored twice")
    XCTAssertGreaterThan(after.last ?? 0, 1000, "the restart moved on to the next reserved block")
  }

  func testASecondHubOnTheSameDataIsRefused() throws {
    let hub = try HubUnderTest()
    try hub.start()
    let second = try runCommand(
      try executable("hub").path,
      ["--port", "\(try freePort())", "--data", hub.dataDirectory.path])
    XCTAssertEqual(second.status, 1)
    XCTAssertTrue(second.output.contains("another process is using this data"), second.output)
    XCTAssertEqual(try hub.getJSON("/api/v1/health")["status"], .string("ok"))
  }

  func testCorruptLogStopsTheHubAndKeepsTheFile() throws {
    let data = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: data) }
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    // Two records; the first one's payload is damaged, so damage is not at the tail.
    var bytes = Array("LOAMLOG1".utf8)
    for _ in 0..<2 { bytes += [2, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x7B, 0x7D] }
    let log = data.appendingPathComponent("readings.log")
    try Data(bytes).write(to: log)
    let hub = try HubUnderTest(dataDirectory: data)
    let result = try runCommand(
      try executable("hub").path, ["--port", "\(hub.port)", "--data", data.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(
      result.output.contains("corrupt record at byte 8: checksum mismatch"), result.output)
    XCTAssertEqual(try Data(contentsOf: log), Data(bytes), "the damaged log is left untouched")
  }

  func testCurlPublishesAndMalformedRequestsGetJSONErrors() throws {
    let hub = try HubUnderTest()
    try hub.start()
    let url = hub.baseURL + "/api/v1/readings"
    let body =
      #"{"appliance":"curl","readings":[{"sensor":"curl.soil","quantity":"soil_moisture","#
      + #""unit":"%","value":33.5,"time":"2026-11-26T20:00:00Z","seq":1}]}"#
    let posted = try runCommand(
      "/usr/bin/curl",
      ["-sS", "-X", "POST", "-H", "Content-Type: application/json", "-d", body, url])
    XCTAssertEqual(posted.output, #"{"accepted":1,"duplicates":0,"acknowledged_seq":1}"#)

    func status(_ arguments: [String]) throws -> (code: String, body: String) {
      let result = try runCommand(
        "/usr/bin/curl", ["-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", "5"] + arguments)
      let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
      return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }
    let bigHeader = "X-Filler: " + String(repeating: "a", count: 17_000)
    let cases: [(arguments: [String], code: String, errorCode: String)] = [
      (["-X", "POST", "-d", "{not json", url], "400", "invalid_batch"),
      (["-H", bigHeader, hub.baseURL + "/api/v1/health"], "431", "header_fields_too_large"),
      (
        [hub.baseURL + "/api/v1/sensors?" + String(repeating: "q", count: 17_000)], "414",
        "uri_too_long"
      ),
      (["-X", "POST", "--data-binary", "@-", url], "413", "payload_too_large"),
      (["-X", "PUT", url], "405", "method_not_allowed"),
      ([hub.baseURL + "/api/v1/sensors/nope"], "404", "not_found"),
    ]
    // A body over the 1 MiB limit, declared by Content-Length, for the case that sends "@-".
    let bigBody = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loam-big-body-\(UUID().uuidString)")
    try Data(repeating: 0x20, count: (1 << 20) + 1).write(to: bigBody)
    defer { try? FileManager.default.removeItem(at: bigBody) }
    for testCase in cases {
      let arguments = testCase.arguments.map { $0 == "@-" ? "@" + bigBody.path : $0 }
      let answer = try status(arguments)
      XCTAssertEqual(answer.code, testCase.code, "\(testCase.arguments.prefix(2))")
      let error = try? JSONParser.parse(Array(answer.body.utf8))
      XCTAssertEqual(error?["error"]?["code"], .string(testCase.errorCode), answer.body)
      XCTAssertNotNil(error?["error"]?["message"]?.stringValue)
    }
    XCTAssertEqual(try hub.getJSON("/api/v1/health")["status"], .string("ok"), "still serving")
    XCTAssertEqual(try hub.getJSON("/api/v1/health")["readings"], .number(.integer(1)))
  }
}
