/// The client side of one HTTP/1.1 connection, without I/O: `send` turns requests into bytes,
/// `receive` turns bytes into responses.
///
/// Requests may be pipelined up to `maximumOutstandingRequests`; responses come back in order.
/// `receive` returns at most one response per call; if the bytes held more, call `receive([])`
/// again. A connection is reusable when nothing is outstanding and the server kept it open.
public struct HTTPClientConnection {
  /// The limits this connection enforces.
  public let configuration: HTTPClientConfiguration

  private var parser: HTTPResponseParser
  /// The methods of sent requests still waiting for their responses, oldest first.
  private var outstandingMethods: [HTTPMethod] = []
  /// Set once the server said it will close, or the stream ended.
  private var serverWillClose = false
  /// The first error; every later call throws it again.
  private var failure: HTTPClientError?

  /// A fresh connection.
  public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
    self.configuration = configuration
    parser = HTTPResponseParser(configuration: configuration)
  }

  /// Whether another request may be sent on this connection and expect an answer.
  public var isReusable: Bool {
    failure == nil && !serverWillClose && outstandingMethods.isEmpty && !parser.isInsideResponse
  }

  /// The number of requests sent and not yet answered.
  public var outstandingRequests: Int { outstandingMethods.count }

  /// The bytes of `request` for the server `host` (the `Host` header), with its framing.
  public mutating func send(_ request: HTTPClientRequest, host: String) -> [UInt8] {
    precondition(
      outstandingMethods.count < configuration.maximumOutstandingRequests,
      "too many requests outstanding")
    precondition(host.utf8.allSatisfy(isFieldValueByte), "a host has no control bytes")
    outstandingMethods.append(request.method)
    return request.serialized(host: host)
  }

  /// Takes received bytes; returns the oldest outstanding request's response once complete.
  public mutating func receive(_ bytes: [UInt8]) throws(HTTPClientError) -> HTTPClientResponse? {
    try receiveBytes(bytes)
  }

  /// Takes received bytes from the host's own buffer.
  public mutating func receive(
    _ bytes: UnsafeRawBufferPointer
  ) throws(HTTPClientError) -> HTTPClientResponse? {
    try receiveBytes(bytes)
  }

  /// The server closed the connection: completes a close-delimited response, or throws
  /// `unexpectedEndOfStream` if a response was cut short. Returns nil between responses.
  public mutating func receiveEndOfStream() throws(HTTPClientError) -> HTTPClientResponse? {
    if let failure { throw failure }
    serverWillClose = true
    guard !outstandingMethods.isEmpty, parser.isInsideResponse else {
      return try check(outstandingMethods.isEmpty ? nil : .unexpectedEndOfStream)
    }
    do {
      let response = try parser.finish()
      outstandingMethods.removeFirst()
      return response
    } catch {
      return try check(error)
    }
  }

  private mutating func receiveBytes<Bytes: Collection<UInt8>>(
    _ bytes: Bytes
  ) throws(HTTPClientError) -> HTTPClientResponse? {
    if let failure { throw failure }
    parser.append(bytes)
    guard let method = outstandingMethods.first else {
      return try check(parser.isInsideResponse ? .unsolicitedResponse : nil)
    }
    let response: HTTPClientResponse
    do {
      guard let complete = try parser.next(requestMethod: method) else { return nil }
      response = complete
    } catch {
      return try check(error)
    }
    outstandingMethods.removeFirst()
    let keepsAlive =
      response.version >= .http1_1
      ? !response.headers.containsToken("close", in: "Connection")
      : response.headers.containsToken("keep-alive", in: "Connection")
    if !keepsAlive { serverWillClose = true }
    return response
  }

  /// Records `error`, if any, as the connection's failure and throws it.
  private mutating func check(_ error: HTTPClientError?) throws(HTTPClientError)
    -> HTTPClientResponse?
  {
    guard let error else { return nil }
    failure = error
    throw error
  }
}
