/// A response for the server to send: status, headers and the whole body.
///
/// The serializer owns the framing headers: any `Content-Length`, `Transfer-Encoding` or
/// `Connection` set here is replaced by what the body and the connection actually need.
public struct HTTPResponse: Sendable {
  /// The status line's code and phrase.
  public var status: HTTPStatus
  /// Header fields other than framing (see the type's documentation).
  public var headers: HTTPHeaders
  /// The content; ignored for statuses that carry none (1xx, 204, 304).
  public var body: [UInt8]
  /// Whether to send the body with the chunked transfer coding instead of a Content-Length.
  /// HTTP/1.0 clients get a Content-Length regardless, since they do not know chunked.
  public var isChunked: Bool

  /// A response from its parts.
  public init(
    status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
    isChunked: Bool = false
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.isChunked = isChunked
  }

  /// Whether the responder asked to close the connection after this response.
  public var closesConnection: Bool {
    headers.containsToken("close", in: "Connection")
  }

  /// The response on the wire, for a request with `method` and `requestVersion`.
  ///
  /// Adds `Content-Length` (or `Transfer-Encoding: chunked`) unless the status has no body,
  /// `Connection: close` when `keepAlive` is false, and `Connection: keep-alive` for an HTTP/1.0
  /// client that stays connected. A response to HEAD has the headers the GET response would
  /// have, including its Content-Length, but no body (RFC 9110 §9.3.2).
  public func serialized(
    forRequestMethod method: HTTPMethod, keepAlive: Bool,
    requestVersion: HTTPVersion = .http1_1
  ) -> [UInt8] {
    let chunked = isChunked && requestVersion >= .http1_1
    var output: [UInt8] = []
    output.reserveCapacity(128 + body.count)
    output.append(ascii: "HTTP/1.1 ")
    output.append(decimal: status.code)
    output.append(ascii: " ")
    output.append(ascii: status.reasonPhrase)
    output.append(contentsOf: ASCII.crlf)
    for field in headers where !HTTPResponse.isFramingField(field.name) {
      output.append(ascii: field.name)
      output.append(ascii: ": ")
      output.append(ascii: field.value)
      output.append(contentsOf: ASCII.crlf)
    }
    if status.allowsBody {
      if chunked {
        output.append(ascii: "Transfer-Encoding: chunked\r\n")
      } else {
        output.append(ascii: "Content-Length: ")
        output.append(decimal: body.count)
        output.append(contentsOf: ASCII.crlf)
      }
    }
    if !keepAlive {
      output.append(ascii: "Connection: close\r\n")
    } else if requestVersion < .http1_1 {
      output.append(ascii: "Connection: keep-alive\r\n")
    }
    output.append(contentsOf: ASCII.crlf)
    guard status.allowsBody, method != .head else { return output }
    if chunked {
      ChunkedEncoder.appendChunkedBody(body, to: &output)
    } else {
      output.append(contentsOf: body)
    }
    return output
  }

  /// Whether a field called `name` is one the serializer owns.
  private static func isFramingField(_ name: String) -> Bool {
    equalsIgnoringASCIICase(name.utf8, "Content-Length".utf8)
      || equalsIgnoringASCIICase(name.utf8, "Transfer-Encoding".utf8)
      || equalsIgnoringASCIICase(name.utf8, "Connection".utf8)
  }
}
