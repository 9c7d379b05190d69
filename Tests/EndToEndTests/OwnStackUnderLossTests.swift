import Foundation
import JSON
import XCTest

/// Loam's own stack in processes across a bad wire, and against standard network services, each
/// test in a network namespace of its own (192.0.2.1 the kernel, deleted at the end):
///
/// - `curl` POSTs four 1 MiB batches to the hub on our stack and GETs the 1.2 MB of readings
///   back, byte for byte the same as over the kernel's loopback;
/// - an appliance on our stack publishes to a hub on kernel sockets, every reading once;
/// - the hub takes its address from dnsmasq by DHCP, answers there, and python-zeroconf
///   resolves `hub.local` to it.
///
/// The wire loses 5% of frames, delays them 20 ms and reorders 10%: with Linux netem on the
/// kernel's side of the TAP device where the kernel has it, otherwise (no CONFIG_NET_SCH_NETEM)
/// with `impair=` on our side, which impairs both directions. Each test says which it used.
final class OwnStackUnderLossTests: XCTestCase {
  /// The longest a transfer test may take, start to end.
  private static let timeLimitSeconds = 120.0

  func testCurlMovesMebibytesToAndFromTheHubAcrossABadWire() throws {
    if let reason = TestNamespace.unavailableReason() { throw XCTSkip(reason) }
    let started = Date()
    let namespace = try TestNamespace(name: "loam-lossyhub-\(getpid())")
    defer { namespace.delete() }
    let wire = BadWire.choose(in: namespace)
    print("OwnStackUnderLossTests: \(wire)")
    let data = temporaryDirectory("loam-lossyhub")
    defer { try? FileManager.default.removeItem(at: data) }
    let hub = try namespace.start(
      try executable("hub"),
      [
        "--host", "127.0.0.1", "--port", "8080", "--data", data.path, "--net",
        "tap:loamtap0,ip=192.0.2.2/24" + wire.netSuffix,
      ], name: "hub-lossy")
    defer { hub.kill() }
    try namespace.configureTAP("loamtap0", address: "192.0.2.1/24")
    try wire.apply(in: namespace, device: "loamtap0")
    try waitUntil("the hub answers across the bad wire", timeoutSeconds: 30) {
      (try? self.curl(namespace, ["-f", "http://192.0.2.2:8080/api/v1/health"]))?.status == 0
    }

    var times: [String] = []
    for batchIndex in 0..<4 {
      let bodyFile = temporaryDirectory("loam-lossy-batch").appendingPathExtension("json")
      defer { try? FileManager.default.removeItem(at: bodyFile) }
      try Data(readingsBatch(first: batchIndex * 5000 + 1, count: 5000)).write(to: bodyFile)
      let (posted, seconds) = try timed {
        try curl(
          namespace,
          [
            "-sS", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
            "@" + bodyFile.path, "http://192.0.2.2:8080/api/v1/readings",
          ])
      }
      times.append("POST 1 MiB \(seconds) s")
      let last = (batchIndex + 1) * 5000
      XCTAssertEqual(
        posted.output, #"{"accepted":5000,"duplicates":0,"acknowledged_seq":"# + "\(last)}")
    }
    let path = "/api/v1/sensors/stack.soil/readings?limit=20000"
    let (overOurs, getSeconds) = try timed {
      try curl(namespace, ["-sS", "-f", "http://192.0.2.2:8080" + path])
    }
    times.append("GET \(overOurs.output.utf8.count) bytes \(getSeconds) s")
    let overKernel = try curl(namespace, ["-sS", "-f", "http://127.0.0.1:8080" + path])
    XCTAssertEqual(overOurs.status, 0, overOurs.output.prefix(300).description)
    XCTAssertGreaterThan(overOurs.output.utf8.count, 1 << 20)
    XCTAssertTrue(overOurs.output == overKernel.output, "the bodies differ")
    let document = try JSONParser.parse(
      Array(overOurs.output.utf8), limits: .init(maximumDocumentBytes: 4 << 20))
    XCTAssertEqual(document["readings"]?.arrayValue?.count, 20000)

    hub.kill()
    try wire.checkItBit(namespace: namespace, device: "loamtap0", output: hub.output)
    let elapsed = Date().timeIntervalSince(started)
    print("OwnStackUnderLossTests: \(wire.name): \(times.joined(separator: "; "))")
    print("OwnStackUnderLossTests: hub output:\n\(hub.output)")
    XCTAssertLessThan(elapsed, Self.timeLimitSeconds)
  }

  func testTheApplianceDeliversEveryReadingOnceAcrossABadWire() throws {
    if let reason = TestNamespace.unavailableReason() { throw XCTSkip(reason) }
    let started = Date()
    let namespace = try TestNamespace(name: "loam-lossyapp-\(getpid())")
    defer { namespace.delete() }
    let wire = BadWire.choose(in: namespace)
    print("OwnStackUnderLossTests: \(wire)")
    let data = temporaryDirectory("loam-lossyapp")
    defer { try? FileManager.default.removeItem(at: data) }
    // On every address, so the readings can be read back over the namespace's loopback.
    let hub = try namespace.start(
      try executable("hub"),
      ["--host", "0.0.0.0", "--port", "8081", "--data", data.appendingPathComponent("hub").path],
      name: "hub-kernel")
    defer { hub.kill() }
    let appliance = try namespace.start(
      try executable("appliance"),
      [
        "--kind", "fridge", "--hub", "http://192.0.2.1:8081", "--interval", "0.1", "--data",
        data.appendingPathComponent("fridge").path, "--net",
        "tap:loamtap1,ip=192.0.2.2/24" + wire.netSuffix,
      ], name: "appliance-lossy")
    defer { appliance.kill() }
    try namespace.configureTAP("loamtap1", address: "192.0.2.1/24")
    try wire.apply(in: namespace, device: "loamtap1")

    let sequences = try namespace.expectEveryFridgeReadingOnce(
      hubPort: 8081, minimum: 300, stopping: appliance, within: 90)
    let deliveredAfter = Date().timeIntervalSince(started)  // an upper bound: it includes the check
    try wire.checkItBit(namespace: namespace, device: "loamtap1", output: appliance.output)
    print(
      """
      OwnStackUnderLossTests: \(wire.name): \(sequences.count) readings delivered once each \
      within \(Int(deliveredAfter)) s\n\(appliance.output)
      """)
    XCTAssertLessThan(Date().timeIntervalSince(started), Self.timeLimitSeconds)
  }

  func testTheHubLeasesFromDnsmasqAndAnswersAsHubLocal() throws {
    if let reason = TestNamespace.unavailableReason() { throw XCTSkip(reason) }
    guard access(dnsmasqPath, X_OK) == 0 else {
      throw XCTSkip("dnsmasq is missing (scripts/deps installs dnsmasq-base)")
    }
    let namespace = try TestNamespace(name: "loam-dhcphub-\(getpid())")
    defer { namespace.delete() }
    // The TAP device exists (persistent, for the hub to attach to) before dnsmasq binds to it,
    // so the hub's first DHCPDISCOVER finds a server.
    try namespace.ip("tuntap", "add", "mode", "tap", "loamtap2")
    try namespace.configureTAP("loamtap2", address: "192.0.2.1/24")
    try namespace.ip("route", "add", "224.0.0.0/4", "dev", "loamtap2")
    let files = NSTemporaryDirectory() + "loam-dhcphub-dnsmasq-\(getpid())"
    let dnsmasq = try namespace.execute([
      dnsmasqPath, "--interface=loamtap2", "--bind-interfaces",
      "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m",
      "--dhcp-option=option:router,192.0.2.1", "--dhcp-option=option:dns-server,192.0.2.1",
      "--no-resolv", "--no-hosts", "--port=53", "--log-facility=\(files).log",
      "--pid-file=\(files).pid", "--dhcp-leasefile=\(files).leases",
    ])
    XCTAssertEqual(dnsmasq.status, 0, "dnsmasq did not start: \(dnsmasq.output)")
    defer {
      stopDaemon(pidFile: files + ".pid", files: [".pid", ".log", ".leases"].map { files + $0 })
    }
    let data = temporaryDirectory("loam-dhcphub")
    defer { try? FileManager.default.removeItem(at: data) }
    let started = Date()
    let hub = try namespace.start(
      try executable("hub"),
      [
        "--host", "127.0.0.1", "--port", "8080", "--data", data.path, "--net",
        "tap:loamtap2,dhcp", "--name", "hub",
      ], name: "hub-dhcp")
    defer { hub.kill() }

    try waitUntil("the hub logs a DHCP lease", timeoutSeconds: 30) {
      hub.output.contains("DHCP lease")
    }
    let leaseSeconds = Date().timeIntervalSince(started)
    let address = try XCTUnwrap(
      firstMatch(#"DHCP lease (192\.0\.2\.[0-9]+)/24 from 192\.0\.2\.1"#, in: hub.output),
      hub.output)
    let host = try XCTUnwrap(Int(address.split(separator: ".").last!))
    XCTAssertTrue((50...60).contains(host), "\(address) lies outside dnsmasq's range")
    let health = try curl(namespace, ["-sS", "-f", "http://\(address):8080/api/v1/health"])
    XCTAssertEqual(health.status, 0, health.output)
    XCTAssertEqual(try JSONParser.parse(Array(health.output.utf8))["status"], .string("ok"))

    let python = repositoryRoot.appendingPathComponent(".build-venv/bin/python").path
    guard access(python, X_OK) == 0 else {
      print("OwnStackUnderLossTests: hub.local not checked: \(python) is missing (scripts/deps)")
      throw XCTSkip("\(python) is missing: scripts/deps installs zeroconf into it")
    }
    let (zeroconf, mdnsSeconds) = try timed {
      try namespace.execute([
        python, repositoryRoot.appendingPathComponent("scripts/resolve-mdns").path, "hub.local.",
        "192.0.2.1",
      ])
    }
    XCTAssertEqual(zeroconf.status, 0, zeroconf.output)
    XCTAssertEqual(zeroconf.output.trimmingCharacters(in: .whitespacesAndNewlines), address)
    print(
      """
      OwnStackUnderLossTests: lease \(address) after \(seconds(leaseSeconds)) s; hub.local -> \
      \(zeroconf.output.trimmingCharacters(in: .whitespacesAndNewlines)) by zeroconf in \
      \(mdnsSeconds) s
      """)
  }

  /// Everything by DHCP and DNS, over Loam's stack only: the hub and an appliance each take a
  /// lease from dnsmasq on a bridge of two TAP devices, dnsmasq names the hub `hub.lan` from its
  /// DHCP host name, and the appliance, told only `http://hub.lan:8080`, asks dnsmasq's DNS for
  /// it through its own resolver and delivers every reading once.
  func testAnApplianceFindsTheHubThroughDnsmasqDNS() throws {
    if let reason = TestNamespace.unavailableReason() { throw XCTSkip(reason) }
    guard access(dnsmasqPath, X_OK) == 0 else {
      throw XCTSkip("dnsmasq is missing (scripts/deps installs dnsmasq-base)")
    }
    let namespace = try TestNamespace(name: "loam-dnshub-\(getpid())")
    defer { namespace.delete() }
    try namespace.ip("link", "add", "loambr0", "type", "bridge")
    for device in ["loamtap2", "loamtap3"] {
      try namespace.ip("tuntap", "add", "mode", "tap", device)
      try namespace.ip("link", "set", device, "master", "loambr0")
      try namespace.ip("link", "set", device, "up")
    }
    try namespace.configureTAP("loambr0", address: "192.0.2.1/24")
    let files = NSTemporaryDirectory() + "loam-dnshub-dnsmasq-\(getpid())"
    let dnsmasq = try namespace.execute([
      dnsmasqPath, "--interface=loambr0", "--bind-interfaces",
      "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m", "--domain=lan",
      "--dhcp-option=option:dns-server,192.0.2.1", "--no-resolv", "--no-hosts", "--port=53",
      "--log-facility=\(files).log", "--pid-file=\(files).pid", "--dhcp-leasefile=\(files).leases",
    ])
    XCTAssertEqual(dnsmasq.status, 0, "dnsmasq did not start: \(dnsmasq.output)")
    defer {
      stopDaemon(pidFile: files + ".pid", files: [".pid", ".log", ".leases"].map { files + $0 })
    }
    let data = temporaryDirectory("loam-dnshub")
    defer { try? FileManager.default.removeItem(at: data) }
    let hub = try namespace.start(
      try executable("hub"),
      [
        "--host", "127.0.0.1", "--port", "8080", "--data", data.appendingPathComponent("hub").path,
        "--net", "tap:loamtap2,dhcp", "--name", "hub",
      ], name: "hub-dns")
    defer { hub.kill() }
    try waitUntil("the hub logs a DHCP lease", timeoutSeconds: 30) {
      hub.output.contains("DHCP lease")
    }
    let appliance = try namespace.start(
      try executable("appliance"),
      [
        "--kind", "fridge", "--hub", "http://hub.lan:8080", "--interval", "0.2", "--data",
        data.appendingPathComponent("fridge").path, "--net", "tap:loamtap3,dhcp",
      ], name: "appliance-dns")
    defer { appliance.kill() }
    let sequences = try namespace.expectEveryFridgeReadingOnce(
      hubPort: 8080, minimum: 40, stopping: appliance, within: 60)
    print("OwnStackUnderLossTests: \(sequences.count) readings to hub.lan\n\(appliance.output)")
  }

  // MARK: Helpers

  private func curl(
    _ namespace: TestNamespace, _ arguments: [String]
  ) throws -> (status: Int32, output: String) {
    try namespace.execute(["/usr/bin/curl", "--max-time", "60"] + arguments)
  }
}

/// How a test makes the wire between the kernel and our stack bad.
private enum BadWire: CustomStringConvertible {
  /// Linux netem on the kernel's side of the TAP device (it delays what the kernel sends).
  case netem
  /// `impair=` on our side (both directions), because netem is not available: why.
  case impairment(because: String)

  /// netem's words for the wire.
  static let netemSettings = ["loss", "5%", "delay", "20ms", "reorder", "10%"]
  /// The same wire in `impair=` words, with a fixed seed.
  static let impairSetting = "impair=loss:0.05,delay:20ms,reorder:0.1,seed:20261126"
  static let tcPath = "/usr/sbin/tc"

  /// netem if `tc` can add it to a throwaway TAP device in `namespace`, else the impairment.
  static func choose(in namespace: TestNamespace) -> BadWire {
    guard access(tcPath, X_OK) == 0 else { return .impairment(because: "\(tcPath) is missing") }
    do {
      try namespace.ip("tuntap", "add", "mode", "tap", "loamprobe0")
      defer { try? namespace.ip("tuntap", "del", "mode", "tap", "loamprobe0") }
      let probe = try runCommand(
        tcPath,
        ["-n", namespace.name, "qdisc", "add", "dev", "loamprobe0", "root", "netem"]
          + netemSettings)
      if probe.status == 0 { return .netem }
      let said = probe.output.trimmingCharacters(in: .whitespacesAndNewlines)
      return .impairment(because: "tc cannot add netem here (\(said))")
    } catch {
      return .impairment(because: "no TAP device to try netem on (\(error))")
    }
  }

  var name: String {
    switch self {
    case .netem: return "netem"
    case .impairment: return "impair="
    }
  }

  var description: String {
    switch self {
    case .netem:
      return "netem \(Self.netemSettings.joined(separator: " ")) on the kernel's side"
    case .impairment(let reason):
      return "\(reason): using \(Self.impairSetting) on our side (both directions) instead"
    }
  }

  /// What to add to the `--net` option.
  var netSuffix: String {
    switch self {
    case .netem: return ""
    case .impairment: return "," + Self.impairSetting
    }
  }

  /// Puts netem on `device`'s kernel side; nothing for the impairment, which is in `--net`.
  func apply(in namespace: TestNamespace, device: String) throws {
    guard case .netem = self else { return }
    let added = try runCommand(
      Self.tcPath,
      ["-n", namespace.name, "qdisc", "add", "dev", device, "root", "netem"] + Self.netemSettings)
    XCTAssertEqual(added.status, 0, added.output)
  }

  /// Checks that the wire really lost and reordered frames: netem's drop count, or the
  /// counters our process logged when it stopped (`output`).
  func checkItBit(namespace: TestNamespace, device: String, output: String) throws {
    switch self {
    case .netem:
      let statistics = try runCommand(
        Self.tcPath, ["-n", namespace.name, "-s", "qdisc", "show", "dev", device])
      print("OwnStackUnderLossTests: \(statistics.output)")
      let dropped = firstMatch(#"dropped ([0-9]+)"#, in: statistics.output).flatMap { Int($0) }
      XCTAssertGreaterThan(dropped ?? 0, 0, statistics.output)
    case .impairment:
      // The process logs "impaired frames out: N passed, N lost, ...; in: N passed, N lost...".
      for direction in ["frames out", "; in"] {
        let pattern = "\(direction): [0-9]+ passed, ([0-9]+) lost"
        let lost = firstMatch(pattern, in: output).flatMap { Int($0) }
        XCTAssertGreaterThan(lost ?? 0, 0, "\(direction): frames were lost: \(output)")
      }
    }
  }
}

private let dnsmasqPath = "/usr/sbin/dnsmasq"

/// A fresh path in the temporary directory starting with `prefix`.
private func temporaryDirectory(_ prefix: String) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
}

/// Runs `body` and says how long it took, in seconds to the hundredth.
private func timed<Result>(_ body: () throws -> Result) rethrows -> (Result, Double) {
  let start = Date()
  let result = try body()
  return (result, seconds(Date().timeIntervalSince(start)))
}

private func seconds(_ interval: TimeInterval) -> Double {
  (interval * 100).rounded() / 100
}

/// The first capture group of `pattern`'s first match in `text`.
private func firstMatch(_ pattern: String, in text: String) -> String? {
  guard let expression = try? NSRegularExpression(pattern: pattern),
    let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
    let range = Range(match.range(at: 1), in: text)
  else { return nil }
  return String(text[range])
}

/// Ends the daemon whose pid is in `pidFile` (waiting up to 2 s) and removes `files`.
private func stopDaemon(pidFile: String, files: [String]) {
  let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
  if let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
    kill(pid, SIGTERM)
    let deadline = Date().addingTimeInterval(2)
    while kill(pid, 0) == 0 && Date() < deadline { usleep(20_000) }
  }
  for file in files { unlink(file) }
}
