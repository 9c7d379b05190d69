import HTTP
import Time
import XCTest

final class HTTPServerConnectionTests: XCTestCase {
  private let get = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
  private let post = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
  private let chunkedPost =
    "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n"

  func testGoldenResponseBytes() {
    var responder = EchoResponder()
    let output = serve(get, responder: &responder)
    XCTAssertEqual(
      text(output.bytes),
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nGET /a ")
    XCTAssertFalse(output.shouldClose)
  }

  func testPipelinedRequestsAreAnsweredInOrder() {
    var responder = EchoResponder()
    let output = serve(get + post + chunkedPost, responder: &responder)
    XCTAssertEqual(responder.requests.map { $0.head.target }, ["/a", "/b", "/c"])
    XCTAssertEqual(responder.requests.map { text($0.body) }, ["", "hello", "abc"])
    let responses = text(output.bytes).components(separatedBy: "HTTP/1.1 200 OK").count - 1
    XCTAssertEqual(responses, 3)
    XCTAssertTrue(text(output.bytes).hasSuffix("POST /c abc"))
    XCTAssertFalse(output.shouldClose)
  }

  func testBodyLimitIsAskedOnlyForRequestsThatAnnounceABody() {
    var responder = EchoResponder()
    let emptyPost = "POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
    _ = serve(get + post + emptyPost + chunkedPost, responder: &responder)
    XCTAssertEqual(responder.requests.count, 4)
    XCTAssertEqual(responder.bodyLimitQuestions.targets, ["/b", "/c"])
  }

  func testSplittingAtEveryOffsetGivesTheSameOutput() {
    let inputs = [get + post + chunkedPost, "GET / HTTP/1.1\r\nHost: h\r\nX: " + "\u{01}\r\n\r\n"]
    for input in inputs.map(bytes) {
      let whole = serveSplit(input, at: input.count)
      for offset in 0...input.count {
        XCTAssertEqual(serveSplit(input, at: offset), whole, "split at \(offset)")
      }
    }
  }

  func testByteByByteGivesTheSameOutput() {
    let input = get + post + chunkedPost + "GET /z HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    var wholeResponder = EchoResponder()
    var pieceResponder = EchoResponder()
    let whole = serve(input, responder: &wholeResponder)
    XCTAssertEqual(serveByteByByte(input, responder: &pieceResponder), whole)
    XCTAssertTrue(whole.shouldClose)
  }

  func testConnectionCloseIsHonoured() {
    var responder = EchoResponder()
    var connection = HTTPServerConnection(now: .zero)
    let closing = "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    let output = connection.receive(bytes(closing + get), now: .zero, responder: &responder)
    XCTAssertTrue(output.shouldClose)
    XCTAssertTrue(text(output.bytes).contains("Connection: close\r\n"))
    XCTAssertEqual(responder.requests.count, 1, "nothing after the closing request is served")
    XCTAssertTrue(connection.isClosed)
    XCTAssertNil(connection.deadline)
    let after = connection.receive(bytes(get), now: .zero, responder: &responder)
    XCTAssertEqual(after, HTTPServerOutput(bytes: [], shouldClose: true))
  }

  func testResponderCanCloseTheConnection() {
    var responder = EchoResponder(closeAfterResponse: true)
    let output = serve(get + get, responder: &responder)
    XCTAssertTrue(output.shouldClose)
    XCTAssertEqual(responder.requests.count, 1)
  }

  func testHTTP10KeepAliveOnlyIfAsked() {
    var responder = EchoResponder()
    let plain = serve("GET /old HTTP/1.0\r\n\r\n", responder: &responder)
    XCTAssertTrue(plain.shouldClose)
    XCTAssertTrue(text(plain.bytes).contains("Connection: close\r\n"))
    let kept = serve("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", responder: &responder)
    XCTAssertFalse(kept.shouldClose)
    XCTAssertTrue(text(kept.bytes).contains("Connection: keep-alive\r\n"))
  }

  func testHeadResponseHasHeadersButNoBody() {
    var responder = EchoResponder()
    let output = serve("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n", responder: &responder)
    XCTAssertEqual(
      text(output.bytes),
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\n")
  }

  func testErrorsAnswerWithTheirStatusAndClose() {
    let cases: [(String, Int)] = [
      ("GET / HTTP/1.1\r\nHost h\r\n\r\n", 400),
      ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
      ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
      ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n", 413),
      ("GET /" + String(repeating: "a", count: 20_000), 414),
      ("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 20_000), 431),
      ("GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n", 417),
    ]
    var plain = EchoResponder()
    let firstAnswer = serve(get, responder: &plain).bytes
    for (input, code) in cases {
      var responder = EchoResponder()
      let output = serve(get + input + get, responder: &responder)
      XCTAssertEqual(Array(output.bytes.prefix(firstAnswer.count)), firstAnswer, "\(code)")
      let errorAnswer = Array(output.bytes.dropFirst(firstAnswer.count))
      XCTAssertEqual(statusCode(errorAnswer), code)
      XCTAssertTrue(text(errorAnswer).contains("\r\nConnection: close\r\n"), "\(code)")
      XCTAssertEqual(responder.requests.count, 1, "only the first request is served: \(code)")
      XCTAssertTrue(output.shouldClose)
      var fresh = EchoResponder()
      XCTAssertEqual(
        statusCode(serve(get, responder: &fresh).bytes), 200, "a new connection serves")
    }
  }

  func testErrorBodyComesFromTheResponder() {
    var responder = EchoResponder()
    let output = serve("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", responder: &responder)
    XCTAssertTrue(
      text(output.bytes).hasSuffix("\r\n\r\nthe path has an invalid percent-escape or is not UTF-8")
    )
  }

  func testExpectContinueAccepted() {
    var responder = EchoResponder()
    var connection = HTTPServerConnection(now: .zero)
    let head = "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    let first = connection.receive(bytes(head), now: .zero, responder: &responder)
    XCTAssertEqual(text(first.bytes), "HTTP/1.1 100 Continue\r\n\r\n")
    let second = connection.receive(bytes("hello"), now: .zero, responder: &responder)
    XCTAssertEqual(statusCode(second.bytes), 200)
    XCTAssertEqual(responder.requests.first?.body, bytes("hello"))
  }

  func testExpectContinueRefusedWithoutReadingTheBody() {
    var responder = EchoResponder(maximumBody: 4)
    var connection = HTTPServerConnection(now: .zero)
    let head = "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    let output = connection.receive(bytes(head), now: .zero, responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 413)
    XCTAssertTrue(output.shouldClose)
    XCTAssertTrue(responder.requests.isEmpty)
  }

  func testChunkedBodyOverTheRouteLimitIs413() {
    var responder = EchoResponder(maximumBody: 2)
    let output = serve(chunkedPost, responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 413)
    XCTAssertTrue(output.shouldClose)
  }

  func testIdleTimeoutClosesSilently() {
    var responder = EchoResponder()
    let configuration = HTTPServerConfiguration(idleTimeout: .seconds(5))
    var connection = HTTPServerConnection(configuration: configuration, now: .zero)
    let served = Instant.zero + .seconds(3)
    _ = connection.receive(bytes(get), now: served, responder: &responder)
    XCTAssertEqual(connection.deadline, served + .seconds(5), "the idle clock restarts")
    let early = connection.handleDeadline(now: served + .seconds(4), responder: &responder)
    XCTAssertEqual(early, HTTPServerOutput())
    let late = connection.handleDeadline(now: served + .seconds(5), responder: &responder)
    XCTAssertEqual(late, HTTPServerOutput(bytes: [], shouldClose: true))
    XCTAssertTrue(connection.isClosed)
  }

  func testSlowRequestTimesOutWith408() {
    var responder = EchoResponder()
    let configuration = HTTPServerConfiguration(requestTimeout: .seconds(10))
    var connection = HTTPServerConnection(configuration: configuration, now: .zero)
    let start = Instant.zero + .seconds(1)
    _ = connection.receive(bytes("GET / HT"), now: start, responder: &responder)
    XCTAssertEqual(connection.deadline, start + .seconds(10))
    // Trickling bytes does not extend the deadline.
    _ = connection.receive(bytes("TP/1.1\r\n"), now: start + .seconds(9), responder: &responder)
    XCTAssertEqual(connection.deadline, start + .seconds(10))
    let output = connection.handleDeadline(now: start + .seconds(10), responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 408)
    XCTAssertTrue(output.shouldClose)
    XCTAssertTrue(text(output.bytes).contains("Connection: close"))
  }

  func testLateBytesOfAnOverdueRequestGet408() {
    var responder = EchoResponder()
    var connection = HTTPServerConnection(now: .zero)
    _ = connection.receive(bytes("GET / HTTP/1.1\r\n"), now: .zero, responder: &responder)
    let output = connection.receive(
      bytes("Host: h\r\n\r\n"), now: .zero + .seconds(31), responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 408)
    XCTAssertTrue(responder.requests.isEmpty)
  }

  func testEndOfStream() {
    var responder = EchoResponder()
    var idle = HTTPServerConnection(now: .zero)
    XCTAssertEqual(idle.receiveEndOfStream(now: .zero, responder: &responder).bytes, [])
    XCTAssertTrue(idle.isClosed)
    var midRequest = HTTPServerConnection(now: .zero)
    _ = midRequest.receive(bytes("GET / HT"), now: .zero, responder: &responder)
    let output = midRequest.receiveEndOfStream(now: .zero, responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 400)
    XCTAssertTrue(output.shouldClose)
  }

  func testTooManyPipelinedRequestsAre503() {
    var responder = EchoResponder()
    let configuration = HTTPServerConfiguration(maximumPipelinedRequests: 2)
    let output = serve(get + get + get, responder: &responder, configuration: configuration)
    XCTAssertEqual(responder.requests.count, 2)
    XCTAssertTrue(text(output.bytes).contains("HTTP/1.1 503 Service Unavailable\r\n"))
    XCTAssertTrue(output.shouldClose)
  }

  func testUnsafeBufferInputMatchesArrayInput() {
    var responder = EchoResponder()
    var connection = HTTPServerConnection(now: .zero)
    let output = bytes(get).withUnsafeBytes { buffer in
      connection.receive(buffer, now: .zero, responder: &responder)
    }
    XCTAssertEqual(output, serve(get, responder: &responder))
  }

  func testExpectIsIgnoredForHTTP10() {
    var responder = EchoResponder()
    let input = "POST /up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
    let output = serve(input, responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 200)
    XCTAssertFalse(text(output.bytes).contains("100 Continue"))
  }

  func testTooManyEmptyLinesBeforeARequestAre400() {
    var responder = EchoResponder()
    let output = serve(String(repeating: "\r\n", count: 9) + get, responder: &responder)
    XCTAssertEqual(statusCode(output.bytes), 400)
  }
}
