import HTTP
import XCTest

final class HTTPResponseTests: XCTestCase {
  func testGoldenSerialization() {
    var headers: HTTPHeaders = ["Content-Type": "text/plain", "Content-Length": "999"]
    headers.add(name: "Connection", value: "upgrade")
    let response = HTTPResponse(status: .created, headers: headers, body: bytes("made"))
    XCTAssertEqual(
      text(response.serialized(forRequestMethod: .post, keepAlive: true)),
      "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nmade",
      "framing headers are the serializer's own")
    XCTAssertEqual(
      text(response.serialized(forRequestMethod: .post, keepAlive: false)),
      "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
        + "Connection: close\r\n\r\nmade")
  }

  func testHeadKeepsContentLengthButNoBody() {
    let response = HTTPResponse(status: .ok, body: bytes("twelve bytes"))
    XCTAssertEqual(
      text(response.serialized(forRequestMethod: .head, keepAlive: true)),
      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
  }

  func testStatusesWithoutBody() {
    for status in [HTTPStatus.noContent, .notModified, .continue] {
      let response = HTTPResponse(status: status, body: bytes("ignored"))
      XCTAssertEqual(
        text(response.serialized(forRequestMethod: .get, keepAlive: true)),
        "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n\r\n")
    }
  }

  func testChunkedSerialization() {
    let body = [UInt8](repeating: UInt8(ascii: "x"), count: 16_384 + 26)
    let response = HTTPResponse(status: .ok, body: body, isChunked: true)
    let expected =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000\r\n"
      + String(repeating: "x", count: 16_384) + "\r\n1a\r\n" + String(repeating: "x", count: 26)
      + "\r\n0\r\n\r\n"
    XCTAssertEqual(text(response.serialized(forRequestMethod: .get, keepAlive: true)), expected)
    let empty = HTTPResponse(status: .ok, isChunked: true)
    XCTAssertEqual(
      text(empty.serialized(forRequestMethod: .get, keepAlive: true)),
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
  }

  func testHTTP10ClientsGetContentLengthAndKeepAlive() {
    let response = HTTPResponse(status: .ok, body: bytes("ok"), isChunked: true)
    XCTAssertEqual(
      text(response.serialized(forRequestMethod: .get, keepAlive: true, requestVersion: .http1_0)),
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
  }

  func testStatusEqualityIgnoresThePhrase() {
    XCTAssertEqual(HTTPStatus(code: 404, reasonPhrase: "Nope"), .notFound)
    XCTAssertEqual(HTTPStatus.payloadTooLarge.code, 413)
    XCTAssertEqual(HTTPStatus.uriTooLong.reasonPhrase, "URI Too Long")
    XCTAssertEqual(HTTPStatus(code: 299).reasonPhrase, "")
  }

  func testHeadersLookupAndReplace() {
    var headers: HTTPHeaders = ["A": "1", "b": "2"]
    headers.add(name: "a", value: "3")
    XCTAssertEqual(headers["a"], "1")
    XCTAssertEqual(headers.values(for: "A"), ["1", "3"])
    headers.replaceOrAdd(name: "A", value: "4")
    XCTAssertEqual(headers.values(for: "a"), ["4"])
    headers.replaceOrAdd(name: "C", value: "5")
    XCTAssertEqual(headers.map { $0.name }, ["A", "b", "C"])
    headers.remove(name: "B")
    XCTAssertFalse(headers.contains(name: "b"))
    headers.add(name: "Connection", value: "Keep-Alive, Upgrade")
    XCTAssertTrue(headers.containsToken("upgrade", in: "connection"))
    XCTAssertFalse(headers.containsToken("close", in: "connection"))
  }

  func testMethodNames() {
    XCTAssertEqual(HTTPMethod("GET"), .get)
    XCTAssertEqual(HTTPMethod("PROPFIND"), .other("PROPFIND"))
    XCTAssertEqual(HTTPMethod("get"), .other("get"), "methods are case-sensitive")
    XCTAssertEqual(HTTPMethod.patch.name, "PATCH")
  }
}
