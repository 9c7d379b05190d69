import HTTP
import Time
import XCTest

/// The byte at `offset` of the streamed test bodies.
private func bodyByte(at offset: Int) -> UInt8 { UInt8(offset % 251) }

/// The first `count` bytes of a streamed test body.
private func expectedBody(count: Int) -> [UInt8] { (0..<count).map(bodyByte) }

/// Answers `/stream?n=N` with a streamed body of N bytes (chunked for `/chunked?n=N`) and every
/// other target with a whole text body naming it.
private struct StreamingResponder: HTTPResponder {
  var requests: [String] = []

  func maximumBodyBytes(for head: HTTPRequestHead) -> Int { 1024 }

  mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    requests.append(request.head.target)
    let path = request.head.path
    guard path == "/stream" || path == "/chunked", let query = request.head.queryValue("n"),
      let length = Int(query)
    else { return HTTPResponse(status: .ok, body: bytes("whole " + request.head.target)) }
    let source = HTTPBodySource(length: length) { offset, count, output in
      for position in offset..<(offset + count) { output.append(bodyByte(at: position)) }
    }
    return HTTPResponse(status: .ok, streamedBody: source, isChunked: path == "/chunked")
  }

  func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    HTTPResponse(status: status, body: bytes(message))
  }
}

final class HTTPStreamedBodyTests: XCTestCase {
  private var responder = StreamingResponder()
  private var connection = HTTPServerConnection(now: .zero)

  /// Asks for pieces of at most `maximumBytes` until the body is sent; returns them in order
  /// and the last output.
  private func drainBody(maximumBytes: Int) -> (pieces: [[UInt8]], last: HTTPServerOutput) {
    var pieces: [[UInt8]] = []
    var output = HTTPServerOutput(isBodyPending: true)
    while output.isBodyPending {
      output = connection.nextBodyPiece(
        maximumBytes: maximumBytes, now: .zero, responder: &responder)
      pieces.append(output.bytes)
      XCTAssertLessThan(pieces.count, 10_000, "the body never ends")
      if pieces.count >= 10_000 { break }
    }
    return (pieces, output)
  }

  func testHeadComesFirstThenThePiecesInOrder() {
    let head = connection.receive(
      bytes("GET /stream?n=10000 HTTP/1.1\r\nHost: h\r\n\r\n"), now: .zero, responder: &responder)
    XCTAssertEqual(text(head.bytes), "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n")
    XCTAssertTrue(head.isBodyPending)
    XCTAssertTrue(connection.isSendingBody)
    let (pieces, last) = drainBody(maximumBytes: 4096)
    XCTAssertEqual(pieces.map(\.count), [4096, 4096, 1808])
    XCTAssertEqual(Array(pieces.joined()), expectedBody(count: 10000))
    XCTAssertFalse(last.shouldClose)
    XCTAssertFalse(connection.isSendingBody)
    XCTAssertEqual(
      connection.nextBodyPiece(maximumBytes: 4096, now: .zero, responder: &responder),
      HTTPServerOutput(), "no body is in progress any more")
  }

  func testHeadRequestGetsTheLengthButNoBody() {
    let output = connection.receive(
      bytes("HEAD /stream?n=10000 HTTP/1.1\r\nHost: h\r\n\r\n"), now: .zero, responder: &responder
    )
    XCTAssertEqual(text(output.bytes), "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n")
    XCTAssertFalse(output.isBodyPending)
    XCTAssertFalse(connection.isSendingBody)
  }

  func testPipelinedRequestWaitsForTheBodyAndKeepAliveHolds() {
    let input =
      "GET /stream?n=100 HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n"
    let head = connection.receive(bytes(input), now: .zero, responder: &responder)
    XCTAssertTrue(head.isBodyPending)
    XCTAssertEqual(responder.requests, ["/stream?n=100"], "the second request waits")
    // More input while the body is sent is buffered, not answered.
    let more = connection.receive(
      bytes("GET /third HTTP/1.1\r\nHost: h\r\n\r\n"), now: .zero, responder: &responder)
    XCTAssertEqual(more, HTTPServerOutput(isBodyPending: true))
    let (pieces, last) = drainBody(maximumBytes: 64)
    XCTAssertEqual(Array(pieces[0]), expectedBody(count: 64))
    let after = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nwhole /after"
    let third = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nwhole /third"
    XCTAssertEqual(last.bytes, Array(expectedBody(count: 100)[64...]) + bytes(after + third))
    XCTAssertEqual(responder.requests, ["/stream?n=100", "/after", "/third"])
    XCTAssertFalse(last.shouldClose)
    XCTAssertFalse(last.isBodyPending)
  }

  func testConnectionCloseTakesEffectAfterTheLastPiece() {
    let input =
      "GET /stream?n=10 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /x HTTP/1.1\r\n\r\n"
    let head = connection.receive(bytes(input), now: .zero, responder: &responder)
    XCTAssertTrue(text(head.bytes).contains("Connection: close\r\n"))
    XCTAssertFalse(head.shouldClose, "the body has not been sent yet")
    let (pieces, last) = drainBody(maximumBytes: 4)
    XCTAssertEqual(Array(pieces.joined()), expectedBody(count: 10))
    XCTAssertTrue(last.shouldClose)
    XCTAssertTrue(connection.isClosed)
    XCTAssertEqual(responder.requests, ["/stream?n=10"], "nothing after the closing request")
  }

  func testPeerEndingItsStreamClosesOnceTheBodyIsSent() {
    _ = connection.receive(
      bytes("GET /stream?n=10 HTTP/1.1\r\nHost: h\r\n\r\n"), now: .zero, responder: &responder)
    let end = connection.receiveEndOfStream(now: .zero, responder: &responder)
    XCTAssertEqual(end, HTTPServerOutput(isBodyPending: true))
    let last = connection.nextBodyPiece(maximumBytes: 100, now: .zero, responder: &responder)
    XCTAssertEqual(last.bytes, expectedBody(count: 10))
    XCTAssertTrue(last.shouldClose)
  }

  func testChunkedStreamedBodyIsOneChunkPerPiece() {
    let head = connection.receive(
      bytes("GET /chunked?n=20 HTTP/1.1\r\nHost: h\r\n\r\n"), now: .zero, responder: &responder)
    XCTAssertEqual(text(head.bytes), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    let (pieces, _) = drainBody(maximumBytes: 16)
    let body = expectedBody(count: 20)
    let expected =
      bytes("10\r\n") + body[0..<16] + bytes("\r\n4\r\n") + body[16...] + bytes("\r\n0\r\n\r\n")
    XCTAssertEqual(Array(pieces.joined()), expected)
  }

  func testIdleTimeoutLetsGoOfAPeerThatStopsReading() {
    _ = connection.receive(
      bytes("GET /stream?n=10 HTTP/1.1\r\nHost: h\r\n\r\nGET /partial"), now: .zero,
      responder: &responder)
    let idle = connection.configuration.idleTimeout
    XCTAssertEqual(connection.deadline, Instant.zero + idle, "no request timeout mid-body")
    let later = Instant.zero + idle
    let output = connection.handleDeadline(now: later, responder: &responder)
    XCTAssertEqual(output, HTTPServerOutput(shouldClose: true), "closed silently, no 408")
  }

  func testWholeBodyResponsesAreUnchanged() {
    let output = connection.receive(
      bytes("GET /plain HTTP/1.1\r\nHost: h\r\n\r\n"), now: .zero, responder: &responder)
    XCTAssertEqual(text(output.bytes), "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nwhole /plain")
    XCTAssertFalse(output.isBodyPending)
  }
}
