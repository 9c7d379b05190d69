import Time

/// The limits and timeouts of an `HTTPServerConnection`.
public struct HTTPServerConfiguration: Sendable {
  /// The largest request head, request line and header section together. A longer request
  /// line is answered with 414, a longer head with 431.
  public var maximumHeadBytes: Int
  /// How long a connection may sit between requests before it is closed (silently).
  public var idleTimeout: Duration
  /// How long a request's head and body together may take to arrive, counted from its first
  /// byte; the defence against slow-loris clients. An overdue request is answered with 408.
  public var requestTimeout: Duration
  /// The most requests answered from the bytes of one `receive` call. A client pipelining more
  /// is answered with 503 and disconnected: this bounds the output one input can produce.
  public var maximumPipelinedRequests: Int

  /// A configuration; the defaults suit the hub.
  public init(
    maximumHeadBytes: Int = 16_384, idleTimeout: Duration = .seconds(60),
    requestTimeout: Duration = .seconds(30), maximumPipelinedRequests: Int = 32
  ) {
    precondition(maximumHeadBytes > 0 && maximumPipelinedRequests > 0, "limits are positive")
    self.maximumHeadBytes = maximumHeadBytes
    self.idleTimeout = idleTimeout
    self.requestTimeout = requestTimeout
    self.maximumPipelinedRequests = maximumPipelinedRequests
  }
}
