/// A request for `HTTPClientConnection` to send.
public struct HTTPClientRequest: Sendable {
  /// The request method.
  public var method: HTTPMethod
  /// The origin-form target, for example `/api/v1/readings?since=10`.
  public var target: String
  /// Header fields; `Host`, `Content-Length` and `Transfer-Encoding` are set by the connection.
  public var headers: HTTPHeaders
  /// The body; empty for none.
  public var body: [UInt8]
  /// Whether to send the body with the chunked transfer coding instead of a Content-Length.
  public var isChunked: Bool

  /// A request from its parts.
  public init(
    method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(),
    body: [UInt8] = [], isChunked: Bool = false
  ) {
    precondition(target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "a target is visible ASCII")
    self.method = method
    self.target = target
    self.headers = headers
    self.body = body
    self.isChunked = isChunked
  }

  /// The request on the wire, with `Host: host` and the body's framing.
  func serialized(host: String) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(128 + body.count)
    output.append(ascii: "\(method.name) \(target) HTTP/1.1\r\nHost: \(host)\r\n")
    output.append(writingAtMost: headers.fieldLinesMaximumCount, from: headers) { writer, headers in
      headers.writeFieldLines(to: &writer) { name in
        equalsIgnoringASCIICase(name, "Host".utf8)
          || equalsIgnoringASCIICase(name, "Content-Length".utf8)
          || equalsIgnoringASCIICase(name, "Transfer-Encoding".utf8)
      }
    }
    if isChunked {
      output.append(ascii: "Transfer-Encoding: chunked\r\n\r\n")
      ChunkedEncoder.appendChunkedBody(body, to: &output)
      return output
    }
    // Methods that define a body announce an empty one, so the server need not guess.
    if !body.isEmpty || method == .post || method == .put || method == .patch {
      output.append(ascii: "Content-Length: \(body.count)\r\n")
    }
    output.append(contentsOf: ASCII.crlf)
    output.append(contentsOf: body)
    return output
  }
}

/// A complete response received by `HTTPClientConnection`.
public struct HTTPClientResponse: Sendable {
  /// The status line's code and phrase, as sent.
  public var status: HTTPStatus
  /// The protocol version on the status line.
  public var version: HTTPVersion
  /// The header section.
  public var headers: HTTPHeaders
  /// The body, with any chunked framing removed; empty for HEAD, 204 and 304 responses.
  public var body: [UInt8]

  /// A response from its parts.
  public init(
    status: HTTPStatus, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
    body: [UInt8] = []
  ) {
    self.status = status
    self.version = version
    self.headers = headers
    self.body = body
  }
}

/// Limits for `HTTPClientConnection`.
public struct HTTPClientConfiguration: Sendable {
  /// The largest response head, status line and header section together.
  public var maximumResponseHeadBytes: Int
  /// The largest response body.
  public var maximumResponseBodyBytes: Int
  /// The most requests sent and not yet answered.
  public var maximumOutstandingRequests: Int

  /// A configuration; the defaults suit an appliance talking to its hub.
  public init(
    maximumResponseHeadBytes: Int = 16_384, maximumResponseBodyBytes: Int = 1_048_576,
    maximumOutstandingRequests: Int = 8
  ) {
    precondition(
      maximumResponseHeadBytes > 0 && maximumResponseBodyBytes >= 0
        && maximumOutstandingRequests > 0, "limits are positive")
    self.maximumResponseHeadBytes = maximumResponseHeadBytes
    self.maximumResponseBodyBytes = maximumResponseBodyBytes
    self.maximumOutstandingRequests = maximumOutstandingRequests
  }
}

/// Why a client connection cannot read a response. After any of these the connection is
/// unusable and must be closed.
public enum HTTPClientError: Error, Equatable, Sendable {
  /// The bytes are not a valid HTTP/1.1 response; the text says what is wrong.
  case malformedResponse(String)
  /// The response head is larger than `maximumResponseHeadBytes`.
  case responseHeadTooLarge
  /// The response body is larger than `maximumResponseBodyBytes`.
  case responseBodyTooLarge
  /// The server closed the connection before the response was complete.
  case unexpectedEndOfStream
  /// The server sent bytes when no request was waiting for them.
  case unsolicitedResponse
}
