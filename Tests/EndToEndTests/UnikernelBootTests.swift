import Foundation
import XCTest

/// Boots the bare-metal images that `make unikernels` builds (`Images/out/<board>/`) in QEMU and
/// reads their consoles. Everything here is emulated: QEMU's virt machine and its models of the
/// Raspberry Pi 3 and 4, with QEMU's TMP105 model on the Pi's header I2C bus.
final class UnikernelBootTests: XCTestCase {
  /// Boots the qemu-virt appliance on QEMU's user network (restricted: the guest reaches only
  /// the hub, through a `guestfwd` to a hub process on this machine) and waits until the
  /// readings it prints on its console are in the hub, through the hub's API.
  private func bootVirtAppliance(transport: String, extraQEMUArguments: [String] = []) throws {
    let kernel = try unikernelImage("qemu-virt", "kernel8.img")
    let hub = try HubUnderTest()
    try hub.start()
    defer { hub.stop() }
    let qemu = try ChildProcess(
      URL(fileURLWithPath: qemuSystemAArch64),
      [
        "-M", "virt", "-cpu", "max", "-m", "128M", "-nographic", "-monitor", "none",
        "-kernel", kernel.path,
        "-netdev",
        "user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:8080-tcp:127.0.0.1:\(hub.port)",
        "-device", "virtio-net-device,netdev=net0",
        "-append", "loam.hub=http://10.0.2.100:8080 loam.id=virt-pot loam.interval=1",
      ] + extraQEMUArguments, name: "qemu-virt")
    defer { qemu.kill() }
    try waitUntil("the unikernel's readings are at the hub", timeoutSeconds: 60) {
      guard let sensors = try? hub.getJSON("/api/v1/sensors"),
        case .array(let list)? = sensors.objectValue?["sensors"]
      else { return false }
      let soil = list.first { $0.objectValue?["id"]?.stringValue == "virt-pot.soil" }
      return (soil?.objectValue?["reading_count"]?.int64Value ?? 0) >= 3
    }
    for expected in [
      "Loam unikernel on qemu-virt", "EL1, MMU and caches on",
      "boot arguments: loam.hub=http://10.0.2.100:8080 loam.id=virt-pot loam.interval=1",
      "sensors: simulated chip models in a simulated plant-pot",
      "network: virtio-net in slot 31 (\(transport) transport)",
      "network: DHCP lease 10.0.2.15/24", "reading virt-pot.soil soil_moisture",
      "hub http://10.0.2.100:8080: delivered",
    ] {
      XCTAssertTrue(qemu.output.contains(expected), "no '\(expected)' in:\n\(qemu.output)")
    }
    // The latest soil reading at the hub is one the console printed.
    guard case .array(let list)? = try hub.getJSON("/api/v1/sensors").objectValue?["sensors"],
      let soil = list.first(where: { $0.objectValue?["id"]?.stringValue == "virt-pot.soil" }),
      let latest = soil.objectValue?["latest"]?.objectValue?["value"]?.doubleValue
    else { return XCTFail("no latest soil reading at the hub") }
    XCTAssertTrue(
      qemu.output.contains("reading virt-pot.soil soil_moisture \(latest) %"),
      "the hub's latest soil reading, \(latest), is not on the console:\n\(qemu.output)")
  }

  func testQEMUVirtApplianceDeliversItsReadingsOverTheLegacyTransport() throws {
    try bootVirtAppliance(transport: "legacy")
  }

  func testQEMUVirtApplianceDeliversItsReadingsOverTheModernTransport() throws {
    try bootVirtAppliance(
      transport: "modern", extraQEMUArguments: ["-global", "virtio-mmio.force-legacy=false"])
  }

  func testQEMUVirtApplianceJoinsTheHubsSegmentAndFindsItByMDNS() throws {
    // As `make run UNIKERNEL=1`: the hub on Loam's stack on the rootless virtual Ethernet
    // segment, the unikernel's virtio card a port of the same switch (QEMU's -netdev dgram),
    // with a fixed address and hub.local resolved over mDNS.
    let kernel = try unikernelImage("qemu-virt", "kernel8.img")
    let directory = URL(fileURLWithPath: "/tmp/loam-segment-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let segment = directory.appendingPathComponent("switch.sock").path
    let ethernetSwitch = try ChildProcess(
      try executable("ethernet-switch"), ["--socket", segment], name: "switch")
    defer { ethernetSwitch.kill() }
    try waitUntil("the switch listens", timeoutSeconds: 10) {
      FileManager.default.fileExists(atPath: segment)
    }
    let hub = try HubUnderTest(extraArguments: ["--net", "segment:\(segment),ip=192.0.2.1/24"])
    try hub.start()
    defer { hub.stop() }
    let qemu = try ChildProcess(
      URL(fileURLWithPath: qemuSystemAArch64),
      [
        "-M", "virt", "-cpu", "max", "-m", "128M", "-nographic", "-monitor", "none",
        "-kernel", kernel.path, "-netdev",
        "dgram,id=net0,local.type=unix,local.path=\(directory.path)/unikernel.sock,"
          + "remote.type=unix,remote.path=\(segment)",
        "-device", "virtio-net-device,netdev=net0",
        "-append",
        "loam.ip=192.0.2.13/24 loam.hub=http://hub.local:\(hub.port) loam.id=pot-unikernel "
          + "loam.interval=1",
      ], name: "qemu-virt-segment")
    defer { qemu.kill() }
    try waitUntil("the unikernel's readings are at the hub", timeoutSeconds: 60) {
      guard let sensors = try? hub.getJSON("/api/v1/sensors"),
        case .array(let list)? = sensors.objectValue?["sensors"]
      else { return false }
      return list.contains { $0.objectValue?["id"]?.stringValue == "pot-unikernel.soil" }
    }
    XCTAssertTrue(qemu.output.contains("network: address 192.0.2.13/24 (no DHCP)"), qemu.output)
    XCTAssertTrue(qemu.output.contains("network: hub.local is 192.0.2.1"), qemu.output)
  }

  /// A card whose configuration gives a group address (QEMU takes any `mac=`) would have the
  /// appliance's frames dropped or flooded: it uses a locally administered address instead, and
  /// gets a DHCP lease with it.
  func testACardWithAGroupMACAddressIsGivenAStationAddress() throws {
    let kernel = try unikernelImage("qemu-virt", "kernel8.img")
    let qemu = try ChildProcess(
      URL(fileURLWithPath: qemuSystemAArch64),
      [
        "-M", "virt", "-cpu", "max", "-m", "128M", "-nographic", "-monitor", "none",
        "-kernel", kernel.path, "-netdev", "user,id=net0,restrict=on",
        "-device", "virtio-net-device,netdev=net0,mac=01:00:5e:00:00:01",
      ], name: "qemu-virt-group-mac")
    defer { qemu.kill() }
    try waitUntil("the unikernel gets a lease", timeoutSeconds: 60) {
      qemu.output.contains("network: DHCP lease 10.0.2.15/24")
    }
    for expected in [
      "network: the card's MAC 01:00:5e:00:00:01 is no station's address; using 02:4c:4f:41:4d:1f",
      "MAC 02:4c:4f:41:4d:1f",
    ] {
      XCTAssertTrue(qemu.output.contains(expected), "no '\(expected)' in:\n\(qemu.output)")
    }
  }

  /// The qemu-virt image with no network card, asked to run one of its fault tests.
  private func bootVirtWithoutNetwork(faultTest: String) throws -> ChildProcess {
    let kernel = try unikernelImage("qemu-virt", "kernel8.img")
    return try ChildProcess(
      URL(fileURLWithPath: qemuSystemAArch64),
      [
        "-M", "virt", "-cpu", "max", "-m", "128M", "-nographic", "-monitor", "none",
        "-nic", "none", "-kernel", kernel.path, "-append", "loam.fault-test=\(faultTest)",
      ], name: "qemu-virt-\(faultTest)")
  }

  func testRunningOutOfMemoryIsReported() throws {
    // The image allocates until its 64 MiB heap is full, when asked to, for this test.
    let qemu = try bootVirtWithoutNetwork(faultTest: "out-of-memory")
    defer { qemu.kill() }
    try waitUntil("the out-of-memory report", timeoutSeconds: 60) {
      qemu.output.contains("*** halted")
    }
    for expected in [
      "*** Loam unikernel: out of memory, asked for 1048", "largest free block",
      "*** Loam unikernel fault: BRK instruction (a Swift runtime trap)",
    ] {
      XCTAssertTrue(qemu.output.contains(expected), "no '\(expected)' in:\n\(qemu.output)")
    }
    XCTAssertFalse(qemu.output.contains("still running"), qemu.output)
  }

  func testAFaultIsReportedWithWhatWhereAndTheRegisters() throws {
    // The image reads an address no translation table maps when asked to, for this test.
    let qemu = try bootVirtWithoutNetwork(faultTest: "unmapped-read")
    defer { qemu.kill() }
    try waitUntil("the fault report", timeoutSeconds: 30) { qemu.output.contains("*** halted") }
    for expected in [
      "*** Loam unikernel fault: data abort (translation fault, level 1, on a read)",
      "address 0x0000000100000000", "esr 0x", "x00 0x", "x30 0x",
    ] {
      XCTAssertTrue(qemu.output.contains(expected), "no '\(expected)' in:\n\(qemu.output)")
    }
  }

  func testRaspberryPi3SamplesItsProfileOverTheBSCController() throws {
    try bootRaspberryPi(
      machine: "raspi3b", board: "rpi3b",
      expectations: [
        "SoC BCM2837", "board revision 0x00A02082", "hardware RNG 0x",
      ])
  }

  func testRaspberryPi4SamplesItsProfileOverTheBSCController() throws {
    try bootRaspberryPi(
      machine: "raspi4b", board: "rpi4b",
      expectations: [
        "SoC BCM2711", "board revision 0x00B03115",
      ])
  }

  /// Boots a Pi image built with the TMP105 test profile (`qemu-tmp105-profile.json`: a TMP105
  /// at 0x48, which QEMU models, and a BME280 at 0x77, which it does not) with a TMP105 on the
  /// header bus; checks the board report, the status LED's line read back and the settings,
  /// then sets the sensor's temperature through QEMU's monitor and waits for the image to log
  /// it, raise the profile's alert, and clear it again.
  private func bootRaspberryPi(machine: String, board: String, expectations: [String]) throws {
    let kernel = try unikernelImage("\(board)-tmp105", "kernel8.img")
    let monitor = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-\(board)-\(UUID().uuidString.prefix(8)).monitor")
    defer { try? FileManager.default.removeItem(at: monitor) }
    let qemu = try bootPi(
      machine: machine, kernel: kernel,
      settings: #"{"name": "test-room", "app": "thermometer", "hub": "http://hub.local:8080"}"#,
      extraQEMUArguments: [
        "-monitor", "unix:\(monitor.path),server=on,wait=off",
        "-device", "tmp105,bus=i2c-bus.1,address=0x48,id=sensor",
      ])
    defer { qemu.kill() }
    try waitUntil("\(board) reads its TMP105", timeoutSeconds: 60) {
      qemu.output.contains("reading test-room.room temperature 0.0 °C")
    }
    for expected in expectations + [
      "Loam unikernel on \(board)", "EL1, MMU and caches on",
      "gpio 4: drove high, level register reads high",
      "gpio 4: drove low, level register reads low",
      "settings (appliance.json): name test-room, app thermometer, hub http://hub.local:8080",
      "appliance test-room: Thermometer",
      "hub http://hub.local:8080: not reached, this board has no network yet",
      "sensors: TMP105 at 0x48, BME280 at 0x77 on the header's I2C bus",
      // The chip QEMU lacks is reported once, and the other goes on being read.
      "sensor at 0x77: no sensor answers at 0x77; no readings from it until it answers again",
    ] {
      XCTAssertTrue(qemu.output.contains(expected), "no '\(expected)' in:\n\(qemu.output)")
    }
    XCTAssertEqual(
      qemu.output.components(separatedBy: "sensor at 0x77:").count, 2,
      "the absent BME280 is to be reported once:\n\(qemu.output)")
    XCTAssertFalse(qemu.output.contains("reading test-room.air"), qemu.output)
    // QEMU's TMP105 takes millidegrees; the image must report exactly what the chip holds, and
    // act on the profile's threshold (above 40 °C).
    try sendMonitorCommand("qom-set sensor temperature 42500", to: monitor)
    try waitUntil("\(board) logs the new temperature and raises the alert", timeoutSeconds: 30) {
      qemu.output.contains("reading test-room.room temperature 42.5 °C")
        && qemu.output.contains("alert raised: test-room.room temperature 42.5 (above 40): too hot")
    }
    try sendMonitorCommand("qom-set sensor temperature 21000", to: monitor)
    try waitUntil("\(board) clears the alert", timeoutSeconds: 30) {
      qemu.output.contains("alert cleared: test-room.room temperature 21 (above 40): too hot")
    }
  }

  /// The plant-pot image as `make image` puts it on a card, on a Pi 4 with none of its chips:
  /// each absent chip is reported once, by address, and the appliance goes on (no fault, no
  /// reading made up); an `appliance.json` naming another app is reported.
  func testRaspberryPi4PlantPotImageReportsItsAbsentSensors() throws {
    let kernel = try unikernelImage("rpi4b", "kernel8.img")
    let monitor = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-pot-\(UUID().uuidString.prefix(8)).monitor")
    defer { try? FileManager.default.removeItem(at: monitor) }
    let qemu = try bootPi(
      machine: "raspi4b", kernel: kernel,
      settings: #"{"name": "kitchen-pot", "app": "fridge"}"#,
      extraQEMUArguments: ["-monitor", "unix:\(monitor.path),server=on,wait=off"])
    defer { qemu.kill() }
    let absent = [0x36, 0x48, 0x77].map {
      "sensor at 0x\(String($0, radix: 16)): no sensor answers at 0x\(String($0, radix: 16)); "
        + "no readings from it until it answers again"
    }
    try waitUntil("the plant pot reports its three absent chips", timeoutSeconds: 60) {
      absent.allSatisfy { qemu.output.contains($0) }
    }
    for expected in [
      "appliance kitchen-pot: Plant pot (Sensors/plant-pot.json)",
      "appliance.json says app fridge, but this image is a plant-pot; sampling that",
      "sensors: seesaw at 0x36, ADS1115 at 0x48, BME280 at 0x77 on the header's I2C bus",
    ] {
      XCTAssertTrue(qemu.output.contains(expected), "no '\(expected)' in:\n\(qemu.output)")
    }
    XCTAssertFalse(qemu.output.contains("reading kitchen-pot."), qemu.output)
    XCTAssertFalse(qemu.output.contains("***"), "the image stopped:\n\(qemu.output)")
    // The role lines as the BCM2711's GPLEV0 holds them, read by QEMU, not by the image:
    // sensor power (GPIO27) on, the pump relay (GPIO17) off, and the status LED (GPIO4) off,
    // since no reading came to blink it.
    let answer = try sendMonitorCommand("xp /1wx 0xfe200034", to: monitor)
    guard let match = answer.firstMatch(of: /fe200034: 0x([0-9a-f]{8})/),
      let levels = UInt32(match.1, radix: 16)
    else { return XCTFail("no GPLEV0 in the monitor's answer:\n\(answer)") }
    XCTAssertEqual(levels >> 27 & 1, 1, "sensor power: GPLEV0 \(match.1)")
    XCTAssertEqual(levels >> 17 & 1, 0, "pump relay: GPLEV0 \(match.1)")
    XCTAssertEqual(levels >> 4 & 1, 0, "status LED: GPLEV0 \(match.1)")
  }

  /// Starts QEMU's `machine` on `kernel`, with `settings` as the image's appliance.json where the
  /// Pi's firmware would load it (`initramfs ... 0x04000000` in config.txt; QEMU starts the
  /// kernel itself, so its loader device stands in), and waits for the banner.
  private func bootPi(
    machine: String, kernel: URL, settings: String, extraQEMUArguments: [String]
  ) throws -> ChildProcess {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-\(machine)-\(UUID().uuidString.prefix(8)).json")
    try Data(settings.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let qemu = try ChildProcess(
      URL(fileURLWithPath: qemuSystemAArch64),
      [
        "-M", machine, "-nographic", "-kernel", kernel.path,
        "-device", "loader,file=\(file.path),addr=0x04000000,force-raw=on",
      ] + extraQEMUArguments, name: machine)
    do {
      // By the banner QEMU has loaded the file.
      try waitUntil("\(machine) prints its banner", timeoutSeconds: 30) {
        qemu.output.contains("Loam unikernel on")
      }
    } catch {
      qemu.kill()
      throw error
    }
    return qemu
  }

  /// Sends `command` to QEMU's human monitor at `path` and returns what the monitor printed
  /// (its greeting, the command's echo and the answer), read until its next prompt.
  @discardableResult
  private func sendMonitorCommand(_ command: String, to path: URL) throws -> String {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { bytes in
      for (index, byte) in path.path.utf8.prefix(bytes.count - 1).enumerated() {
        bytes[index] = byte
      }
    }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    XCTAssertEqual(connected, 0, "connect to QEMU's monitor: errno \(errno)")
    let line = Array("\(command)\n".utf8)
    XCTAssertEqual(write(descriptor, line, line.count), line.count)
    // The greeting ends in a prompt, and so does the answer: two prompts, or five seconds.
    var received: [UInt8] = []
    let deadline = Date().addingTimeInterval(5)
    while Date() < deadline,
      String(decoding: received, as: UTF8.self).components(separatedBy: "(qemu)").count < 3
    {
      var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&ready, 1, 200) > 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 4096)
      let count = read(descriptor, &buffer, buffer.count)
      guard count > 0 else { break }
      received += buffer[0..<count]
    }
    return String(decoding: received, as: UTF8.self)
  }
}
