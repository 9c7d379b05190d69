import Foundation
import XCTest

/// An appliance publishing over Loam's own TCP/IP stack (our TCP and HTTP client) on a TAP
/// device to a hub on the Linux kernel's sockets, inside a network namespace of the test's own:
/// 192.0.2.2 is our stack, 192.0.2.1 the kernel. The appliance starts before the hub, so its
/// first connections are refused by the kernel's TCP; it keeps its readings and delivers them
/// all once the hub is up.
final class ApplianceOnOwnStackTests: XCTestCase {
  func testOurHTTPClientPublishesToAHubOnKernelSockets() throws {
    if let reason = TestNamespace.unavailableReason() { throw XCTSkip(reason) }
    let namespace = try TestNamespace(name: "loam-appstack-\(getpid())")
    defer { namespace.delete() }
    let data = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loam-appstack-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: data) }

    let appliance = try namespace.start(
      try executable("appliance"),
      [
        "--kind", "fridge", "--hub", "http://192.0.2.1:8081", "--interval", "0.2", "--data",
        data.appendingPathComponent("fridge").path, "--net", "tap:loamtap1,ip=192.0.2.2/24",
      ], name: "appliance-own-stack")
    defer { appliance.kill() }
    try namespace.configureTAP("loamtap1", address: "192.0.2.1/24")
    Thread.sleep(forTimeInterval: 2)  // readings pile up while nothing listens on 8081

    let hub = try namespace.start(
      try executable("hub"),
      // On every address: the TAP device, and with it 192.0.2.1, goes when the appliance
      // ends, and the readings are then read back over the namespace's loopback.
      ["--host", "0.0.0.0", "--port", "8081", "--data", data.appendingPathComponent("hub").path],
      name: "hub-kernel")
    defer { hub.kill() }
    let sequences = try namespace.expectEveryFridgeReadingOnce(
      hubPort: 8081, minimum: 40, stopping: appliance, within: 60)
    print("ApplianceOnOwnStackTests: \(sequences.count) readings\n\(appliance.output)")
  }
}
