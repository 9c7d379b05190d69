/// An incremental parser of responses (RFC 9112 §4, §6.3), used by `HTTPClientConnection`.
/// Interim (1xx) responses are skipped; the framing of a response depends on the method of the
/// request it answers, which the caller passes in.
struct HTTPResponseParser {
  private enum BodyFraming {
    case length(Int)
    case chunked
    case untilClose
  }

  private enum State {
    case head
    case body(HTTPClientResponse, BodyFraming, ChunkedDecoder)
  }

  private var buffer = HTTPMessageBuffer()
  private var state = State.head
  private let configuration: HTTPClientConfiguration

  init(configuration: HTTPClientConfiguration) {
    self.configuration = configuration
  }

  /// Whether bytes of an unfinished response have been received.
  var isInsideResponse: Bool {
    if case .head = state { return buffer.hasUnreadBytes }
    return true
  }

  mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
    buffer.append(bytes)
  }

  /// The next complete final response to a request with `method`, or nil if more bytes are
  /// needed.
  mutating func next(requestMethod method: HTTPMethod) throws(HTTPClientError)
    -> HTTPClientResponse?
  {
    do {
      while true {
        switch state {
        case .head:
          guard try parseHead(requestMethod: method) else { return nil }
        case .body(var response, let framing, var decoder):
          state = .head  // Avoids a copy of the body while it grows.
          guard try readBody(framing, into: &response.body, decoder: &decoder) else {
            state = .body(response, framing, decoder)
            return nil
          }
          return response
        }
      }
    } catch {
      throw HTTPResponseParser.clientError(error)
    }
  }

  /// The response that the end of the stream completes, if it was close-delimited.
  mutating func finish() throws(HTTPClientError) -> HTTPClientResponse {
    guard case .body(let response, .untilClose, _) = state else {
      throw .unexpectedEndOfStream
    }
    state = .head
    return response
  }

  private mutating func readBody(
    _ framing: BodyFraming, into body: inout [UInt8], decoder: inout ChunkedDecoder
  ) throws(HTTPParseError) -> Bool {
    let limit = configuration.maximumResponseBodyBytes
    switch framing {
    case .length(let length):
      return buffer.readBody(length: length, into: &body)
    case .chunked:
      return try buffer.readChunkedBody(into: &body, decoder: &decoder, maximumBytes: limit)
    case .untilClose:
      guard buffer.unread.count <= limit - body.count else {
        throw HTTPParseError(status: .payloadTooLarge, message: "the body is too large")
      }
      body.append(contentsOf: buffer.unread)
      buffer.consume(buffer.unread.count)
      return false
    }
  }

  /// Parses a head if one has arrived; false if more bytes are needed. An interim head is
  /// consumed and dropped; a final head starts the body.
  private mutating func parseHead(requestMethod method: HTTPMethod) throws(HTTPParseError) -> Bool {
    switch try buffer.takeHead(maximumBytes: configuration.maximumResponseHeadBytes) {
    case .incomplete:
      return false
    case .tooLarge:
      throw HTTPParseError(status: .requestHeaderFieldsTooLarge, message: "head too large")
    case .complete(let startLine, let fieldSection):
      let (version, status) = try parseStatusLine(startLine)
      let headers = try HTTPHeaders(
        parsing: buffer.received, fieldSection: fieldSection,
        maximumCount: HTTPRequestParser.maximumHeaderCount)
      if status.code < 200 {
        guard status.code != 101 else { throw .badRequest("unexpected 101 Switching Protocols") }
        return true  // Interim: the final response follows.
      }
      let response = HTTPClientResponse(status: status, version: version, headers: headers)
      let framing = try bodyFraming(of: response, requestMethod: method)
      state = .body(response, framing, ChunkedDecoder())
      return true
    }
  }

  /// How a response's body is delimited (RFC 9112 §6.3).
  private func bodyFraming(
    of response: HTTPClientResponse, requestMethod method: HTTPMethod
  ) throws(HTTPParseError) -> BodyFraming {
    if method == .head || !response.status.allowsBody { return .length(0) }
    let headers = response.headers
    if headers.contains(name: "Transfer-Encoding") {
      guard !headers.contains(name: "Content-Length"),
        headers.lowercasedListElements(for: "Transfer-Encoding") == ["chunked"]
      else { throw .badRequest("unsupported or ambiguous Transfer-Encoding") }
      return .chunked
    }
    guard let length = try contentLength(headers) else { return .untilClose }
    guard length <= configuration.maximumResponseBodyBytes else {
      throw HTTPParseError(status: .payloadTooLarge, message: "the body is too large")
    }
    return .length(length)
  }

  private static func clientError(_ error: HTTPParseError) -> HTTPClientError {
    switch error.status {
    case .payloadTooLarge: return .responseBodyTooLarge
    case .requestHeaderFieldsTooLarge, .uriTooLong: return .responseHeadTooLarge
    default: return .malformedResponse(error.message)
    }
  }
}

/// `HTTP-version SP status-code SP [ reason-phrase ]` (RFC 9112 §4); a missing final space is
/// tolerated.
private func parseStatusLine(
  _ line: ArraySlice<UInt8>
) throws(HTTPParseError) -> (HTTPVersion, HTTPStatus) {
  let start = line.startIndex
  guard line.count >= 12, let version = parseVersion(line[start..<(start + 8)]),
    version.major == 1, line[start + 8] == ASCII.space,
    let code = parseDecimal(line[(start + 9)..<(start + 12)], maximumDigits: 3), code >= 100,
    line.count == 12 || line[start + 12] == ASCII.space
  else { throw .badRequest("the status line is malformed") }
  let reason = line.dropFirst(13)
  guard reason.allSatisfy(isFieldValueByte) else {
    throw .badRequest("the reason phrase holds control bytes")
  }
  return (version, HTTPStatus(code: code, reasonPhrase: String(decoding: reason, as: UTF8.self)))
}
