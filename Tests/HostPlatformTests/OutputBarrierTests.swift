import Glibc
import HostPlatform
import Time
import XCTest

/// The output barrier of `TCPServer`: what the handlers produce in a loop iteration leaves only
/// after one barrier call at the end of that iteration, and never if the barrier fails.
final class OutputBarrierTests: XCTestCase {
  /// Bytes waiting in a client socket's receive buffer, read without consuming or blocking.
  private func bytesWaiting(_ descriptor: Int32) -> Int {
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes {
      recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_PEEK | MSG_DONTWAIT))
    }
    return max(count, 0)
  }

  func testNothingLeavesBeforeTheBarrierAndOneCallCoversTheIteration() throws {
    let loop = try EventLoop()
    var clients: [Int32] = []
    var barrierCalls = 0
    var bytesSeenByTheBarrier = 0
    let server = try TCPServer(
      loop: loop, host: "127.0.0.1", port: 0,
      outputBarrier: {
        barrierCalls += 1
        // Loopback delivers at once: anything sent before now would be waiting here.
        bytesSeenByTheBarrier += clients.reduce(0) { $0 + self.bytesWaiting($1) }
        return true
      },
      makeHandler: { now in EchoHandler(now: now) })
    clients = (0..<3).map { _ in TestSocket.connect(port: server.port) }
    defer {
      for client in clients { close(client) }
    }
    // All requests are queued before the loop runs, so one iteration echoes all of them.
    for (index, client) in clients.enumerated() {
      TestSocket.sendAll(client, Array("ping \(index)".utf8))
    }
    let allEchoed = try loop.run(until: {
      clients.allSatisfy { self.bytesWaiting($0) == "ping 0".utf8.count }
    })
    XCTAssertTrue(allEchoed)
    XCTAssertEqual(bytesSeenByTheBarrier, 0, "a byte left before the barrier ran")
    XCTAssertEqual(barrierCalls, 1, "one barrier for the iteration's three echoes")
    for (index, client) in clients.enumerated() {
      var buffer = [UInt8](repeating: 0, count: 16)
      let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
      XCTAssertEqual(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self), "ping \(index)")
    }
  }

  func testAFailedBarrierSendsNothingAndClosesTheConnection() throws {
    let loop = try EventLoop()
    let barrier = CountingBarrier(answer: false)
    let server = try TCPServer(
      loop: loop, host: "127.0.0.1", port: 0, outputBarrier: barrier.run,
      makeHandler: { now in EchoHandler(now: now) })
    let client = TestSocket.connect(port: server.port)
    defer { close(client) }
    TestSocket.sendAll(client, Array("acknowledge me".utf8))
    XCTAssertTrue(try loop.run(until: { server.acceptedTotal == 1 && server.openConnections == 0 }))
    XCTAssertEqual(barrier.calls, 1)
    XCTAssertEqual(TestSocket.receiveUntilEnd(client), [], "the held output was sent")
  }

  func testTheBarrierRunsOnlyForIterationsWithOutput() throws {
    let loop = try EventLoop()
    let barrier = CountingBarrier(answer: true)
    let server = try TCPServer(
      loop: loop, host: "127.0.0.1", port: 0, outputBarrier: barrier.run,
      makeHandler: { now in EchoHandler(now: now) })
    let client = TestSocket.connect(port: server.port)
    defer { close(client) }
    XCTAssertTrue(try loop.run(until: { server.openConnections == 1 }))
    XCTAssertEqual(barrier.calls, 0, "accepting sends nothing")
    shutdown(client, Int32(SHUT_WR))
    XCTAssertTrue(try loop.run(until: { server.openConnections == 0 }))
    XCTAssertEqual(barrier.calls, 1, "only the end-of-stream trailer needed the barrier")
    XCTAssertEqual(TestSocket.receiveUntilEnd(client), EchoHandler.trailer)
  }
}

/// An output barrier that counts its calls and always gives the same answer.
private final class CountingBarrier {
  private(set) var calls = 0
  let answer: Bool

  init(answer: Bool) {
    self.answer = answer
  }

  func run() -> Bool {
    calls += 1
    return answer
  }
}
