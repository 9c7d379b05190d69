/// An incremental HTTP/1.1 request parser (RFC 9112): feed it bytes as they arrive and take
/// heads and complete requests out of it.
///
/// A request without a body (most of them) comes out of `next()` whole, as `.request`, as soon as
/// its head is in. For one with a body, parsing happens in two steps so that the owner can choose
/// a body limit per route: `next()` returns `.head` once the head is complete; the owner then
/// calls `startBody(maximumBytes:)` (which rejects a declared length over the limit with 413
/// before any body byte is read), and later `next()` calls return `.request` once the body is
/// complete.
///
/// Framing rules, all in the name of never disagreeing with another parser about where a
/// request ends: Content-Length together with Transfer-Encoding is rejected; so are differing
/// Content-Lengths, Transfer-Encoding in HTTP/1.0, and any transfer coding but a single
/// `chunked` (501 for codings Loam does not implement). After a thrown error the parser's state
/// is undefined: the connection must close, as nothing after bad framing can be trusted.
public struct HTTPRequestParser {
  /// The most field lines in a head.
  public static let maximumHeaderCount = 100

  /// What `next()` found.
  public enum Event: Sendable {
    /// The complete head of a request with a body; call `startBody(maximumBytes:)` before the
    /// next `next()`.
    case head(HTTPRequestHead)
    /// A complete request: head and body.
    case request(HTTPRequest)
  }

  /// How the current request's body is delimited.
  enum BodyFraming: Equatable {
    case length(Int)
    case chunked
  }

  private enum State {
    case head
    case awaitingBodyLimit(HTTPRequestHead, BodyFraming)
    case body(HTTPRequestHead, BodyFraming, maximumBytes: Int, body: [UInt8], ChunkedDecoder)
  }

  private var buffer = HTTPMessageBuffer()
  private var state = State.head
  /// The largest head accepted, request line and header section together.
  public let maximumHeadBytes: Int

  /// A parser accepting heads of at most `maximumHeadBytes` bytes.
  public init(maximumHeadBytes: Int = 16_384) {
    precondition(maximumHeadBytes > 0, "a head has at least one byte")
    self.maximumHeadBytes = maximumHeadBytes
  }

  /// Adds received bytes.
  public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
    buffer.append(bytes)
  }

  /// Whether bytes of a request not yet returned have been received (or a head is waiting for
  /// its body): the connection is in the middle of a request.
  public var isInsideRequest: Bool {
    if case .head = state { return buffer.hasUnreadBytes }
    return true
  }

  /// The next head or complete request, or nil if more bytes are needed.
  public mutating func next() throws(HTTPParseError) -> Event? {
    switch state {
    case .head:
      return try parseHead()
    case .awaitingBodyLimit:
      preconditionFailure("call startBody(maximumBytes:) after a head")
    case .body(let head, let framing, let maximumBytes, var body, var decoder):
      state = .head  // Avoids a copy of `body` while it grows.
      let finished = try readBody(
        framing, maximumBytes: maximumBytes, into: &body, decoder: &decoder)
      guard finished else {
        state = .body(head, framing, maximumBytes: maximumBytes, body: body, decoder)
        return nil
      }
      return .request(HTTPRequest(head: head, body: body))
    }
  }

  /// Sets the current request's body limit, rejecting a declared length over it with 413.
  public mutating func startBody(maximumBytes: Int) throws(HTTPParseError) {
    precondition(maximumBytes >= 0, "a body limit is not negative")
    switch state {
    case .awaitingBodyLimit(let head, let framing):
      if case .length(let length) = framing, length > maximumBytes {
        throw HTTPParseError(
          status: .payloadTooLarge,
          message: "the body is \(length) bytes; this resource accepts at most \(maximumBytes)")
      }
      state = .body(head, framing, maximumBytes: maximumBytes, body: [], ChunkedDecoder())
    case .head, .body:
      preconditionFailure("startBody(maximumBytes:) follows a head")
    }
  }

  /// Moves body bytes from the buffer into `body`; true once the body is complete.
  private mutating func readBody(
    _ framing: BodyFraming, maximumBytes: Int, into body: inout [UInt8],
    decoder: inout ChunkedDecoder
  ) throws(HTTPParseError) -> Bool {
    switch framing {
    case .length(let length):
      return buffer.readBody(length: length, into: &body)
    case .chunked:
      return try buffer.readChunkedBody(into: &body, decoder: &decoder, maximumBytes: maximumBytes)
    }
  }

  /// Parses the next head if it has fully arrived, and decides its body's framing: the whole
  /// request if it has no body, else its head.
  private mutating func parseHead() throws(HTTPParseError) -> Event? {
    switch try buffer.takeHead(maximumBytes: maximumHeadBytes) {
    case .incomplete:
      return nil
    case .tooLarge(let firstLineComplete):
      if firstLineComplete {
        throw HTTPParseError(
          status: .requestHeaderFieldsTooLarge,
          message: "the request head is longer than \(maximumHeadBytes) bytes")
      }
      throw HTTPParseError(
        status: .uriTooLong, message: "the request line is longer than \(maximumHeadBytes) bytes")
    case .complete(let startLine, let fieldSection):
      let (method, target, version) = try parseRequestLine(startLine)
      let headers = try HTTPHeaders(
        parsing: buffer.received, fieldSection: fieldSection,
        maximumCount: HTTPRequestParser.maximumHeaderCount)
      let head = try HTTPRequestHead(
        method: method, targetBytes: target, version: version, headers: headers)
      try checkHost(head)
      let framing = try bodyFraming(of: head)
      try checkExpectation(head)
      guard framing != .length(0) else { return .request(HTTPRequest(head: head)) }
      state = .awaitingBodyLimit(head, framing)
      return .head(head)
    }
  }
}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
private func parseRequestLine(
  _ line: ArraySlice<UInt8>
) throws(HTTPParseError) -> (HTTPMethod, ArraySlice<UInt8>, HTTPVersion) {
  guard let methodEnd = line.firstIndex(of: ASCII.space),
    let targetEnd = line[(methodEnd + 1)...].firstIndex(of: ASCII.space)
  else { throw .badRequest("the request line is not 'method target version'") }
  let methodName = line[..<methodEnd]
  let target = line[(methodEnd + 1)..<targetEnd]
  let versionText = line[(targetEnd + 1)...]
  guard isToken(methodName), !target.isEmpty, !versionText.contains(ASCII.space) else {
    throw .badRequest("the request line is not 'method target version'")
  }
  guard let version = parseVersion(versionText) else {
    throw .badRequest("the HTTP version is malformed")
  }
  guard version.major == 1, version.minor <= 1 else {
    throw HTTPParseError(
      status: .httpVersionNotSupported, message: "\(version) is not supported; use HTTP/1.1")
  }
  return (HTTPMethod(bytes: methodName), target, version)
}

/// `HTTP/d.d`, or nil (RFC 9112 §2.3).
func parseVersion(_ bytes: ArraySlice<UInt8>) -> HTTPVersion? {
  guard bytes.count == 8 else { return nil }
  let start = bytes.startIndex
  guard bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
    bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
    bytes[start + 4] == UInt8(ascii: "/"), bytes[start + 6] == UInt8(ascii: "."),
    let major = decimalDigitValue(bytes[start + 5]),
    let minor = decimalDigitValue(bytes[start + 7])
  else { return nil }
  return HTTPVersion(major: major, minor: minor)
}

/// The value of a decimal digit, or nil.
private func decimalDigitValue(_ byte: UInt8) -> Int? {
  byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
}

/// An HTTP/1.1 request must carry exactly one Host (RFC 9112 §3.2).
private func checkHost(_ head: HTTPRequestHead) throws(HTTPParseError) {
  let hosts = head.headers.count(of: "Host")
  if hosts > 1 || (hosts == 0 && head.version >= .http1_1) {
    throw .badRequest("an HTTP/1.1 request needs exactly one Host header")
  }
}

/// The only expectation defined is `100-continue` (RFC 9110 §10.1.1); any other is refused
/// with 417. HTTP/1.0 has no expectations, so there the field is ignored.
private func checkExpectation(_ head: HTTPRequestHead) throws(HTTPParseError) {
  guard head.version >= .http1_1, let expectation = head.headers.firstValueBytes(named: "Expect"),
    !equalsIgnoringASCIICase(expectation, "100-continue".utf8)
  else { return }
  throw HTTPParseError(
    status: .expectationFailed, message: "only 'Expect: 100-continue' is supported")
}

/// How the body of `head` is delimited (RFC 9112 §6.3), rejecting ambiguous framing.
private func bodyFraming(
  of head: HTTPRequestHead
) throws(HTTPParseError) -> HTTPRequestParser.BodyFraming {
  let headers = head.headers
  if headers.contains(name: "Transfer-Encoding") {
    guard !headers.contains(name: "Content-Length") else {
      throw .badRequest("Content-Length and Transfer-Encoding together are ambiguous")
    }
    guard head.version >= .http1_1 else {
      throw .badRequest("Transfer-Encoding is not defined in HTTP/1.0")
    }
    let codings = headers.lowercasedListElements(for: "Transfer-Encoding")
    guard codings.allSatisfy({ $0 == "chunked" }) else {
      throw HTTPParseError(
        status: .notImplemented, message: "only the chunked transfer coding is implemented")
    }
    guard codings.count == 1 else { throw .badRequest("the chunked coding is applied twice") }
    return .chunked
  }
  guard let length = try contentLength(headers) else { return .length(0) }
  return .length(length)
}

/// The Content-Length, or nil without one. Repeats of one value are accepted as one
/// (RFC 9110 §8.6); differing values are an error.
func contentLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int? {
  var length: Int? = nil
  for value in headers.valueBytes(for: "Content-Length") {
    for element in value.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
      guard let parsed = parseDecimal(trimmingWhitespace(element), maximumDigits: 15) else {
        throw .badRequest("Content-Length is not a number")
      }
      guard length == nil || length == parsed else {
        throw .badRequest("Content-Length values differ")
      }
      length = parsed
    }
  }
  return length
}
