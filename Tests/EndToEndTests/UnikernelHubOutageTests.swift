import Foundation
import JSON
import XCTest

/// The qemu-virt unikernel while its hub is down: it keeps what it measures in its outbox (in
/// RAM, as it has no disk), retries, and once the hub is up delivers every reading, none lost.
final class UnikernelHubOutageTests: XCTestCase {
  /// One `reading SENSOR QUANTITY VALUE UNIT` line of the console, or one reading at the hub.
  private struct Reading: Equatable {
    var sensor: String
    var value: Double
  }

  func testQEMUVirtApplianceDeliversEveryReadingItTookWhileTheHubWasDown() throws {
    let kernel = try unikernelImage("qemu-virt", "kernel8.img")
    let hub = try HubUnderTest()  // its port is chosen now; it starts later
    let hubURL = "http://10.0.2.2:\(hub.port)"
    // Not a guestfwd as in UnikernelBootTests: QEMU connects a guestfwd's target when it starts
    // and refuses to start if no one listens. The guest reaches the host's loopback as 10.0.2.2
    // through user networking's NAT instead (which restrict=on would forbid), so with no hub
    // its connections are refused, as when the hub's process is down, and each attempt after
    // the hub starts is a connection of its own.
    let qemu = try ChildProcess(
      URL(fileURLWithPath: qemuSystemAArch64),
      [
        "-M", "virt", "-cpu", "max", "-m", "128M", "-nographic", "-monitor", "none",
        "-kernel", kernel.path, "-netdev", "user,id=net0",
        "-device", "virtio-net-device,netdev=net0",
        // Five readings every 0.2 s: more than one request's worth (ReadingPublisher sends
        // 200 at most) waits after a few seconds.
        "-append", "loam.hub=\(hubURL) loam.id=virt-pot loam.interval=0.2",
      ], name: "qemu-virt-outage")
    defer { qemu.kill() }
    try waitUntil("the unikernel finds the hub unreachable", timeoutSeconds: 60) {
      qemu.output.contains("hub \(hubURL) unreachable")
    }
    try waitUntil("more readings wait than one request carries", timeoutSeconds: 60) {
      Self.readings(onConsole: qemu.output).count > 250
    }
    let console = qemu.output
    let taken = Self.readings(onConsole: console)
    let unreachable = Self.lines(ofConsole: console).first { $0.hasPrefix("hub \(hubURL)") }
    let expectedPrefix =
      "hub \(hubURL) unreachable (connection failed: TCP: connection refused); "
      + "keeping readings, retrying in "
    XCTAssertTrue(
      unreachable?.hasPrefix(expectedPrefix) == true
        && unreachable?.dropFirst(expectedPrefix.count).wholeMatch(of: /\d+ ms/) != nil,
      "the first word about the hub is not that it is unreachable:\n\(console)")

    try hub.start()
    defer { hub.stop() }
    try waitUntil(
      "the hub holds as many readings as were taken while it was down", timeoutSeconds: 90
    ) {
      (try? hub.getJSON("/api/v1/health"))?["readings"]?.int64Value ?? 0 >= Int64(taken.count)
    }
    XCTAssertTrue(qemu.output.contains("hub \(hubURL): delivered "), qemu.output)

    // The hub's readings by sequence number. The console prints readings in the order of their
    // sequence numbers, and a boot's first is its boot time in seconds × 10⁶ + 1
    // (UnikernelAppliance), so the console's nth reading must be the hub's reading first + n.
    var atHub: [Int64: Reading] = [:]
    for sensor in Set(taken.map(\.sensor)) {
      let list = try hub.getJSON("/api/v1/sensors/\(sensor)/readings?limit=20000")
      for reading in list["readings"]?.arrayValue ?? [] {
        guard let sequence = reading["seq"]?.int64Value, let value = reading["value"]?.doubleValue
        else { return XCTFail("a reading of \(sensor) without seq or value: \(list)") }
        atHub[sequence] = Reading(sensor: sensor, value: value)
      }
    }
    guard let anyOfThem = atHub.keys.first else { return XCTFail("no readings at the hub") }
    let first = anyOfThem / 1_000_000 * 1_000_000 + 1
    let missing = taken.indices.filter { atHub[first + Int64($0)] != taken[$0] }
    XCTAssertTrue(
      missing.isEmpty,
      "\(missing.count) of the \(taken.count) readings on the console are not at the hub as "
        + "printed; their places on the console: \(missing.prefix(20))")
  }

  /// The readings on a console, in order.
  private static func readings(onConsole output: String) -> [Reading] {
    lines(ofConsole: output).compactMap {
      let words = $0.split(separator: " ")
      guard words.count == 5, words[0] == "reading", let value = Double(words[3]) else {
        return nil
      }
      return Reading(sensor: String(words[1]), value: value)
    }
  }

  /// A console's whole lines, without a last one still being written. The unikernel ends its
  /// lines with CR LF, which Swift reads as one Character.
  private static func lines(ofConsole output: String) -> ArraySlice<Substring> {
    output.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).dropLast()
  }
}
