import Glibc
import HostPlatform
import Time
import XCTest

/// Sends a request on connect, collects the reply, and closes once `replyLength` bytes came.
private struct RequestHandler: OutboundConnectionHandler {
  let request: [UInt8]
  let replyLength: Int
  var reply: [UInt8] = []
  var wasConnected = false
  /// nil until closed; then the close's error (itself nil for an orderly close).
  var closedWith: ConnectionError?? = nil
  var deadline: Instant? { nil }

  mutating func connected(now: Instant) -> StreamOutput {
    wasConnected = true
    return StreamOutput(bytes: request)
  }

  mutating func received(_ bytes: UnsafeRawBufferPointer, now: Instant) -> StreamOutput {
    reply += bytes
    return StreamOutput(shouldClose: reply.count >= replyLength)
  }

  mutating func receivedEndOfStream(now: Instant) -> StreamOutput {
    StreamOutput(shouldClose: true)
  }

  mutating func deadlineReached(now: Instant) -> StreamOutput { .none }

  mutating func closed(error: ConnectionError?, now: Instant) {
    closedWith = .some(error)
  }
}

final class TCPClientConnectionTests: XCTestCase {
  func testExchangesBytesWithAServerOnTheSameLoop() throws {
    let loop = try EventLoop()
    let server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { EchoHandler(now: $0) }
    let request = pattern(count: 300_000, seed: 7)
    let connection = TCPClientConnection.connect(
      loop: loop, host: "127.0.0.1", port: server.port, timeout: .seconds(5),
      handler: RequestHandler(request: request, replyLength: request.count))
    XCTAssertFalse(connection.handler.wasConnected, "events come from the loop, not connect")
    XCTAssertTrue(try loop.run(until: { connection.isClosed && server.openConnections == 0 }))
    XCTAssertTrue(connection.handler.wasConnected)
    XCTAssertEqual(connection.handler.closedWith, .some(nil))
    XCTAssertTrue(connection.handler.reply == request)
    XCTAssertEqual(connection.remoteAddress?.description, "127.0.0.1:\(server.port)")
  }

  func testConnectingToAClosedPortIsRefused() throws {
    let loop = try EventLoop()
    let port = try unusedPort()
    let connection = TCPClientConnection.connect(
      loop: loop, host: "127.0.0.1", port: port, timeout: .seconds(5),
      handler: RequestHandler(request: [1], replyLength: 1))
    XCTAssertTrue(try loop.run(until: { connection.isClosed }))
    XCTAssertFalse(connection.handler.wasConnected)
    XCTAssertEqual(connection.handler.closedWith, .some(.refused))
    XCTAssertEqual("\(ConnectionError.refused)", "connection refused")
  }

  func testAHandshakeThatNeverCompletesTimesOut() throws {
    // A listener with a backlog of 0 holds one finished handshake and drops further SYNs while
    // nobody accepts, so a second connect stays in progress: a timeout without leaving 127.0.0.1.
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = loopbackAddress(port: 0)
    XCTAssertEqual(bindSocket(listener, &address), 0)
    XCTAssertEqual(listen(listener, 0), 0)
    let port = try localPort(listener)
    let filler = TestSocket.connect(port: port)
    defer { close(filler) }

    let loop = try EventLoop()
    let connection = TCPClientConnection.connect(
      loop: loop, host: "127.0.0.1", port: port, timeout: .milliseconds(50),
      handler: RequestHandler(request: [1], replyLength: 1))
    XCTAssertTrue(try loop.run(until: { connection.isClosed }))
    XCTAssertEqual(connection.handler.closedWith, .some(.timedOut))
    XCTAssertEqual(loop.registeredDescriptorCount, 0)
  }

  func testAPeerThatResetsIsReportedAsReset() throws {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = loopbackAddress(port: 0)
    XCTAssertEqual(bindSocket(listener, &address), 0)
    XCTAssertEqual(listen(listener, 4), 0)
    let loop = try EventLoop()
    let connection = TCPClientConnection.connect(
      loop: loop, host: "127.0.0.1", port: try localPort(listener), timeout: .seconds(5),
      handler: RequestHandler(request: [1, 2, 3], replyLength: 10))
    XCTAssertTrue(try loop.run(until: { connection.handler.wasConnected }))
    let accepted = accept(listener, nil, nil)
    XCTAssertGreaterThanOrEqual(accepted, 0)
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(accepted, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var request = [UInt8](repeating: 0, count: 3)
    XCTAssertEqual(recv(accepted, &request, 3, Int32(MSG_PEEK | MSG_WAITALL)), 3)
    // Closing with the request still unread makes the kernel send a reset instead of a FIN.
    close(accepted)
    XCTAssertTrue(try loop.run(until: { connection.isClosed }))
    XCTAssertEqual(connection.handler.closedWith, .some(.reset))
    XCTAssertEqual(loop.registeredDescriptorCount, 0)
  }

  func testCloseWhileConnectingReportsAnOrderlyClose() throws {
    let loop = try EventLoop()
    let server = try TCPServer(loop: loop, host: "127.0.0.1", port: 0) { EchoHandler(now: $0) }
    let connection = TCPClientConnection.connect(
      loop: loop, host: "127.0.0.1", port: server.port, timeout: .seconds(5),
      handler: RequestHandler(request: [1], replyLength: 1))
    connection.close()
    XCTAssertTrue(connection.isClosed)
    XCTAssertEqual(connection.handler.closedWith, .some(nil))
    XCTAssertFalse(connection.handler.wasConnected)
  }

  func testNumericAddressesParseAndPrint() throws {
    XCTAssertEqual(
      try SocketAddress(numericHost: "192.168.1.20", port: 80).description, "192.168.1.20:80")
    XCTAssertEqual(try SocketAddress(numericHost: "::1", port: 8080).description, "[::1]:8080")
    XCTAssertThrowsError(try SocketAddress(numericHost: "300.1.1.1", port: 1)) { error in
      XCTAssertEqual(error as? AddressError, .notNumeric(host: "300.1.1.1"))
    }
    // A literal resolves without any DNS traffic.
    XCTAssertEqual(
      try SocketAddress.resolve(host: "127.0.0.1", port: 9),
      [
        try SocketAddress(numericHost: "127.0.0.1", port: 9)
      ])
  }
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = port.bigEndian
  address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
  return address
}

private func bindSocket(_ descriptor: Int32, _ address: inout sockaddr_in) -> Int32 {
  withUnsafePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
}

private func localPort(_ descriptor: Int32) throws -> UInt16 {
  var address = sockaddr_in()
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let result = withUnsafeMutablePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      getsockname(descriptor, $0, &length)
    }
  }
  guard result == 0 else { throw SystemError.fromErrno("getsockname") }
  return UInt16(bigEndian: address.sin_port)
}

/// A port on 127.0.0.1 that nothing listens on: bound (so the kernel picks a free one), then
/// released without listening.
private func unusedPort() throws -> UInt16 {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(descriptor) }
  var address = loopbackAddress(port: 0)
  guard bindSocket(descriptor, &address) == 0 else { throw SystemError.fromErrno("bind") }
  return try localPort(descriptor)
}
