import HTTP
import XCTest

final class HTTPRequestParserTests: XCTestCase {
  /// Parses one complete request with the given body limit.
  private func parse(_ input: String, maximumBodyBytes: Int = 1024) throws(HTTPParseError)
    -> HTTPRequest?
  {
    var parser = HTTPRequestParser()
    parser.append(bytes(input))
    switch try parser.next() {
    case nil: return nil
    case .request(let request): return request  // no body
    case .head:
      try parser.startBody(maximumBytes: maximumBodyBytes)
      guard case .request(let request) = try parser.next() else { return nil }
      return request
    }
  }

  /// The status a malformed request is rejected with, or nil if it parses.
  private func rejection(_ input: String, maximumBodyBytes: Int = 1024) -> Int? {
    do {
      _ = try parse(input, maximumBodyBytes: maximumBodyBytes)
      return nil
    } catch {
      return error.status.code
    }
  }

  func testGoldenRequestHead() throws {
    let input =
      "GET /api/v1/sensors/k%C3%BCche/readings?since=10&label=a+b%26c&flag HTTP/1.1\r\n"
      + "Host: hub.local\r\nAccept:  text/plain \r\nX-Twice: 1\r\nx-twice: 2\r\n\r\n"
    let request = try XCTUnwrap(try parse(input))
    let head = request.head
    XCTAssertEqual(head.method, .get)
    XCTAssertEqual(head.target, "/api/v1/sensors/k%C3%BCche/readings?since=10&label=a+b%26c&flag")
    XCTAssertEqual(head.rawPath, "/api/v1/sensors/k%C3%BCche/readings")
    XCTAssertEqual(head.path, "/api/v1/sensors/küche/readings")
    XCTAssertEqual(head.queryItems.map { $0.name }, ["since", "label", "flag"])
    XCTAssertEqual(head.queryItems.map { $0.value }, ["10", "a b&c", ""])
    XCTAssertEqual(head.queryValue("label"), "a b&c")
    XCTAssertNil(head.queryValue("missing"))
    XCTAssertEqual(head.version, .http1_1)
    XCTAssertEqual(head.headers["accept"], "text/plain")
    XCTAssertEqual(head.headers.values(for: "X-TWICE"), ["1", "2"])
    XCTAssertTrue(head.keepAlive)
    XCTAssertEqual(request.body, [])
  }

  func testContentLengthBody() throws {
    let input = "POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
    XCTAssertEqual(try parse(input)?.body, bytes("hello"))
  }

  func testChunkedBodyWithExtensionsAndTrailers() throws {
    let input =
      "POST /r HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nExpires: never\r\n\r\n"
    let request = try XCTUnwrap(try parse(input))
    XCTAssertEqual(request.body, bytes("hello world"))
    XCTAssertNil(request.head.headers["Expires"], "trailers are discarded")
  }

  func testAbsoluteFormAndAsteriskTargets() throws {
    let absolute = try XCTUnwrap(try parse("GET http://hub/x?y=1 HTTP/1.1\r\nHost: hub\r\n\r\n"))
    XCTAssertEqual(absolute.head.path, "/x")
    XCTAssertEqual(absolute.head.queryValue("y"), "1")
    let asterisk = try XCTUnwrap(try parse("OPTIONS * HTTP/1.1\r\nHost: hub\r\n\r\n"))
    XCTAssertEqual(asterisk.head.path, "*")
    XCTAssertEqual(rejection("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
  }

  func testLeadingEmptyLinesAreSkipped() throws {
    let request = try parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
    XCTAssertEqual(request?.head.path, "/")
  }

  func testKeepAliveRules() throws {
    let closing = try XCTUnwrap(try parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n"))
    XCTAssertFalse(closing.head.keepAlive)
    let old = try XCTUnwrap(try parse("GET / HTTP/1.0\r\n\r\n"))
    XCTAssertFalse(old.head.keepAlive)
    let oldKept = try XCTUnwrap(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
    XCTAssertTrue(oldKept.head.keepAlive)
  }

  func testMalformedRequestLinesAndVersions() {
    XCTAssertEqual(rejection("GET /\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTX/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505)
    XCTAssertEqual(rejection("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), 505)
    XCTAssertEqual(rejection("GET nopath HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
  }

  func testMalformedHeaders() {
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\n\r\n"), 400, "HTTP/1.1 needs Host")
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400, "space before colon")
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"), 400, "obs-fold")
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{01}b\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n"), 400)
  }

  func testBareLineFeedAndBareCarriageReturnAreRejected() {
    XCTAssertEqual(rejection("GET / HTTP/1.1\nHost: h\n\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\n\r\n"), 400)
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), 400)
  }

  func testPercentDecodingFailuresAre400() {
    XCTAssertEqual(rejection("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET /a%4 HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET /a% HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET /%C3%28 HTTP/1.1\r\nHost: h\r\n\r\n"), 400, "invalid UTF-8")
    XCTAssertEqual(rejection("GET /%FF HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
    XCTAssertEqual(rejection("GET /?q=%ZZ HTTP/1.1\r\nHost: h\r\n\r\n"), 400)
  }

  func testFramingThatCouldSmuggleIsRejected() {
    let both =
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
    XCTAssertEqual(rejection(both + "0\r\n\r\n"), 400)
    let differing =
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
    XCTAssertEqual(rejection(differing), 400)
    XCTAssertEqual(rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd"), 400)
    XCTAssertEqual(rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), 400)
    XCTAssertEqual(rejection("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc"), 400)
    let huge = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n"
    XCTAssertEqual(rejection(huge), 400)
    let oldChunked = "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    XCTAssertEqual(rejection(oldChunked), 400)
    let twice = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"
    XCTAssertEqual(rejection(twice), 400)
  }

  func testRepeatedEqualContentLengthsAreOne() throws {
    let input = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
    XCTAssertEqual(try parse(input)?.body, bytes("abc"))
  }

  func testUnknownTransferCodingIs501() {
    let gzip = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
    XCTAssertEqual(rejection(gzip), 501)
  }

  func testMalformedChunks() {
    let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    XCTAssertEqual(rejection(head + "x\r\n"), 400)
    XCTAssertEqual(rejection(head + "\r\n"), 400)
    XCTAssertEqual(rejection(head + "3\r\nabcd\r\n"), 400)
    XCTAssertEqual(rejection(head + "3\nabc\r\n0\r\n\r\n"), 400)
    XCTAssertEqual(rejection(head + "1000000000000000\r\n"), 400)
    XCTAssertEqual(rejection(head + "0\r\n bad trailer\r\n\r\n"), 400)
    let longTrailer = "0\r\nX: " + String(repeating: "a", count: 5000) + "\r\n\r\n"
    XCTAssertEqual(rejection(head + longTrailer), 431)
  }

  func testBodyLimits() {
    let declared = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"
    XCTAssertEqual(rejection(declared, maximumBodyBytes: 10), 413)
    XCTAssertNil(rejection(declared, maximumBodyBytes: 11))
    let chunked =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"
    XCTAssertEqual(rejection(chunked, maximumBodyBytes: 10), 413)
    XCTAssertNil(rejection(chunked, maximumBodyBytes: 11))
  }

  func testHeadLimits() {
    var parser = HTTPRequestParser(maximumHeadBytes: 64)
    parser.append(bytes("GET /" + String(repeating: "a", count: 100)))
    XCTAssertThrowsError(try parser.next()) { error in
      XCTAssertEqual((error as? HTTPParseError)?.status, .uriTooLong)
    }
    var headers = HTTPRequestParser(maximumHeadBytes: 64)
    headers.append(bytes("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "a", count: 60)))
    XCTAssertThrowsError(try headers.next()) { error in
      XCTAssertEqual((error as? HTTPParseError)?.status, .requestHeaderFieldsTooLarge)
    }
    let many = (0...HTTPRequestParser.maximumHeaderCount).map { "X-\($0): v\r\n" }.joined()
    XCTAssertEqual(rejection("GET / HTTP/1.1\r\nHost: h\r\n" + many + "\r\n"), 431)
  }

  func testHeadOfExactlyTheLimitIsAccepted() throws {
    let input = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    var exact = HTTPRequestParser(maximumHeadBytes: input.utf8.count)
    exact.append(bytes(input))
    guard case .request = try exact.next() else { return XCTFail("the head fits exactly") }
    var short = HTTPRequestParser(maximumHeadBytes: input.utf8.count - 1)
    short.append(bytes(input))
    XCTAssertThrowsError(try short.next())
  }

  /// A parsed head shares the parser's receive buffer: a head kept while the parser receives
  /// more (and compacts its buffer) must keep its own fields.
  func testAHeadKeptWhileMoreArrivesKeepsItsFields() throws {
    var parser = HTTPRequestParser()
    let padding = String(repeating: "p", count: 3000)
    parser.append(bytes("GET /a HTTP/1.1\r\nHost: h\r\nX-Which: first\r\n\r\nGET /b HT"))
    guard case .request(let first) = try parser.next() else { return XCTFail("the first request") }
    parser.append(bytes("TP/1.1\r\nHost: h\r\nX-Pad: \(padding)\r\nX-Which: second\r\n\r\n"))
    guard case .request(let second) = try parser.next() else {
      return XCTFail("the second request")
    }
    XCTAssertEqual(first.head.headers["X-Which"], "first")
    XCTAssertEqual(second.head.headers["X-Which"], "second")
    XCTAssertEqual(second.head.headers["X-Pad"], padding)
    XCTAssertEqual(first.head.path, "/a")
  }
}
