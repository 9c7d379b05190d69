import Foundation
import XCTest

/// The dashboard in a real browser: Debian's headless Chromium loads it from a hub fed by two
/// simulated appliances, and `scripts/check-dashboard` checks the DOM and the console.
final class DashboardBrowserTests: XCTestCase {
  func testDashboardShowsEverySensorWithoutConsoleErrors() throws {
    let hub = try HubUnderTest()
    try hub.start()
    let data = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-dashboard-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: data) }
    var appliances: [ChildProcess] = []
    for kind in ["plant-pot", "fridge"] {
      appliances.append(
        try ChildProcess(
          try executable("appliance"),
          [
            "--kind", kind, "--hub", hub.baseURL, "--interval", "0.2", "--data",
            data.appendingPathComponent(kind).path,
          ], name: kind))
    }
    // The fridge's SGP30 (a simulated chip) gives no TVOC or eCO2 during its 15 s warm-up.
    let sensors = fridgeSensors + plantPotSensors
    try waitUntil("every sensor reports", timeoutSeconds: 40) {
      (try hub.getJSON("/api/v1/sensors")["sensors"]?.arrayValue?.count ?? 0) == sensors.count
    }
    let script = repositoryRoot.appendingPathComponent("scripts/check-dashboard").path
    let result = try runCommand(
      "/usr/bin/env",
      ["python3", script, hub.baseURL + "/"] + sensors.flatMap { ["--expect-sensor", $0] })
    if result.status == 77 {
      throw XCTSkip("no Chromium on this machine (make deps installs it): \(result.output)")
    }
    XCTAssertEqual(result.status, 0, result.output)
    for sensor in sensors { XCTAssertTrue(result.output.contains(sensor), result.output) }
    for appliance in appliances { appliance.kill() }
  }

  /// The check itself must be able to fail: a page with an uncaught exception is refused.
  func testTheBrowserCheckCatchesConsoleErrors() throws {
    let script = repositoryRoot.appendingPathComponent("scripts/check-dashboard").path
    let result = try runCommand("/usr/bin/env", ["python3", script, "--self-test"])
    if result.status == 77 { throw XCTSkip("no Chromium on this machine: \(result.output)") }
    XCTAssertEqual(result.status, 0, result.output)
  }
}
