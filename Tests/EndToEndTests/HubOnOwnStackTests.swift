import Foundation
import JSON
import XCTest

/// The hub serving over Loam's own TCP/IP stack on a TAP device, with the Linux kernel as the
/// peer: `ping`, `curl` GETs and POSTs of about 1 MiB, and a bounded SYN flood from `hping3`.
/// Everything runs in a network namespace of the test's own with documentation addresses
/// (192.0.2.1 the kernel, 192.0.2.2 our stack); the namespace is deleted at the end.
final class HubOnOwnStackTests: XCTestCase {
  private var namespace: TestNamespace?
  private var hub: ChildProcess?
  private var dataDirectory: URL?

  override func setUpWithError() throws {
    if let reason = TestNamespace.unavailableReason() { throw XCTSkip(reason) }
    let namespace = try TestNamespace(name: "loam-hubstack-\(getpid())")
    self.namespace = namespace
    let data = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loam-hubstack-\(UUID().uuidString)")
    dataDirectory = data
    hub = try namespace.start(
      try executable("hub"),
      [
        "--host", "127.0.0.1", "--port", "8080", "--data", data.path, "--net",
        "tap:loamtap0,ip=192.0.2.2/24",
      ], name: "hub-own-stack")
    try namespace.configureTAP("loamtap0", address: "192.0.2.1/24")
    try waitUntil("the hub answers over its own stack", timeoutSeconds: 20) {
      (try? self.curl(["-f", "http://192.0.2.2:8080/api/v1/health"]))?.status == 0
    }
  }

  override func tearDown() {
    hub?.kill()
    if let hub { print("HubOnOwnStackTests: hub output:\n\(hub.output)") }
    hub = nil
    namespace?.delete()
    if let dataDirectory { try? FileManager.default.removeItem(at: dataDirectory) }
  }

  func testTheKernelPingsAndCurlMovesAMebibyteEachWay() throws {
    let ping = try inNamespace(["ping", "-c", "3", "-W", "2", "192.0.2.2"])
    XCTAssertEqual(ping.status, 0, ping.output)

    // POST: four batches of 5,000 readings, each padded to exactly the 1 MiB limit.
    for batchIndex in 0..<4 {
      let batch = readingsBatch(first: batchIndex * 5000 + 1, count: 5000)
      XCTAssertEqual(batch.count, 1 << 20)
      let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent(
        "loam-batch-\(UUID().uuidString).json")
      defer { try? FileManager.default.removeItem(at: bodyFile) }
      try Data(batch).write(to: bodyFile)
      let posted = try curl([
        "-sS", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
        "@" + bodyFile.path, "http://192.0.2.2:8080/api/v1/readings",
      ])
      let last = (batchIndex + 1) * 5000
      XCTAssertEqual(
        posted.output, #"{"accepted":5000,"duplicates":0,"acknowledged_seq":"# + "\(last)}")
    }

    // GET: all 20,000 back, about 1.2 MB, over our stack and over the kernel's loopback; the
    // two bodies must be the same bytes.
    let path = "/api/v1/sensors/stack.soil/readings?limit=20000"
    let overOurs = try curl(["-sS", "-f", "http://192.0.2.2:8080" + path])
    let overKernel = try curl(["-sS", "-f", "http://127.0.0.1:8080" + path])
    XCTAssertEqual(overOurs.status, 0, overOurs.output.prefix(300).description)
    XCTAssertGreaterThan(overOurs.output.utf8.count, 1 << 20)
    XCTAssertTrue(overOurs.output == overKernel.output, "the bodies differ")
    let document = try JSONParser.parse(
      Array(overOurs.output.utf8), limits: .init(maximumDocumentBytes: 4 << 20))
    let readings = document["readings"]?.arrayValue
    XCTAssertEqual(readings?.count, 20000)
    XCTAssertEqual(readings?.last?["seq"]?.int64Value, 20000)
  }

  func testASYNFloodLeavesTheHubServing() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/hping3") else {
      throw XCTSkip("hping3 is missing (make deps installs it)")
    }
    // 20,000 SYNs from random sources as fast as hping3 sends, bounded in count and time.
    let flood = try inNamespace([
      "timeout", "20", "/usr/sbin/hping3", "-q", "-S", "-p", "8080", "--rand-source", "-c",
      "20000", "-i", "u50", "192.0.2.2",
    ])
    print("HubOnOwnStackTests: hping3: \(flood.output.suffix(400))")
    let health = try curl(["-sS", "-f", "--max-time", "5", "http://192.0.2.2:8080/api/v1/health"])
    XCTAssertEqual(health.status, 0, "the hub still serves after the flood: \(health.output)")
    let status = try JSONParser.parse(Array(health.output.utf8))["status"]
    XCTAssertEqual(status, .string("ok"))
  }

  // MARK: Helpers

  private func inNamespace(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try namespace!.execute(arguments)
  }

  private func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try inNamespace(["/usr/bin/curl", "--max-time", "30"] + arguments)
  }
}
