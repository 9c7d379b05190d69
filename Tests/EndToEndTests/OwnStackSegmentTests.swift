import Foundation
import JSON
import XCTest

/// `make run`'s arrangement, rootless: the `ethernet-switch` makes a virtual Ethernet segment of
/// Unix datagram sockets, and the hub (192.0.2.1) and an appliance (192.0.2.11) join it with
/// Loam's own TCP/IP stack, so that every reading travels over our ARP, IPv4, TCP and HTTP. The
/// appliance is told only `hub.local`, which its stack resolves over mDNS.
final class OwnStackSegmentTests: XCTestCase {
  func testReadingsCrossTheSegmentAndSurviveAHubRestart() throws {
    let directory = URL(fileURLWithPath: "/tmp/loam-seg-\(getpid())-\(UInt32.random(in: 0...9999))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let socket = directory.appendingPathComponent("switch.sock").path
    let ethernetSwitch = try ChildProcess(
      try executable("ethernet-switch"), ["--socket", socket], name: "switch")
    defer { ethernetSwitch.kill() }
    try waitUntil("the switch listens", timeoutSeconds: 10) {
      FileManager.default.fileExists(atPath: socket)
    }
    let hub = try HubUnderTest(
      dataDirectory: directory.appendingPathComponent("hub"),
      extraArguments: ["--net", "segment:\(socket),ip=192.0.2.1/24"])
    try hub.start()
    let appliance = try ChildProcess(
      try executable("appliance"),
      [
        "--kind", "plant-pot", "--hub", "http://hub.local:\(hub.port)", "--interval", "0.2",
        "--data", directory.appendingPathComponent("plant-pot").path,
        "--net", "segment:\(socket),ip=192.0.2.11/24",
      ], name: "plant-pot")
    defer { appliance.kill() }

    try waitUntil("readings arrive over our stack", timeoutSeconds: 30) {
      (try? hub.getJSON("/api/v1/health")["readings"]?.int64Value ?? 0) ?? 0 >= 10
    }
    // The hub goes away without a word; the appliance keeps its readings and delivers them to
    // the restarted hub (same data, same address on the segment).
    hub.stop(signal: SIGKILL)
    Thread.sleep(forTimeInterval: 2)
    try hub.start()
    let before = try hub.getJSON("/api/v1/health")["readings"]?.int64Value ?? 0
    try waitUntil("the buffered readings arrive after the restart", timeoutSeconds: 60) {
      (try? hub.getJSON("/api/v1/health")["readings"]?.int64Value ?? 0) ?? 0 >= before + 20
    }
    appliance.kill()
    Thread.sleep(forTimeInterval: 1)
    var sequences: [Int64] = []
    for sensor in plantPotSensors {
      let list = try hub.getJSON("/api/v1/sensors/\(sensor)/readings?limit=20000")
      sequences += (list["readings"]?.arrayValue ?? []).compactMap { $0["seq"]?.int64Value }
    }
    sequences.sort()
    XCTAssertGreaterThan(sequences.count, 20)
    XCTAssertEqual(sequences, Array(1...Int64(sequences.count)), "every reading once, none lost")
    print("OwnStackSegmentTests: \(sequences.count) readings; appliance:\n\(appliance.output)")
  }
}
