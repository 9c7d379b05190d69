import Glibc
import HostPlatform
import Time
import XCTest

final class TCPServerTests: XCTestCase {
  private func makeEchoServer(
    _ loop: EventLoop, maximumConnections: Int = 1024, limits: StreamLimits = StreamLimits(),
    idleTimeout: Duration? = nil
  ) throws -> TCPServer<EchoHandler> {
    try TCPServer(
      loop: loop, host: "127.0.0.1", port: 0, maximumConnections: maximumConnections,
      limits: limits
    ) { now in EchoHandler(now: now, idleTimeout: idleTimeout) }
  }

  func testPortZeroGetsARealPort() throws {
    let loop = try EventLoop()
    let server = try makeEchoServer(loop)
    XCTAssertNotEqual(server.port, 0)
    XCTAssertEqual(server.localAddress.description, "127.0.0.1:\(server.port)")
  }

  func testManyConcurrentClientsGetTheirOwnBytesBackExactly() throws {
    let loop = try EventLoop()
    let server = try makeEchoServer(loop)
    let port = server.port
    let clientCount = 16
    // Mixed sizes: one byte, two of several MiB, the rest a few hundred KiB of odd lengths.
    let payloads = (0..<clientCount).map { client in
      let size = client == 0 ? 1 : (client % 8 == 1 ? 3 << 20 : 100_000 + client * 7_919)
      return pattern(count: size, seed: UInt32(client))
    }
    let results = Shared([Int: [UInt8]]())
    for (client, payload) in payloads.enumerated() {
      spawn {
        let reply = TestSocket.exchange(port: port, payload: payload)
        results.update { $0[client] = reply }
      }
    }
    XCTAssertTrue(try loop.run(until: { results.value.count == clientCount }))
    for (client, reply) in results.value {
      let expected = payloads[client] + EchoHandler.trailer
      XCTAssertEqual(reply.count, expected.count, "client \(client)")
      XCTAssertTrue(reply == expected, "client \(client) got different bytes")
    }
    XCTAssertTrue(try loop.run(until: { server.openConnections == 0 }))
    XCTAssertEqual(server.acceptedTotal, clientCount)
    XCTAssertEqual(server.failedTotal, 0)
  }

  func testHalfCloseStillDeliversTheReplyAfterTheClientsEndOfStream() throws {
    let loop = try EventLoop()
    let server = try makeEchoServer(loop)
    let descriptor = TestSocket.connect(port: server.port)
    defer { close(descriptor) }
    TestSocket.sendAll(descriptor, Array("ping".utf8))
    shutdown(descriptor, Int32(SHUT_WR))
    let reply = Shared([UInt8]())
    let done = Shared(false)
    spawn {
      let bytes = TestSocket.receiveUntilEnd(descriptor)
      reply.update { $0 = bytes }
      done.update { $0 = true }
    }
    XCTAssertTrue(try loop.run(until: { done.value }))
    XCTAssertEqual(reply.value, Array("ping".utf8) + EchoHandler.trailer)
  }

  func testDeadlineFiresForAnIdleConnection() throws {
    let loop = try EventLoop()
    let server = try makeEchoServer(loop, idleTimeout: .milliseconds(50))
    let descriptor = TestSocket.connect(port: server.port)
    defer { close(descriptor) }
    let reply = Shared<[UInt8]?>(nil)
    spawn {
      let bytes = TestSocket.receiveUntilEnd(descriptor)
      // Answer the server's FIN with ours, so it need not linger.
      shutdown(descriptor, Int32(SHUT_WR))
      reply.update { $0 = bytes }
    }
    XCTAssertTrue(try loop.run(until: { reply.value != nil }))
    XCTAssertEqual(reply.value, EchoHandler.timeoutMessage)
    XCTAssertTrue(try loop.run(until: { server.openConnections == 0 }))
  }

  func testConnectionsBeyondTheMaximumAreClosedAtOnce() throws {
    let loop = try EventLoop()
    let server = try makeEchoServer(loop, maximumConnections: 2)
    // The kernel completes these handshakes from the backlog before the loop even runs.
    let clients = (0..<3).map { _ in TestSocket.connect(port: server.port) }
    defer { for client in clients { close(client) } }
    XCTAssertTrue(try loop.run(until: { server.acceptedTotal == 3 }))
    XCTAssertEqual(server.openConnections, 2)
    XCTAssertEqual(server.rejectedTotal, 1)
    // Exactly one client sees its connection end without a byte; the others are served.
    var endedCount = 0
    for client in clients {
      var byte: UInt8 = 0
      var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
      setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      let count = recv(client, &byte, 1, 0)
      if count == 0 || (count < 0 && errno != EAGAIN) { endedCount += 1 }
    }
    XCTAssertEqual(endedCount, 1)
  }

  func testBackpressureBoundsQueuedOutputAndLosesNothing() throws {
    let loop = try EventLoop()
    let limits = StreamLimits(readChunkSize: 16_384, maximumPendingOutput: 131_072)
    let server = try makeEchoServer(loop, limits: limits)
    let payload = pattern(count: 8 << 20, seed: 99)
    let descriptor = TestSocket.connect(port: server.port, receiveBufferSize: 65_536)
    defer { close(descriptor) }
    let mayRead = Shared(false)
    let reply = Shared<[UInt8]?>(nil)
    spawn {
      TestSocket.sendAll(descriptor, payload)
      shutdown(descriptor, Int32(SHUT_WR))
    }
    spawn {
      while !mayRead.value { usleep(1_000) }
      let bytes = TestSocket.receiveUntilEnd(descriptor)
      reply.update { $0 = bytes }
    }
    // Phase 1: the client does not read, so the server's queue fills to the bound and reading
    // stops. The queue may exceed the bound by at most one handler output (one read chunk).
    var largestQueue = 0
    XCTAssertTrue(
      try loop.run {
        largestQueue = max(largestQueue, server.pendingOutputTotal)
        return largestQueue >= limits.maximumPendingOutput
      })
    let pauseEnd = MonotonicClock.now() + .milliseconds(100)
    try loop.run {
      largestQueue = max(largestQueue, server.pendingOutputTotal)
      return MonotonicClock.now() >= pauseEnd
    }
    XCTAssertLessThanOrEqual(largestQueue, limits.maximumPendingOutput + limits.readChunkSize)
    // Phase 2: the client reads; everything arrives intact.
    mayRead.update { $0 = true }
    XCTAssertTrue(
      try loop.run {
        largestQueue = max(largestQueue, server.pendingOutputTotal)
        return reply.value != nil
      })
    XCTAssertLessThanOrEqual(largestQueue, limits.maximumPendingOutput + limits.readChunkSize)
    XCTAssertEqual(reply.value?.count, payload.count + EchoHandler.trailer.count)
    XCTAssertTrue(reply.value == payload + EchoHandler.trailer)
  }

  func testCloseStopsListeningAndClosesConnections() throws {
    let loop = try EventLoop()
    let server = try makeEchoServer(loop)
    let port = server.port
    let descriptor = TestSocket.connect(port: port)
    defer { close(descriptor) }
    XCTAssertTrue(try loop.run(until: { server.openConnections == 1 }))
    server.close()
    XCTAssertEqual(server.openConnections, 0)
    XCTAssertEqual(TestSocket.receiveUntilEnd(descriptor), [])
    XCTAssertEqual(loop.registeredDescriptorCount, 0)
  }

  func testNonNumericHostIsRejected() throws {
    let loop = try EventLoop()
    XCTAssertThrowsError(
      try TCPServer(loop: loop, host: "localhost", port: 0) { EchoHandler(now: $0) }
    ) { error in
      XCTAssertEqual(error as? AddressError, .notNumeric(host: "localhost"))
    }
  }

  func testBindingAPortInUseNamesTheCallAndAddress() throws {
    let loop = try EventLoop()
    let first = try makeEchoServer(loop)
    XCTAssertThrowsError(
      try TCPServer(loop: loop, host: "127.0.0.1", port: first.port) { EchoHandler(now: $0) }
    ) { error in
      let systemError = error as? SystemError
      XCTAssertEqual(systemError?.errorNumber, EADDRINUSE)
      XCTAssertEqual(
        systemError?.description,
        "bind(127.0.0.1:\(first.port)) failed: Address already in use (errno \(EADDRINUSE))")
    }
  }

  func testIPv6LoopbackListens() throws {
    let loop = try EventLoop()
    let server: TCPServer<EchoHandler>
    do {
      server = try TCPServer(loop: loop, host: "::1", port: 0) { EchoHandler(now: $0) }
    } catch let error as SystemError where error.errorNumber == EADDRNOTAVAIL {
      throw XCTSkip("no IPv6 loopback on this machine")
    }
    XCTAssertEqual(server.localAddress.family, AF_INET6)
    XCTAssertEqual(server.localAddress.description, "[::1]:\(server.port)")
  }
}
