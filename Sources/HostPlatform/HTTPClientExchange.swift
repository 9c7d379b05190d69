import HTTP
import Time

/// Why an HTTP exchange produced no response.
public enum HTTPExchangeError: Error, CustomStringConvertible {
  /// The TCP connection failed: refused, unreachable, reset, timed out connecting.
  case connection(ConnectionError)
  /// The peer's bytes were not a valid HTTP response.
  case protocolViolation(HTTPClientError)
  /// The peer closed before a whole response arrived.
  case closedEarly
  /// No whole response within the exchange's timeout.
  case timedOut(Duration)

  public var description: String {
    switch self {
    case .connection(let error): return "\(error)"
    case .protocolViolation(let error): return "invalid HTTP response: \(error)"
    case .closedEarly: return "the connection closed before a whole response arrived"
    case .timedOut(let timeout): return "no response within \(timeout)"
    }
  }
}

/// One request and its response over a new TCP connection, as an `OutboundConnectionHandler`.
/// `completion` runs exactly once, when the connection is over.
public struct HTTPClientExchange: OutboundConnectionHandler {
  private var connection = HTTPClientConnection()
  private let request: HTTPClientRequest
  private let hostHeader: String
  private let timeout: Duration
  private var deadlineInstant: Instant?
  private var outcome: Result<HTTPClientResponse, HTTPExchangeError> = .failure(.closedEarly)
  private let completion: (Result<HTTPClientResponse, HTTPExchangeError>) -> Void

  /// An exchange sending `request` with `Host: hostHeader`, which must be answered within
  /// `timeout` of connecting.
  public init(
    request: HTTPClientRequest, hostHeader: String, timeout: Duration,
    completion: @escaping (Result<HTTPClientResponse, HTTPExchangeError>) -> Void
  ) {
    self.request = request
    self.hostHeader = hostHeader
    self.timeout = timeout
    self.completion = completion
  }

  public mutating func connected(now: Instant) -> StreamOutput {
    deadlineInstant = now + timeout
    return StreamOutput(bytes: connection.send(request, host: hostHeader))
  }

  public mutating func received(_ bytes: UnsafeRawBufferPointer, now: Instant) -> StreamOutput {
    do throws(HTTPClientError) {
      guard let response = try connection.receive(bytes) else { return .none }
      outcome = .success(response)
    } catch {
      outcome = .failure(.protocolViolation(error))
    }
    deadlineInstant = nil  // Decided; the close that follows must not turn into a timeout.
    return StreamOutput(shouldClose: true)
  }

  public mutating func receivedEndOfStream(now: Instant) -> StreamOutput {
    do throws(HTTPClientError) {
      if let response = try connection.receiveEndOfStream() { outcome = .success(response) }
    } catch {
      outcome = .failure(.protocolViolation(error))
    }
    deadlineInstant = nil
    return StreamOutput(shouldClose: true)
  }

  public var deadline: Instant? { deadlineInstant }

  public mutating func deadlineReached(now: Instant) -> StreamOutput {
    deadlineInstant = nil
    outcome = .failure(.timedOut(timeout))
    return StreamOutput(shouldClose: true)
  }

  public mutating func closed(error: ConnectionError?, now: Instant) {
    if let error, case .failure = outcome { outcome = .failure(.connection(error)) }
    completion(outcome)
  }
}
