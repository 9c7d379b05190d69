import Glibc
import HTTP
import HostPlatform
import Time
import XCTest

/// Answers every request with `body`, streamed from it a piece at a time.
private struct StreamedBodyResponder: HTTPResponder {
  let body: [UInt8]

  func maximumBodyBytes(for head: HTTPRequestHead) -> Int { 0 }

  func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    let body = body
    let source = HTTPBodySource(length: body.count) { offset, count, output in
      output.append(contentsOf: body[offset..<(offset + count)])
    }
    return HTTPResponse(status: .ok, streamedBody: source)
  }

  func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    HTTPResponse(status: status, body: Array(message.utf8))
  }
}

final class HTTPServerStreamingTests: XCTestCase {
  func testLargeStreamedBodyArrivesExactlyWithBoundedPendingOutput() throws {
    let loop = try EventLoop()
    let body = pattern(count: 8 << 20, seed: 7)
    let server = try HTTPServer(
      loop: loop, host: "127.0.0.1", port: 0,
      responder: HTTPResponderBox(StreamedBodyResponder(body: body)))
    let descriptor = TestSocket.connect(port: server.port, receiveBufferSize: 65_536)
    defer { close(descriptor) }
    let reply = Shared<[UInt8]?>(nil)
    spawn {
      let request = "GET /bulk HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
      TestSocket.sendAll(descriptor, Array(request.utf8))
      let bytes = TestSocket.receiveUntilEnd(descriptor)
      reply.update { $0 = bytes }
    }
    var largestPending = 0
    XCTAssertTrue(
      try loop.run(
        until: {
          largestPending = max(largestPending, server.pendingOutputTotal)
          return reply.value != nil
        }, limit: .seconds(20)))
    // Each piece is asked for only while less than a piece waits: at most two pieces wait.
    XCTAssertLessThanOrEqual(largestPending, 2 * StreamLimits().outputPieceSize)
    let received = try XCTUnwrap(reply.value)
    let head = "HTTP/1.1 200 OK\r\nContent-Length: 8388608\r\nConnection: close\r\n\r\n"
    XCTAssertEqual(received.count, head.utf8.count + body.count)
    XCTAssertEqual(String(decoding: received.prefix(head.utf8.count), as: UTF8.self), head)
    XCTAssertTrue(received.dropFirst(head.utf8.count).elementsEqual(body), "body differs")
  }
}
