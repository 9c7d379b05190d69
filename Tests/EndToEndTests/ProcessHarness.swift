import Foundation
import JSON
import XCTest

/// The repository's root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A built executable of this package: in $LOAM_BIN_DIR if that is set, else from the build
/// that built these tests (SwiftPM puts the executables beside the test bundle, in .build/debug
/// or in the directory a `--build-path` names).
func executable(_ name: String) throws -> URL {
  let buildDirectory =
    ProcessInfo.processInfo.environment["LOAM_BIN_DIR"].map { URL(fileURLWithPath: $0) }
    ?? Bundle.main.executableURL?.deletingLastPathComponent()
    ?? repositoryRoot.appendingPathComponent(".build/debug")
  let url = buildDirectory.appendingPathComponent(name)
  guard FileManager.default.isExecutableFile(atPath: url.path) else {
    throw XCTSkip("\(url.path) is not built; run `make build` (make test does) first")
  }
  return url
}

/// A child process whose output goes to a file, so a chatty child can never block on a full pipe.
/// It runs in the repository's root, where an appliance finds `Boards/` and `Sensors/`.
final class ChildProcess {
  let process = Process()
  let outputFile: URL

  init(_ executable: URL, _ arguments: [String], name: String) throws {
    outputFile = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-\(name)-\(UUID().uuidString).log")
    guard FileManager.default.createFile(atPath: outputFile.path, contents: nil) else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outputFile.path])
    }
    let handle = try FileHandle(forWritingTo: outputFile)
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
  }

  var output: String {
    (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
  }

  func kill(signal: Int32 = SIGTERM) {
    guard process.isRunning else { return }
    Foundation.kill(process.processIdentifier, signal)
    process.waitUntilExit()
  }

  deinit {
    kill(signal: SIGKILL)
    try? FileManager.default.removeItem(at: outputFile)
  }
}

/// A port no one listens on right now (the kernel picks it; a race is unlikely on a test machine).
func freePort() throws -> UInt16 {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(descriptor) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
      bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
    }
  }
  guard bound else { throw XCTSkip("cannot bind a loopback socket here") }
  return UInt16(bigEndian: address.sin_port)
}

/// Runs a command to completion in the repository's root and returns its exit status and
/// combined output. `environment` adds to (or replaces in) the test's own environment.
@discardableResult
func runCommand(
  _ executable: String, _ arguments: [String], input: Data? = nil,
  environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  process.currentDirectoryURL = repositoryRoot
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let output = Pipe()
  process.standardOutput = output
  process.standardError = output
  let inputPipe = Pipe()
  if input != nil { process.standardInput = inputPipe }
  try process.run()
  if let input {
    inputPipe.fileHandleForWriting.write(input)
    try inputPipe.fileHandleForWriting.close()
  }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A hub process on a free port with its own data directory.
final class HubUnderTest {
  let port: UInt16
  let dataDirectory: URL
  /// Arguments added to every start (`--net ...`, say).
  let extraArguments: [String]
  private(set) var child: ChildProcess?

  init(dataDirectory: URL? = nil, extraArguments: [String] = []) throws {
    self.extraArguments = extraArguments
    port = try freePort()
    self.dataDirectory =
      dataDirectory
      ?? FileManager.default.temporaryDirectory.appendingPathComponent(
        "loam-hub-\(UUID().uuidString)")
  }

  var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Starts the hub and waits until it answers its health check.
  func start() throws {
    child = try ChildProcess(
      try executable("hub"),
      ["--host", "127.0.0.1", "--port", "\(port)", "--data", dataDirectory.path]
        + extraArguments, name: "hub")
    try waitUntil("the hub answers", timeoutSeconds: 20) {
      (try? self.getJSON("/api/v1/health")) != nil
    }
  }

  func stop(signal: Int32 = SIGTERM) {
    child?.kill(signal: signal)
  }

  /// GETs a path and parses the JSON answer.
  func getJSON(_ path: String) throws -> JSONValue {
    let result = try runCommand("/usr/bin/curl", ["-sS", "--max-time", "5", "-f", baseURL + path])
    guard result.status == 0 else {
      throw NSError(
        domain: "curl", code: Int(result.status),
        userInfo: [NSLocalizedDescriptionKey: result.output])
    }
    return try JSONParser.parse(Array(result.output.utf8))
  }

  deinit {
    stop(signal: SIGKILL)
    try? FileManager.default.removeItem(at: dataDirectory)
  }
}

/// Polls `condition` every 100 ms until it holds or `timeoutSeconds` pass (then fails the test).
func waitUntil(
  _ what: String, timeoutSeconds: Double, file: StaticString = #filePath, line: UInt = #line,
  _ condition: () throws -> Bool
) throws {
  let deadline = Date().addingTimeInterval(timeoutSeconds)
  while Date() < deadline {
    if try condition() { return }
    Thread.sleep(forTimeInterval: 0.1)
  }
  XCTFail("timed out after \(timeoutSeconds) s waiting until \(what)", file: file, line: line)
  throw TimedOut(what: what)
}

/// Thrown when `waitUntil` gives up, to end the test after its failure is recorded.
struct TimedOut: Error {
  var what: String
}

/// A network namespace of a test's own (`ip netns add`), deleted by `delete()`, for tests whose
/// processes run inside it with `ip netns exec` (issue 3's rules: TAP devices, addresses and
/// traffic stay inside).
final class TestNamespace {
  let name: String

  /// Why namespaces cannot be made here, or nil: they need root, `/dev/net/tun` and `ip`.
  static func unavailableReason() -> String? {
    if geteuid() != 0 { return "needs root to create a network namespace and TAP device" }
    if access("/dev/net/tun", R_OK | W_OK) != 0 { return "/dev/net/tun is missing" }
    if !FileManager.default.isExecutableFile(atPath: ipPath) {
      return "the ip command (iproute2) is missing"
    }
    return nil
  }

  static var ipPath: String {
    FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
  }

  /// Creates `name` with its loopback up.
  init(name: String) throws {
    self.name = name
    try Self.ip(["netns", "add", name])
    try Self.ip(["-n", name, "link", "set", "lo", "up"])
  }

  /// Runs `ip arguments...`, throwing with its output if it fails.
  @discardableResult
  static func ip(_ arguments: [String]) throws -> String {
    let result = try runCommand(ipPath, arguments)
    guard result.status == 0 else {
      throw NSError(
        domain: "ip", code: Int(result.status),
        userInfo: [NSLocalizedDescriptionKey: "ip \(arguments): \(result.output)"])
    }
    return result.output
  }

  /// Runs `ip -n NAME arguments...`.
  func ip(_ arguments: String...) throws {
    try Self.ip(["-n", name] + arguments)
  }

  /// Runs a program inside to completion.
  func execute(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runCommand(Self.ipPath, ["netns", "exec", name] + arguments)
  }

  /// Starts a long-running program inside.
  func start(_ executable: URL, _ arguments: [String], name label: String) throws -> ChildProcess {
    try ChildProcess(
      URL(fileURLWithPath: Self.ipPath), ["netns", "exec", name, executable.path] + arguments,
      name: label)
  }

  /// Waits for the TAP device `device` a process inside made, then gives the kernel's side
  /// `address` and brings it up.
  func configureTAP(_ device: String, address: String) throws {
    try waitUntil("\(device) exists", timeoutSeconds: 20) {
      (try? Self.ip(["-n", self.name, "link", "show", device])) != nil
    }
    try ip("addr", "add", address, "dev", device)
    try ip("link", "set", device, "up")
  }

  func delete() {
    _ = try? runCommand(Self.ipPath, ["netns", "delete", name])
  }

  /// How many readings the hub listening on the namespace's loopback at `port` holds; 0 if it
  /// does not answer.
  func hubReadingCount(port: Int) -> Int64 {
    guard
      let result = try? execute([
        "/usr/bin/curl", "-sS", "-f", "--max-time", "5",
        "http://127.0.0.1:\(port)/api/v1/health",
      ]), result.status == 0,
      let health = try? JSONParser.parse(Array(result.output.utf8))
    else { return 0 }
    return health["readings"]?.int64Value ?? 0
  }

  /// The sequence numbers, sorted, of every reading of `sensors` that the hub listening on the
  /// namespace's loopback at `port` holds. A sensor without readings yet is unknown to the hub
  /// (a 404 with a JSON error, read as no readings): the fridge's SGP30 gives none during its
  /// 15 s warm-up.
  func hubSequences(port: Int, sensors: [String]) throws -> [Int64] {
    var sequences: [Int64] = []
    for sensor in sensors {
      let result = try execute([
        "/usr/bin/curl", "-sS", "--max-time", "5",
        "http://127.0.0.1:\(port)/api/v1/sensors/\(sensor)/readings?limit=20000",
      ])
      XCTAssertEqual(result.status, 0, "\(sensor): \(result.output)")
      let list = try JSONParser.parse(Array(result.output.utf8))
      sequences += (list["readings"]?.arrayValue ?? []).compactMap { $0["seq"]?.int64Value }
    }
    return sequences.sorted()
  }
}

extension TestNamespace {
  /// Waits until the hub on the namespace's loopback at `port` holds `minimum` readings, stops
  /// the fridge `appliance`, and checks that its readings arrived each exactly once, none
  /// missing. Returns their sequence numbers.
  @discardableResult
  func expectEveryFridgeReadingOnce(
    hubPort port: Int, minimum: Int, stopping appliance: ChildProcess, within seconds: Double,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> [Int64] {
    try waitUntil("\(minimum) readings arrive", timeoutSeconds: seconds, file: file, line: line) {
      self.hubReadingCount(port: port) >= Int64(minimum)
    }
    appliance.kill()
    Thread.sleep(forTimeInterval: 1)  // the hub finishes what was in flight
    let sequences = try hubSequences(port: port, sensors: fridgeSensors)
    XCTAssertGreaterThanOrEqual(sequences.count, minimum, file: file, line: line)
    XCTAssertEqual(
      sequences, Array(1...Int64(sequences.count)), "every reading once, none lost", file: file,
      line: line)
    return sequences
  }
}

/// The sensors of a fridge appliance (Sensors/fridge.json: an SGP30, an SCD4x and a BME280),
/// as the hub names them: each chip's first quantity under the sensor's id, the others under
/// `<id>.<quantity>`.
let fridgeSensors = [
  "fridge.air", "fridge.air.humidity", "fridge.air.pressure", "fridge.co2",
  "fridge.co2.humidity", "fridge.co2.temperature", "fridge.voc", "fridge.voc.eco2",
]

/// The sensors of a plant-pot appliance (Sensors/plant-pot.json: a seesaw, an ADS1115 with an
/// analog probe and a BME280), as the hub names them.
let plantPotSensors = [
  "plant-pot.air", "plant-pot.air.humidity", "plant-pot.air.pressure", "plant-pot.soil",
  "plant-pot.soil-analog",
]

/// A batch of `count` readings of one sensor from sequence number `first` on, laid out with
/// indentation as a person would write it and padded with trailing white space (which JSON
/// allows) to exactly 1 MiB.
func readingsBatch(first: Int, count: Int) -> [UInt8] {
  var text = #"{"appliance":"stack","readings":["#
  for sequence in first..<first + count {
    if sequence > first { text += "," }
    let second = sequence % 60
    let minute = sequence / 60 % 60
    let hour = sequence / 3600
    let time = "2026-11-26T" + pad(hour) + ":" + pad(minute) + ":" + pad(second) + "Z"
    text += """

          {
            "sensor": "stack.soil",
            "quantity": "soil_moisture",
            "unit": "%",
            "value": \(Double(sequence % 1000) / 10 + 0.25),
            "time": "\(time)",
            "seq": \(sequence)
          }
      """
  }
  text += "]}"
  return Array(text.utf8) + [UInt8](repeating: 0x20, count: (1 << 20) - text.utf8.count)
}

private func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
