import Foundation
import Glibc
import HostPlatform
import Net
import Time
import XCTest

/// What the loop inside the namespace reports to the test thread, and the test's go and stop.
private struct ServicesState: Sendable {
  var ready = false
  var go = false
  var stop = false
  var startedAt: Instant?
  var lease: DHCPLease?
  var leasedAt: Instant?
  var resolution: DNSResolution?
  var resolvedAt: Instant?
  var counters = NetworkInterfaceCounters()
}

private let ourMAC = MACAddress(0x02, 0, 0, 0, 0x02, 0x02)
private let queriedName = DNSName("sensors.example")!

/// Loam's `NetworkServices` on a TAP device against real peers inside a namespace of the test's
/// own: Debian's `dnsmasq` (kernel side 192.0.2.1) leases our stack an address and answers its
/// DNS query, and Python's `zeroconf`, a standard mDNS client, resolves `hub.local` to that
/// address through our responder.
final class NetworkServicesTAPTests: XCTestCase {
  func testDnsmasqLeasesAndResolvesAndZeroconfFindsHubLocal() throws {
    try NetworkNamespace.skip(
      "NetworkServicesTAPTests", because: NetworkServicesTAPTests.unavailableReason())
    let namespace = try NetworkNamespace(name: "loam-services-\(getpid())")
    defer { namespace.delete() }
    let state = Shared(ServicesState())
    defer { state.update { $0.stop = true } }
    let loop = try namespace.startLoop(
      limit: 90, untilReady: { state.value.ready },
      running: { try runStack(namespace, state) })

    let dnsmasq = try Dnsmasq(in: namespace)
    defer { dnsmasq.stop() }
    state.update { $0.go = true }

    XCTAssertTrue(waitUntil(seconds: 30) { state.value.resolution != nil || loop.hasEnded })
    try loop.rethrowFailure()
    let report = state.value
    guard let lease = report.lease, let startedAt = report.startedAt,
      let leasedAt = report.leasedAt
    else { return XCTFail("no lease from dnsmasq; its log:\n\(dnsmasq.log)") }
    let first = IPv4Address(192, 0, 2, 50)
    let last = IPv4Address(192, 0, 2, 60)
    XCTAssertTrue(first <= lease.address && lease.address <= last, "\(lease.address)")
    XCTAssertEqual(lease.subnet.prefixLength, 24)
    XCTAssertEqual(lease.router, IPv4Address(192, 0, 2, 1))
    XCTAssertEqual(lease.domainNameServers, [IPv4Address(192, 0, 2, 1)])
    XCTAssertEqual(lease.duration, .seconds(120))
    XCTAssertEqual(report.resolution, .addresses([IPv4Address(198, 51, 100, 7)]))

    let python = ".build-venv/bin/python"
    guard access(python, X_OK) == 0 else {
      return XCTFail("\(python) is missing: run scripts/deps to install zeroconf into it")
    }
    let mdnsStart = Date()
    let zeroconf = try namespace.execute([
      python, "scripts/resolve-mdns", "hub.local.", "192.0.2.1",
    ])
    let mdnsMilliseconds = Int(Date().timeIntervalSince(mdnsStart) * 1000)
    XCTAssertEqual(zeroconf.status, 0, zeroconf.output)
    XCTAssertEqual(
      zeroconf.output.trimmingCharacters(in: .whitespacesAndNewlines), "\(lease.address)")

    state.update { $0.stop = true }
    try loop.finish()
    let counters = state.value.counters
    XCTAssertEqual(counters.ipv4BadChecksum + counters.udpBadChecksum, 0)
    let leaseMilliseconds = milliseconds(leasedAt.duration(since: startedAt))
    let dnsMilliseconds = report.resolvedAt.map { milliseconds($0.duration(since: leasedAt)) }
    let router = lease.router.map { "\($0)" } ?? "-"
    let answer = report.resolution.map { "\($0)" } ?? "-"
    let found = zeroconf.output.trimmingCharacters(in: .whitespacesAndNewlines)
    print(
      """
      NetworkServicesTAPTests: lease \(lease.subnet) router \(router) after \(leaseMilliseconds) \
      ms; \(queriedName) -> \(answer) after \(dnsMilliseconds ?? -1) ms; hub.local -> \(found) \
      by zeroconf in \(mdnsMilliseconds) ms; \(counters)
      """)
  }

  /// Why the test cannot run here: the namespace's own reasons, or a missing `dnsmasq`. (A
  /// missing `zeroconf` is a failure: `scripts/deps` installs it into `.build-venv`.)
  private static func unavailableReason() -> String? {
    if let reason = NetworkNamespace.unavailableReason() { return reason }
    if access(Dnsmasq.path, X_OK) != 0 {
      return "dnsmasq is missing (apt-get install dnsmasq-base)"
    }
    return nil
  }
}

private func milliseconds(_ duration: Duration) -> Int {
  Int((duration / .milliseconds(1)).rounded())
}

/// Debian's dnsmasq inside the namespace as DHCP and DNS server on `loamtap2` only, knowing one
/// name and asking no one. It runs as a daemon (so no `Process` outlives the call) and is
/// stopped by the pid in its pid file.
private struct Dnsmasq {
  static let path = "/usr/sbin/dnsmasq"
  let files: String

  init(in namespace: NetworkNamespace) throws {
    files = NSTemporaryDirectory() + "loam-dnsmasq-\(getpid())"
    let started = try namespace.execute([
      Dnsmasq.path, "--interface=loamtap2", "--bind-interfaces",
      "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m",
      "--dhcp-option=option:router,192.0.2.1", "--dhcp-option=option:dns-server,192.0.2.1",
      "--address=/sensors.example/198.51.100.7", "--no-resolv", "--no-hosts", "--port=53",
      "--log-facility=\(files).log", "--pid-file=\(files).pid",
      "--dhcp-leasefile=\(files).leases",
    ])
    guard started.status == 0 else {
      throw NetworkNamespace.Failure(description: "dnsmasq did not start: \(started.output)")
    }
  }

  /// What dnsmasq logged.
  var log: String { (try? String(contentsOfFile: files + ".log", encoding: .utf8)) ?? "" }

  /// Ends dnsmasq (waiting up to 2 s for it to go) and removes its files.
  func stop() {
    let text = (try? String(contentsOfFile: files + ".pid", encoding: .utf8)) ?? ""
    if let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
      kill(pid, SIGTERM)
      _ = waitUntil(seconds: 2) { kill(pid, 0) != 0 }
    } else {
      print("warning: no dnsmasq pid in \(files).pid")
    }
    for suffix in [".pid", ".log", ".leases"] { unlink(files + suffix) }
  }
}

/// Inside the namespace: brings up `loamtap2` for the kernel as 192.0.2.1/24 with a multicast
/// route, and once the test says go, runs our interface with `NetworkServices` on it (DHCP, then
/// a DNS query for `sensors.example`, and the mDNS responder) until the test says stop.
private func runStack(_ namespace: NetworkNamespace, _ state: Shared<ServicesState>) throws {
  let device = try TAPDevice(name: "loamtap2")
  defer { device.close() }
  try namespace.ip("addr", "add", "192.0.2.1/24", "dev", "loamtap2")
  try namespace.ip("link", "set", "loamtap2", "up")
  try namespace.ip("route", "add", "224.0.0.0/4", "dev", "loamtap2")
  var interface = NetworkInterface(
    configuration: NetworkInterface.Configuration(
      macAddress: ourMAC, routes: nil, secret: SystemEntropy.bytes(16)))
  var services = NetworkServices(hostLabel: "hub", macAddress: ourMAC, seed: 0x10A3)!
  state.update { $0.ready = true }
  guard waitUntil(seconds: 20, { state.value.go || state.value.stop }) else { return }
  let startedAt = MonotonicClock.now()
  state.update { $0.startedAt = startedAt }
  try services.start(interface: &interface, now: startedAt)
  let giveUpAt = startedAt + .seconds(80)
  while !state.value.stop && MonotonicClock.now() < giveUpAt {
    let now = MonotonicClock.now()
    while let frame = try device.readFrame() { interface.receive(frame: frame, now: now) }
    if let deadline = interface.deadline, deadline <= now { interface.poll(now: now) }
    for event in services.poll(interface: &interface, now: now) {
      try record(event, &services, &interface, state, now: now)
    }
    while let frame = interface.transmit() { try device.writeFrame(frame) }
    state.update { $0.counters = interface.counters }
    usleep(1000)
  }
}

/// Notes the lease and the answer; asks for `sensors.example` once the first lease is in.
private func record(
  _ event: NetworkServicesEvent, _ services: inout NetworkServices,
  _ interface: inout NetworkInterface, _ state: Shared<ServicesState>, now: Instant
) throws {
  switch event {
  case .configured(let lease):
    guard state.value.lease == nil else { return }
    state.update {
      $0.lease = lease
      $0.leasedAt = now
    }
    if let cached = try services.resolve(queriedName, interface: &interface, now: now) {
      state.update { $0.resolution = cached }
    }
  case .resolved(let name, let resolution) where name == queriedName:
    state.update {
      $0.resolution = resolution
      $0.resolvedAt = now
    }
  case .deconfigured, .resolved:
    break
  }
}
