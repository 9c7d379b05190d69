import Time

/// What a server connection wants done after an input: bytes to send, then maybe a close.
public struct HTTPServerOutput: Equatable, Sendable {
  /// Bytes to write to the peer, in order; possibly empty.
  public var bytes: [UInt8]
  /// Whether to close the connection once `bytes` are written.
  public var shouldClose: Bool
  /// Whether a streamed body is still being sent after `bytes`: the host asks for it with
  /// `HTTPServerConnection.nextBodyPiece` as its output drains.
  public var isBodyPending: Bool

  /// An output from its parts.
  public init(bytes: [UInt8] = [], shouldClose: Bool = false, isBodyPending: Bool = false) {
    self.bytes = bytes
    self.shouldClose = shouldClose
    self.isBodyPending = isBodyPending
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
///
/// Streamed bodies: a response with a `streamedBody` is sent as its head at once and then its
/// body in pieces the host asks for with `nextBodyPiece`, as its output drains, while
/// `isSendingBody` is true (outputs say so with `isBodyPending`). Meanwhile received bytes are
/// buffered but not answered: pipelined requests wait for the body's last piece, whose output
/// carries their answers. The request timeout does not run while a body is sent; the idle
/// timeout does, restarted by every piece, so a peer that stops reading is let go. The end of
/// the peer's stream takes effect once the body is sent.
public struct HTTPServerConnection {
  /// The limits this connection enforces.
  public let configuration: HTTPServerConfiguration
  /// Whether the connection has closed; it then ignores input.
  public private(set) var isClosed = false {
    didSet { noteDeadline() }
  }
  /// Whether a streamed body is part-way through being sent (see the type's documentation).
  public private(set) var isSendingBody = false
  /// When `handleDeadline` must be called: the request timeout while a request is arriving,
  /// else the idle timeout; nil once closed.
  ///
  /// This and `isSendingBody` are kept up to date as the state they follow changes, rather
  /// than computed when asked: hosts ask them of every connection on every pass, and a stored
  /// property is read in place where a computed one is a call passed a copy of the connection.
  public private(set) var deadline: Instant?

  private var parser: HTTPRequestParser
  /// When the first byte of the request in progress arrived, if one is in progress.
  private var requestStartedAt: Instant? {
    didSet { noteDeadline() }
  }
  /// When the connection last became idle (opened, or finished a response).
  private var idleSince: Instant {
    didSet { noteDeadline() }
  }
  /// The method and version of the request in progress, once its head is parsed, so that an
  /// error answers it properly.
  private var currentRequest: (method: HTTPMethod, version: HTTPVersion)?
  /// The streamed body being sent, if any.
  private var bodyInProgress: BodyInProgress? {
    didSet {
      isSendingBody = bodyInProgress != nil
      noteDeadline()
    }
  }
  /// The peer ended its stream while a body was being sent.
  private var peerEndedDuringBody = false
  /// The memory the last answers were written into, kept to write the next ones into: once
  /// the host has sent and dropped its copy, it is reused rather than allocated again for every
  /// response. Only a small buffer is kept, so that an idle connection holds little.
  private var outputBuffer: [UInt8] = []
  /// The most capacity `outputBuffer` keeps.
  static let maximumKeptOutputCapacity = 4096

  /// A streamed body part-way through being sent.
  private struct BodyInProgress {
    var source: HTTPBodySource
    /// Bytes of the body produced so far.
    var produced = 0
    var isChunked: Bool
    /// Whether the connection stays open after the body.
    var keepAlive: Bool
  }

  /// A connection accepted at `now`.
  public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), now: Instant) {
    self.configuration = configuration
    parser = HTTPRequestParser(maximumHeadBytes: configuration.maximumHeadBytes)
    idleSince = now
    noteDeadline()
  }

  /// Recomputes `deadline` after what it depends on changed.
  private mutating func noteDeadline() {
    if isClosed {
      deadline = nil
    } else if !isSendingBody, let start = requestStartedAt {
      deadline = start + configuration.requestTimeout
    } else {
      deadline = idleSince + configuration.idleTimeout
    }
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
    guard !isSendingBody else {
      peerEndedDuringBody = true
      return HTTPServerOutput(isBodyPending: true)
    }
    return endStream(after: [], &responder)
  }

  /// The next piece of the streamed body being sent, at most `maximumBytes` of it (chunk
  /// framing aside), produced at `now`. The last piece's output also answers the requests that
  /// arrived meanwhile, and closes if the response or the peer asked for that. Without a body
  /// in progress the output is empty.
  public mutating func nextBodyPiece<Responder: HTTPResponder>(
    maximumBytes: Int, now: Instant, responder: inout Responder
  ) -> HTTPServerOutput {
    precondition(maximumBytes > 0, "a body piece must be allowed at least one byte")
    guard !isClosed, var body = bodyInProgress else {
      return HTTPServerOutput(shouldClose: isClosed)
    }
    var count = min(maximumBytes, body.source.length - body.produced)
    if body.isChunked { count = min(count, ChunkedEncoder.maximumChunkBytes) }
    var output: [UInt8] = []
    output.reserveCapacity(count + 16)
    if body.isChunked { ChunkedEncoder.appendChunkSizeLine(count, to: &output) }
    let start = output.count
    body.source.produce(body.produced, count, &output)
    precondition(output.count - start == count, "a body source produced the wrong byte count")
    if body.isChunked { output.append(contentsOf: ASCII.crlf) }
    body.produced += count
    idleSince = now
    guard body.produced == body.source.length else {
      bodyInProgress = body
      return HTTPServerOutput(bytes: output, isBodyPending: true)
    }
    if body.isChunked { ChunkedEncoder.appendLastChunk(to: &output) }
    bodyInProgress = nil
    requestStartedAt = parser.isInsideRequest ? now : nil
    guard body.keepAlive else { return close(sending: output) }
    let answers = answerRequests(now: now, &responder, after: output)
    guard peerEndedDuringBody, !answers.shouldClose, !answers.isBodyPending else { return answers }
    return endStream(after: answers.bytes, &responder)
  }

  /// The peer's end of stream after `output`: an error (400) mid-request, else a plain close.
  private mutating func endStream<Responder: HTTPResponder>(
    after output: [UInt8], _ responder: inout Responder
  ) -> HTTPServerOutput {
    guard parser.isInsideRequest else { return close(sending: output) }
    return fail(.badRequest("the connection ended inside a request"), output: output, &responder)
  }

  /// Enforces the timeouts at `now`: 408 and close for an overdue request, a silent close for
  /// an idle connection, nothing before the deadline.
  public mutating func handleDeadline<Responder: HTTPResponder>(
    now: Instant, responder: inout Responder
  ) -> HTTPServerOutput {
    guard let deadline, now >= deadline else {
      return HTTPServerOutput(isBodyPending: isSendingBody)
    }
    guard requestStartedAt != nil, !isSendingBody else { return close() }
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
    if !isSendingBody, let start = requestStartedAt, now >= start + configuration.requestTimeout {
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
    var output: [UInt8] = []
    swap(&output, &outputBuffer)
    output.removeAll(keepingCapacity: true)  // keeps the memory if the host let go of it
    let answers = answerRequests(now: now, &responder, after: consume output)
    if answers.bytes.capacity <= HTTPServerConnection.maximumKeptOutputCapacity {
      outputBuffer = answers.bytes
    }
    return answers
  }

  /// Parses and answers requests until the buffered bytes hold no complete one or a streamed
  /// body starts; the answers follow `earlierOutput`.
  private mutating func answerRequests<Responder: HTTPResponder>(
    now: Instant, _ responder: inout Responder, after earlierOutput: consuming [UInt8]
  ) -> HTTPServerOutput {
    var output = consume earlierOutput  // a move: the buffer stays unique, so appends reuse it
    guard !isSendingBody else { return HTTPServerOutput(bytes: output, isBodyPending: true) }
    var answered = 0
    while true {
      let request: HTTPRequest
      do {
        switch try parser.next() {
        case nil:
          return HTTPServerOutput(bytes: output)
        case .head(let head):
          currentRequest = (head.method, head.version)
          try startBody(of: head, responder: responder, output: &output)
          continue
        case .request(let complete):
          request = complete
        }
      } catch {
        return fail(error, output: output, &responder)
      }
      currentRequest = (request.head.method, request.head.version)
      answered += 1
      guard answered <= configuration.maximumPipelinedRequests else {
        let error = HTTPParseError(
          status: .serviceUnavailable, message: "too many pipelined requests at once")
        return fail(error, output: output, &responder)
      }
      let keepAlive = answer(request, now: now, &responder, output: &output)
      if isSendingBody { return HTTPServerOutput(bytes: output, isBodyPending: true) }
      guard keepAlive else { return close(sending: output) }
    }
  }

  /// Appends the responder's answer to `request` (for a streamed body, its head, and the body
  /// becomes the one in progress); returns whether the connection stays open after it.
  private mutating func answer<Responder: HTTPResponder>(
    _ request: HTTPRequest, now: Instant, _ responder: inout Responder, output: inout [UInt8]
  ) -> Bool {
    let response = responder.respond(to: request, now: now)
    let keepAlive = request.head.keepAlive && !response.closesConnection
    response.serialize(
      forRequestMethod: request.head.method, keepAlive: keepAlive,
      requestVersion: request.head.version, into: &output)
    startStreamedBody(of: response, for: request.head, keepAlive: keepAlive, output: &output)
    currentRequest = nil
    idleSince = now
    requestStartedAt = parser.isInsideRequest ? now : nil
    return keepAlive
  }

  /// Makes `response`'s streamed body, if it has one to send, the body in progress; an empty
  /// one is complete at once (only its last chunk, if chunked, goes after the head).
  private mutating func startStreamedBody(
    of response: HTTPResponse, for head: HTTPRequestHead, keepAlive: Bool,
    output: inout [UInt8]
  ) {
    guard let source = response.streamedBody, response.status.allowsBody, head.method != .head
    else { return }
    let isChunked = response.isChunked && head.version >= .http1_1
    guard source.length > 0 else {
      if isChunked { ChunkedEncoder.appendLastChunk(to: &output) }
      return
    }
    bodyInProgress = BodyInProgress(source: source, isChunked: isChunked, keepAlive: keepAlive)
  }

  /// Applies the responder's body limit to the body coming after `head` and answers `Expect`
  /// (RFC 9110 §10.1.1): `100 Continue` if the body fits (the parser has refused any other
  /// expectation); a declared length over the limit fails with 413 at once.
  private mutating func startBody<Responder: HTTPResponder>(
    of head: HTTPRequestHead, responder: Responder, output: inout [UInt8]
  ) throws(HTTPParseError) {
    try parser.startBody(maximumBytes: responder.maximumBodyBytes(for: head))
    if head.version >= .http1_1, head.headers.contains(name: "Expect") {
      output.append(ascii: "HTTP/1.1 100 Continue\r\n\r\n")
    }
  }

  /// Sends the responder's rendering of `error` after `output`, then closes.
  private mutating func fail<Responder: HTTPResponder>(
    _ error: HTTPParseError, output: [UInt8], _ responder: inout Responder
  ) -> HTTPServerOutput {
    let response = responder.errorResponse(status: error.status, message: error.message)
    let bytes = response.serialized(
      forRequestMethod: currentRequest?.method ?? .get, keepAlive: false,
      requestVersion: currentRequest?.version ?? .http1_1)
    return close(sending: output + bytes)
  }

  private mutating func close(sending bytes: [UInt8] = []) -> HTTPServerOutput {
    isClosed = true
    requestStartedAt = nil
    return HTTPServerOutput(bytes: bytes, shouldClose: true)
  }
}
