import Time

/// The application behind an `HTTPServerConnection`: it sets body limits, answers requests and
/// renders error responses (the hub renders them as JSON; this module knows no body formats).
public protocol HTTPResponder {
  /// The largest body accepted for a request with `head`; asked once the head has arrived and
  /// before any of the body is read, and only if the head announces a body (a Content-Length
  /// above 0 or chunked framing). Larger bodies are answered with 413 and the connection
  /// closes. This is where a router's per-route limit applies.
  func maximumBodyBytes(for head: HTTPRequestHead) -> Int

  /// The response to a complete request, at `now`.
  mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse

  /// A response for an error the connection detected itself (malformed request, a limit,
  /// a timeout) with `status` and a human-readable `message`.
  func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse
}
