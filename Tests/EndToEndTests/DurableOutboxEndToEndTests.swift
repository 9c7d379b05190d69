import Foundation
import JSON
import XCTest

/// The appliance's durable outbox, with real hub and appliance processes on the host's sockets:
/// readings outlive an hour without the hub and a SIGKILL, and reach the hub each exactly once.
///
/// The appliance runs on an accelerated clock (`--clock-rate`): its sampling, timestamps and
/// retry backoff run that many times faster than real time, so "an hour" here is 3600 simulated
/// seconds of sampling, lived in 30 real seconds. The hub and the network run in real time.
final class DurableOutboxEndToEndTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loam-outbox-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDown() {
    try? FileManager.default.removeItem(at: directory)
  }

  private func startAppliance(
    hub: HubUnderTest, clockRate: Int, extraArguments: [String] = []
  ) throws -> ChildProcess {
    try ChildProcess(
      try executable("appliance"),
      [
        "--kind", "plant-pot", "--hub", hub.baseURL, "--interval", "1",
        "--clock-rate", "\(clockRate)", "--data", directory.appendingPathComponent("app").path,
      ] + extraArguments, name: "appliance-outbox")
  }

  /// Every reading of the plant pot the hub holds: per sensor, in the hub's (time) order.
  private func hubReadings(_ hub: HubUnderTest) throws -> [String: [(
    sequence: Int64, time: String
  )]] {
    var readings: [String: [(sequence: Int64, time: String)]] = [:]
    for sensor in plantPotSensors {
      let list = try hub.getJSON("/api/v1/sensors/\(sensor)/readings?limit=20000")
      XCTAssertEqual(list["truncated"]?.boolValue, false)
      readings[sensor] = (list["readings"]?.arrayValue ?? []).map {
        ($0["seq"]?.int64Value ?? 0, $0["time"]?.stringValue ?? "")
      }
    }
    return readings
  }

  private func hubReadingCount(_ hub: HubUnderTest) -> Int64 {
    (try? hub.getJSON("/api/v1/health"))?["readings"]?.int64Value ?? 0
  }

  func testAnHourWithoutTheHubArrivesExactlyOnceInOrder() throws {
    let clockRate = 120
    let hub = try HubUnderTest(dataDirectory: directory.appendingPathComponent("hub"))
    let apiPort = try freePort()
    // An hour of five sensors a second fits in the outbox without downsampling.
    let appliance = try startAppliance(
      hub: hub, clockRate: clockRate,
      extraArguments: ["--api-port", "\(apiPort)", "--outbox-limit", "20000"])
    defer { appliance.kill(signal: SIGKILL) }
    // The hub is down for a simulated hour (3600 / 120 = 30 real seconds) of sampling every
    // (simulated) second.
    Thread.sleep(forTimeInterval: 3600 / Double(clockRate) + 0.5)
    // The appliance's own API shows the hour waiting in its outbox.
    let health = try runCommand(
      "/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(apiPort)/api/v1/health"])
    let waiting = try JSONParser.parse(Array(health.output.utf8))["outbox"]?["waiting"]
    XCTAssertGreaterThanOrEqual(waiting?.int64Value ?? 0, 2 * 3500, health.output)
    try hub.start()
    defer { hub.stop() }
    let hourOfReadings = Int64(3600 * plantPotSensors.count)
    try waitUntil("the hour's readings arrive", timeoutSeconds: 60) {
      self.hubReadingCount(hub) >= hourOfReadings + 100
    }
    appliance.kill()  // SIGTERM: it stops sampling; what is out is answered or not, either way.
    Thread.sleep(forTimeInterval: 0.5)

    let readings = try hubReadings(hub)
    var all: [Int64] = []
    for (sensor, list) in readings {
      XCTAssertGreaterThanOrEqual(list.count, 3600, sensor)
      let sequences = list.map(\.sequence)
      XCTAssertEqual(sequences, sequences.sorted(), "\(sensor): in order")
      XCTAssertEqual(Set(list.map(\.time)).count, list.count, "\(sensor): one reading a second")
      all += sequences
    }
    all.sort()
    XCTAssertEqual(all, Array(1...Int64(all.count)), "every reading exactly once, none lost")
    XCTAssertEqual(hubReadingCount(hub), Int64(all.count))
    let log = appliance.output
    XCTAssertTrue(log.contains("unreachable"), log)
    XCTAssertTrue(log.contains("reachable again"), log)
    XCTAssertTrue(log.contains("outbox log compacted"), "delivering the hour compacts the log")
    print("DurableOutboxEndToEndTests: \(all.count) readings after an hour's outage")
  }

  func testSIGKILLWhilePublishingLosesAndDuplicatesNothing() throws {
    let hub = try HubUnderTest(dataDirectory: directory.appendingPathComponent("hub"))
    try hub.start()
    defer { hub.stop() }
    let sequenceFile = directory.appendingPathComponent("app/sequence")
    // Each run hands out sequence numbers from its own reserved block; per run, the first one
    // and the last one that reached the outbox log.
    var runs: [(first: Int64, last: Int64)] = []
    /// The first number the next run hands out: the block after the last one reserved.
    func nextFirstSequence() -> Int64 {
      let reserved = (try? String(contentsOf: sequenceFile, encoding: .utf8)).flatMap {
        Int64($0.trimmingCharacters(in: .whitespacesAndNewlines))
      }
      return (reserved ?? 0) + 1
    }
    var resentRuns = 0
    for run in 0..<4 {
      let first = nextFirstSequence()
      let countBefore = hubReadingCount(hub)
      // Before the first run the hub knows no sensor yet (its readings lists are 404s).
      let stored = run == 0 ? [] : try hubReadings(hub).values.flatMap { $0.map(\.sequence) }
      let hubHighestSequenceBeforeRestart = stored.max() ?? 0
      let appliance = try startAppliance(hub: hub, clockRate: 200)
      // What the previous run left in its outbox, read back at this start.
      try waitUntil("the appliance starts", timeoutSeconds: 20) {
        appliance.output.contains("publishing to")
      }
      if run > 0, let waiting = waitingSequences(in: appliance.output) {
        runs[run - 1].last = max(runs[run - 1].last, waiting.last)
        // Readings the frozen hub stored after the kill wait here too: they are sent again.
        if waiting.first <= hubHighestSequenceBeforeRestart { resentRuns += 1 }
      }
      try waitUntil("readings flow", timeoutSeconds: 20) {
        self.hubReadingCount(hub) > countBefore + 300
      }
      // Freeze the hub so that the appliance's next request is surely out and unanswered, kill
      // the appliance, then let the hub go on: it reads and stores that request's batch, whose
      // acknowledgement nobody hears, so the restarted appliance sends those readings again.
      let hubProcess = try XCTUnwrap(hub.child?.process.processIdentifier)
      kill(hubProcess, SIGSTOP)
      Thread.sleep(forTimeInterval: 0.3)
      appliance.kill(signal: SIGKILL)
      kill(hubProcess, SIGCONT)
      Thread.sleep(forTimeInterval: 0.3)  // the hub stores the batch it was sent
      runs.append((first, first - 1))
    }
    // A last run delivers what the last kill left, and stops cleanly.
    let lastFirst = nextFirstSequence()
    let last = try startAppliance(hub: hub, clockRate: 1)
    try waitUntil("the last appliance starts", timeoutSeconds: 20) {
      last.output.contains("publishing to")
    }
    if let waiting = waitingSequences(in: last.output) {
      runs[runs.count - 1].last = max(runs[runs.count - 1].last, waiting.last)
    }
    Thread.sleep(forTimeInterval: 2)
    last.kill()
    runs.append((lastFirst, lastFirst))

    XCTAssertGreaterThan(resentRuns, 0, "a restart resent readings the hub already had")
    let all = try hubReadings(hub).values.flatMap { $0.map(\.sequence) }.sorted()
    XCTAssertEqual(Set(all).count, all.count, "nothing twice")
    XCTAssertEqual(hubReadingCount(hub), Int64(all.count), "the hub stored each reading once")
    for (index, run) in runs.enumerated() {
      let next = index + 1 < runs.count ? runs[index + 1].first : Int64.max
      let ofRun = all.filter { $0 >= run.first && $0 < next }
      let last = max(run.last, ofRun.last ?? 0)
      if index < runs.count - 1 {
        XCTAssertGreaterThan(last, run.first + 300, "run \(index) published")
      }
      XCTAssertEqual(ofRun, Array(run.first...last), "run \(index): nothing lost")
    }
    print(
      "DurableOutboxEndToEndTests: runs \(runs), \(all.count) readings, \(resentRuns) restarts "
        + "resent readings the hub had")
  }

  func testATornTailIsDroppedButDamageStopsTheStartAndOneDirectoryHasOneAppliance() throws {
    let hub = try HubUnderTest(dataDirectory: directory.appendingPathComponent("hub"))
    // No hub: the readings stay in the outbox.
    let first = try startAppliance(hub: hub, clockRate: 100)
    try waitUntil("the appliance samples", timeoutSeconds: 20) {
      first.output.contains("unreachable")
    }
    let second = try startAppliance(hub: hub, clockRate: 100)
    second.process.waitUntilExit()
    XCTAssertEqual(second.process.terminationStatus, 1)
    XCTAssertTrue(second.output.contains("another process is using this data"), second.output)
    first.kill()

    let log = directory.appendingPathComponent("app/outbox.log")
    let whole = try Data(contentsOf: log)
    // A record cut short by a crash: a length and checksum with half a payload.
    try (whole + Data([40, 0, 0, 0, 1, 2, 3, 4]) + Data("{\"added\":".utf8)).write(to: log)
    let afterCrash = try startAppliance(hub: hub, clockRate: 100)
    try waitUntil("the appliance restarts", timeoutSeconds: 20) {
      afterCrash.output.contains("publishing to")
    }
    afterCrash.kill()
    XCTAssertTrue(
      afterCrash.output.contains("dropping 17 bytes of a record torn"), afterCrash.output)
    XCTAssertTrue(afterCrash.output.contains("readings waiting from an earlier run"))

    var damaged = try Data(contentsOf: log)
    damaged[20] ^= 0x01  // inside the first record's payload
    try damaged.write(to: log)
    let refused = try startAppliance(hub: hub, clockRate: 100)
    refused.process.waitUntilExit()
    XCTAssertEqual(refused.process.terminationStatus, 1)
    XCTAssertTrue(refused.output.contains("corrupt record at byte 8"), refused.output)
    XCTAssertEqual(try Data(contentsOf: log), damaged, "the damaged log is left as it is")
  }

  /// The first and last sequence numbers of an earlier run's outbox, from the appliance's start
  /// message `... waiting from an earlier run (seq A through B)`.
  private func waitingSequences(in output: String) -> (first: Int64, last: Int64)? {
    guard let line = output.split(separator: "\n").first(where: { $0.contains("waiting from") }),
      let seq = line.range(of: "(seq "), let through = line.range(of: " through "),
      let first = Int64(line[seq.upperBound...].prefix { $0.isNumber }),
      let last = Int64(line[through.upperBound...].prefix { $0.isNumber })
    else { return nil }
    return (first, last)
  }
}
