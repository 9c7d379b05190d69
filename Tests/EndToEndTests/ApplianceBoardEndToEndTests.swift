import Foundation
import JSON
import XCTest

/// The `appliance` executable composing a board and a profile: the command a Raspberry Pi owner
/// runs, on this machine (which has no I2C), and the errors it gives before it touches hardware
/// or the network.
final class ApplianceBoardEndToEndTests: XCTestCase {
  private var dataDirectory: URL!

  override func setUp() {
    dataDirectory = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-boards-\(UUID().uuidString)")
  }

  override func tearDown() {
    try? FileManager.default.removeItem(at: dataDirectory)
  }

  private func runAppliance(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runCommand(
      try executable("appliance").path,
      arguments + ["--hub", "http://hub.local:8080", "--data", dataDirectory.path])
  }

  /// No /dev/i2c-1 here: the real i2c-dev open fails, and the appliance says what a Pi owner
  /// changes, before it creates its data directory or opens a socket.
  func testARaspberryPi4WithoutI2CSaysHowToEnableIt() throws {
    if FileManager.default.fileExists(atPath: "/dev/i2c-1") {
      throw XCTSkip("this machine has /dev/i2c-1: the appliance would read it")
    }
    let result = try runAppliance(["--board", "rpi4b", "--profile", "Sensors/plant-pot.json"])
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(result.output.contains("no I2C bus /dev/i2c-1"), result.output)
    XCTAssertTrue(result.output.contains("dtparam=i2c_arm=on"), result.output)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dataDirectory.path))
  }

  /// A profile that does not fit the board is reported at its file, line and column, with
  /// status 2.
  func testAProfileMistakeIsReportedWhereItIs() throws {
    let profile = dataDirectory.path + "-profile.json"
    defer { try? FileManager.default.removeItem(atPath: profile) }
    try Data(
      """
      {"kind": "fridge", "name": "Fridge",
       "sensors": [{"id": "voc", "chip": "sgp30", "bus": 3, "address": "0x58",
                    "interval_seconds": 10}]}
      """.utf8
    ).write(to: URL(fileURLWithPath: profile))
    let result = try runAppliance(["--board", "rpi3b", "--profile", profile])
    XCTAssertEqual(result.status, 2, result.output)
    XCTAssertTrue(
      result.output.contains("\(profile):2:52: sensors[0].bus: board rpi3b has no I2C bus 3"),
      result.output)
    XCTAssertFalse(FileManager.default.fileExists(atPath: dataDirectory.path))
  }

  func testAnUnknownBoardAndAKindThatIsNotTheProfilesExitWithStatus2() throws {
    let unknownBoard = try runAppliance(["--board", "rpi5", "--kind", "fridge"])
    XCTAssertEqual(unknownBoard.status, 2, unknownBoard.output)
    XCTAssertTrue(unknownBoard.output.contains("no board rpi5"), unknownBoard.output)
    let wrongKind = try runAppliance(["--kind", "plant-pot", "--profile", "Sensors/fridge.json"])
    XCTAssertEqual(wrongKind.status, 2, wrongKind.output)
    XCTAssertTrue(wrongKind.output.contains("is the profile of a fridge"), wrongKind.output)
  }

  /// On the sim board the plant pot dries until "water me" is raised; the appliance switches
  /// the simulated pump relay on, the simulated pot gets the water, the next reading clears the
  /// alert, and the local API shows the run. The appliance's clock runs 100 times faster than
  /// real time and the world 600 times faster than that, so a week of drying takes seconds;
  /// no hub is needed (readings wait in the outbox).
  func testTheSimulatedPlantPotIsWateredWhenItsSoilIsDry() throws {
    let apiPort = try freePort()
    let appliance = try ChildProcess(
      try executable("appliance"),
      [
        "--kind", "plant-pot", "--hub", "http://127.0.0.1:9", "--data", dataDirectory.path,
        "--interval", "10", "--clock-rate", "100", "--time-scale", "600", "--api-port",
        "\(apiPort)",
      ], name: "appliance-pump")
    defer { appliance.kill() }
    try waitUntil("the soil alert is cleared after watering", timeoutSeconds: 60) {
      appliance.output.contains("alert cleared: plant-pot.soil")
    }
    let log = appliance.output
    let steps = [
      "alert raised: plant-pot.soil soil_moisture", "pump on for 8 s: the soil is dry (run 1 of",
      "pump off; the water soaks in for 600 s", "alert cleared: plant-pot.soil soil_moisture",
    ].map { log.range(of: $0)?.lowerBound }
    XCTAssertFalse(steps.contains(nil), log)
    XCTAssertEqual(steps.compactMap { $0 }, steps.compactMap { $0 }.sorted(), "in order: \(log)")

    let health = try runCommand(
      "/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(apiPort)/api/v1/health"])
    let document = try JSONParser.parse(Array(health.output.utf8))
    let pump = try XCTUnwrap(document["pump"], health.output)
    XCTAssertGreaterThanOrEqual(pump["runs_last_24h"]?.int64Value ?? 0, 1, health.output)
    XCTAssertNotNil(pump["last_run"]?.stringValue, health.output)
    XCTAssertEqual(document["sensor_power"]?["state"]?.stringValue, "on", health.output)
    let alerts = try runCommand(
      "/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(apiPort)/api/v1/alerts"])
    let listed = try JSONParser.parse(Array(alerts.output.utf8))["alerts"]?.arrayValue ?? []
    XCTAssertEqual(listed.first?["alert"]?.stringValue, "water me", alerts.output)
  }
}
