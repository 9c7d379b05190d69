import Time

/// What a server connection wants done after an input: bytes to send, then maybe a close.
public struct HTTPServerOutput: Equatable, Sendable {
  /// Bytes to write to the peer, in order; possibly empty.
  public var bytes: [UInt8]
  /// Whether to close the connection once `bytes` are written.
  public var shouldClose: Bool

  /// An output from its parts.
  public init(bytes: [UInt8] = [], shouldClose: Bool = false) {
    self.bytes = bytes
    self.shouldClose = shouldClose
  }
}

/// The server side of one HTTP/1.1 connection, without I/O: the host passes in received bytes,
/// end of stream and the time, and sends and closes as the returned `HTTPServerOutput` says.
///
/// Connections are persistent by default in HTTP/1.1 (`Connection: close` is honoured) and in
/// HTTP/1.0 only on request. Pipelined requests are answered in order. After any error response
/// the connection closes, and the response says so with `Connection: close`. A connection idle
/// past `idleTimeout` closes silently; a request still arriving after `requestTimeout` is
/// answered with 408, then the connection closes. The host calls `handleDeadline` at `deadline`.
public struct HTTPServerConnection {
  /// The limits this connection enforces.
  public let configuration: HTTPServerConfiguration
  /// Whether the connection has closed; it then ignores input.
  public private(set) var isClosed = false

  private var parser: HTTPRequestParser
  /// When the first byte of the request in progress arrived, if one is in progress.
  private var requestStartedAt: Instant?
  /// When the connection last became idle (opened, or finished a response).
  private var idleSince: Instant
  /// The head of the request in progress, once parsed, so an error answers it properly.
  private var currentHead: HTTPRequestHead?

  /// A connection accepted at `now`.
  public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), now: Instant) {
    self.configuration = configuration
    parser = HTTPRequestParser(maximumHeadBytes: configuration.maximumHeadBytes)
    idleSince = now
  }

  /// When `handleDeadline` must be called: the request timeout while a request is arriving,
  /// else the idle timeout; nil once closed.
  public var deadline: Instant? {
    guard !isClosed else { return nil }
    if let start = requestStartedAt { return start + configuration.requestTimeout }
    return idleSince + configuration.idleTimeout
  }

  /// Takes bytes received at `now` and answers every request they complete.
  public mutating func receive<Responder: HTTPResponder>(
    _ bytes: [UInt8], now: Instant, responder: inout Responder
  ) -> HTTPServerOutput {
    if let refusal = refuseInput(now: now, &responder) { return refusal }
    parser.append(bytes)
    return answerNewInput(now: now, &responder)
  }

  /// Takes bytes received at `now` from the host's own buffer, without an intermediate array.
  public mutating func receive<Responder: HTTPResponder>(
    _ bytes: UnsafeRawBufferPointer, now: Instant, responder: inout Responder
  ) -> HTTPServerOutput {
    // Appending here, where the byte type is concrete, keeps the copy specialised even when
    // the responder type is only known at run time.
    if let refusal = refuseInput(now: now, &responder) { return refusal }
    parser.append(bytes)
    return answerNewInput(now: now, &responder)
  }

  /// The peer will send nothing more. Mid-request that is an error (400); between requests the
  /// connection simply closes.
  public mutating func receiveEndOfStream<Responder: HTTPResponder>(
    now: Instant, responder: inout Responder
  ) -> HTTPServerOutput {
    guard !isClosed else { return HTTPServerOutput(shouldClose: true) }
    guard parser.isInsideRequest else { return close() }
    return fail(.badRequest("the connection ended inside a request"), output: [], &responder)
  }

  /// Enforces the timeouts at `now`: 408 and close for an overdue request, a silent close for
  /// an idle connection, nothing before the deadline.
  public mutating func handleDeadline<Responder: HTTPResponder>(
    now: Instant, responder: inout Responder
  ) -> HTTPServerOutput {
    guard let deadline, now >= deadline else { return HTTPServerOutput() }
    guard requestStartedAt != nil else { return close() }
    return fail(timeoutError, output: [], &responder)
  }

  private var timeoutError: HTTPParseError {
    HTTPParseError(
      status: .requestTimeout,
      message: "the request did not arrive within \(configuration.requestTimeout)")
  }

  /// The answer to input that must not be parsed: on a closed connection, or for a request
  /// already past its timeout (408). Nil if the input is welcome.
  private mutating func refuseInput<Responder: HTTPResponder>(
    now: Instant, _ responder: inout Responder
  ) -> HTTPServerOutput? {
    guard !isClosed else { return HTTPServerOutput(shouldClose: true) }
    if let start = requestStartedAt, now >= start + configuration.requestTimeout {
      return fail(timeoutError, output: [], &responder)
    }
    return nil
  }

  /// Starts the request clock if the appended input began a request, and answers what it
  /// completed.
  private mutating func answerNewInput<Responder: HTTPResponder>(
    now: Instant, _ responder: inout Responder
  ) -> HTTPServerOutput {
    if requestStartedAt == nil, parser.isInsideRequest { requestStartedAt = now }
    return answerRequests(now: now, &responder)
  }

  /// Parses and answers requests until the buffered bytes hold no complete one.
  private mutating func answerRequests<Responder: HTTPResponder>(
    now: Instant, _ responder: inout Responder
  ) -> HTTPServerOutput {
    var output: [UInt8] = []
    var answered = 0
    while true {
      let event: HTTPRequestParser.Event?
      do {
        event = try parser.next()
        if case .head(let head) = event {
          currentHead = head
          try startBody(of: head, responder: responder, output: &output)
        }
      } catch {
        return fail(error, output: output, &responder)
      }
      switch event {
      case nil:
        return HTTPServerOutput(bytes: output)
      case .head:
        continue
      case .request(let request):
        answered += 1
        guard answered <= configuration.maximumPipelinedRequests else {
          let error = HTTPParseError(
            status: .serviceUnavailable, message: "too many pipelined requests at once")
          return fail(error, output: output, &responder)
        }
        let keepAlive = answer(request, now: now, &responder, output: &output)
        guard keepAlive else { return close(sending: output) }
      }
    }
  }

  /// Appends the responder's answer to `request`; returns whether the connection stays open.
  private mutating func answer<Responder: HTTPResponder>(
    _ request: HTTPRequest, now: Instant, _ responder: inout Responder, output: inout [UInt8]
  ) -> Bool {
    let response = responder.respond(to: request, now: now)
    let keepAlive = request.head.keepAlive && !response.closesConnection
    let bytes = response.serialized(
      forRequestMethod: request.head.method, keepAlive: keepAlive,
      requestVersion: request.head.version)
    // The first answer is the output as it is: a large body is not copied once more.
    if output.isEmpty { output = bytes } else { output += bytes }
    currentHead = nil
    idleSince = now
    requestStartedAt = parser.isInsideRequest ? now : nil
    return keepAlive
  }

  /// Applies the responder's body limit (if a body is coming) and answers `Expect`
  /// (RFC 9110 §10.1.1): `100 Continue` if a body is coming and fits; a declared length over the
  /// limit fails with 413 at once.
  private mutating func startBody<Responder: HTTPResponder>(
    of head: HTTPRequestHead, responder: Responder, output: inout [UInt8]
  ) throws(HTTPParseError) {
    var expectsContinue = false
    if let expectation = head.headers["Expect"], head.version >= .http1_1 {
      guard equalsIgnoringASCIICase(expectation.utf8, "100-continue".utf8) else {
        throw HTTPParseError(
          status: .expectationFailed, message: "only 'Expect: 100-continue' is supported")
      }
      expectsContinue = true
    }
    let framing = parser.declaredBodyFraming
    // A request without a body needs no limit, and asking would cost a second routing.
    let hasBody = framing != .length(0)
    try parser.startBody(maximumBytes: hasBody ? responder.maximumBodyBytes(for: head) : 0)
    if expectsContinue, hasBody {
      output.append(ascii: "HTTP/1.1 100 Continue\r\n\r\n")
    }
  }

  /// Sends the responder's rendering of `error` after `output`, then closes.
  private mutating func fail<Responder: HTTPResponder>(
    _ error: HTTPParseError, output: [UInt8], _ responder: inout Responder
  ) -> HTTPServerOutput {
    let response = responder.errorResponse(status: error.status, message: error.message)
    let bytes = response.serialized(
      forRequestMethod: currentHead?.method ?? .get, keepAlive: false,
      requestVersion: currentHead?.version ?? .http1_1)
    return close(sending: output + bytes)
  }

  private mutating func close(sending bytes: [UInt8] = []) -> HTTPServerOutput {
    isClosed = true
    requestStartedAt = nil
    return HTTPServerOutput(bytes: bytes, shouldClose: true)
  }
}
