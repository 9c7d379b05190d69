import HTTP
import Time
import XCTest

final class HTTPClientTests: XCTestCase {
  /// A client and a server connected in memory.
  private struct ConnectionPair {
    var client = HTTPClientConnection()
    var server = HTTPServerConnection(now: .zero)
    var responder = EchoResponder()

    /// Sends `request` and returns the client's view of the answer, feeding bytes one at a time
    /// in both directions when `byteByByte`.
    mutating func exchange(
      _ request: HTTPClientRequest, byteByByte: Bool = false
    ) throws -> HTTPClientResponse? {
      let requestBytes = client.send(request, host: "hub.local")
      var answer: [UInt8] = []
      for piece in pieces(requestBytes, byteByByte) {
        answer += server.receive(piece, now: .zero, responder: &responder).bytes
      }
      var response: HTTPClientResponse?
      for piece in pieces(answer, byteByByte) where response == nil {
        response = try client.receive(piece)
      }
      return response
    }

    private func pieces(_ bytes: [UInt8], _ byteByByte: Bool) -> [[UInt8]] {
      byteByByte ? bytes.map { [$0] } : [bytes]
    }
  }

  func testGoldenRequestBytes() {
    var client = HTTPClientConnection()
    let request = HTTPClientRequest(
      method: .post, target: "/api/v1/readings",
      headers: ["Content-Type": "application/json", "Host": "ignored"], body: bytes("{}"))
    XCTAssertEqual(
      text(client.send(request, host: "hub.local:8080")),
      "POST /api/v1/readings HTTP/1.1\r\nHost: hub.local:8080\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    let chunked = HTTPClientRequest(method: .put, target: "/x", body: bytes("abc"), isChunked: true)
    XCTAssertEqual(
      text(client.send(chunked, host: "h")),
      "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    XCTAssertEqual(
      text(client.send(HTTPClientRequest(method: .get, target: "/"), host: "h")),
      "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    XCTAssertEqual(client.outstandingRequests, 3)
  }

  func testClientAgainstServer() throws {
    for byteByByte in [false, true] {
      var pair = ConnectionPair()
      let post = HTTPClientRequest(method: .post, target: "/r?x=1", body: bytes("hello"))
      let response = try XCTUnwrap(try pair.exchange(post, byteByByte: byteByByte))
      XCTAssertEqual(response.status, .ok)
      XCTAssertEqual(text(response.body), "POST /r?x=1 hello")
      XCTAssertEqual(response.headers["Content-Type"], "text/plain")
      XCTAssertTrue(pair.client.isReusable)
      XCTAssertEqual(pair.responder.requests.first?.head.headers["Host"], "hub.local")
    }
  }

  func testChunkedBothWays() throws {
    var pair = ConnectionPair()
    let body = [UInt8](repeating: UInt8(ascii: "z"), count: 900)
    pair.responder.maximumBody = 1000
    let request = HTTPClientRequest(method: .post, target: "/c", body: body, isChunked: true)
    let requestBytes = pair.client.send(request, host: "h")
    _ = pair.server.receive(requestBytes, now: .zero, responder: &pair.responder)
    XCTAssertEqual(pair.responder.requests.first?.body, body)
    let chunkedAnswer = HTTPResponse(status: .ok, body: body, isChunked: true)
    let answerBytes = chunkedAnswer.serialized(forRequestMethod: .post, keepAlive: true)
    XCTAssertNil(try pair.client.receive(Array(answerBytes.dropLast(3))))
    let response = try XCTUnwrap(try pair.client.receive(Array(answerBytes.suffix(3))))
    XCTAssertEqual(response.body, body)
    XCTAssertTrue(pair.client.isReusable)
  }

  func testHeadResponseHasNoBody() throws {
    var pair = ConnectionPair()
    let response = try XCTUnwrap(try pair.exchange(HTTPClientRequest(method: .head, target: "/")))
    XCTAssertEqual(response.headers["Content-Length"], "7")
    XCTAssertEqual(response.body, [])
    XCTAssertTrue(pair.client.isReusable)
  }

  func testServerCloseMakesTheClientNotReusable() throws {
    var pair = ConnectionPair()
    let request = HTTPClientRequest(method: .get, target: "/", headers: ["Connection": "close"])
    let response = try XCTUnwrap(try pair.exchange(request))
    XCTAssertEqual(response.status, .ok)
    XCTAssertFalse(pair.client.isReusable)
  }

  func testCloseDelimitedBody() throws {
    var client = HTTPClientConnection()
    _ = client.send(HTTPClientRequest(method: .get, target: "/"), host: "h")
    XCTAssertNil(try client.receive(bytes("HTTP/1.0 200 OK\r\nX: y\r\n\r\npart one, ")))
    XCTAssertNil(try client.receive(bytes("part two")))
    XCTAssertTrue(!client.isReusable)
    let response = try XCTUnwrap(try client.receiveEndOfStream())
    XCTAssertEqual(text(response.body), "part one, part two")
    XCTAssertEqual(response.version, .http1_0)
    XCTAssertFalse(client.isReusable)
  }

  func testInterimResponsesAreSkipped() throws {
    var client = HTTPClientConnection()
    _ = client.send(HTTPClientRequest(method: .post, target: "/", body: bytes("x")), host: "h")
    let input = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    let response = try XCTUnwrap(try client.receive(bytes(input)))
    XCTAssertEqual(response.status, .noContent)
    XCTAssertTrue(client.isReusable)
  }

  func testPipelinedResponsesComeOutOneAtATime() throws {
    var client = HTTPClientConnection()
    _ = client.send(HTTPClientRequest(method: .get, target: "/1"), host: "h")
    _ = client.send(HTTPClientRequest(method: .get, target: "/2"), host: "h")
    let input =
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
      + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nB\r\n0\r\n\r\n"
    XCTAssertEqual(try client.receive(bytes(input))?.body, bytes("A"))
    XCTAssertFalse(client.isReusable, "a response is still outstanding")
    XCTAssertEqual(try client.receive([])?.body, bytes("B"))
    XCTAssertTrue(client.isReusable)
  }

  func testClientErrors() {
    func failure(
      _ input: String, method: HTTPMethod = .get,
      configuration: HTTPClientConfiguration = HTTPClientConfiguration()
    ) -> HTTPClientError? {
      var client = HTTPClientConnection(configuration: configuration)
      _ = client.send(HTTPClientRequest(method: method, target: "/"), host: "h")
      do {
        _ = try client.receive(bytes(input))
        _ = try client.receiveEndOfStream()
        return nil
      } catch {
        XCTAssertThrowsError(try client.receive([]), "a failed connection stays failed")
        return error
      }
    }
    let small = HTTPClientConfiguration(maximumResponseHeadBytes: 64, maximumResponseBodyBytes: 4)
    XCTAssertEqual(
      failure(
        "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 80),
        configuration: small), .responseHeadTooLarge)
    XCTAssertEqual(
      failure("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", configuration: small),
      .responseBodyTooLarge)
    XCTAssertEqual(
      failure("HTTP/1.1 200 OK\r\n\r\nabcde", configuration: small),
      .responseBodyTooLarge)
    XCTAssertEqual(
      failure("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"),
      .unexpectedEndOfStream)
    XCTAssertEqual(failure(""), .unexpectedEndOfStream)
    if case .malformedResponse = failure("HTTP/1.1 2x0 OK\r\n\r\n") {
    } else {
      XCTFail("a bad status code is malformed")
    }
    if case .malformedResponse = failure("HTTP/1.1 200 OK\nContent-Length: 0\n\n") {
    } else {
      XCTFail("bare LF is malformed")
    }
    var unsolicited = HTTPClientConnection()
    XCTAssertThrowsError(try unsolicited.receive(bytes("HTTP/1.1 200 OK\r\n\r\n"))) { error in
      XCTAssertEqual(error as? HTTPClientError, .unsolicitedResponse)
    }
  }

  func testResponseSplitAtEveryOffset() throws {
    let input = bytes(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n")
    for offset in 0...input.count {
      var client = HTTPClientConnection()
      _ = client.send(HTTPClientRequest(method: .post, target: "/"), host: "h")
      let first = try client.receive(Array(input[..<offset]))
      let response = try XCTUnwrap(first ?? client.receive(Array(input[offset...])))
      XCTAssertEqual(text(response.body), "Wikipedia", "split at \(offset)")
      XCTAssertTrue(client.isReusable)
    }
  }
}
