import HTTP
import Net
import Time

/// One HTTP request and its response over a TCP connection of Loam's own stack, driven by
/// polls: the unikernel's way to talk to the hub, where no event loop calls back.
///
/// Sans-IO like the rest of the core: the caller owns the `NetworkInterface`, passes it and the
/// time to `poll`, and moves frames between the interface and its device. The exchange opens a
/// connection when it starts, sends the request as the send buffer takes it, feeds what comes
/// back to an `HTTPClientConnection`, and closes the connection when the response is whole, the
/// connection fails, or `timeout` passes.
public struct NetHTTPExchange {
  /// How an exchange ended.
  public enum Outcome: Sendable {
    /// The server answered.
    case response(HTTPClientResponse)
    /// No response: the reason, for the caller's log and retry policy.
    case failure(String)
  }

  private enum Phase {
    case open(TCPSocketHandle)
    case finished(Outcome)
  }

  private var phase: Phase
  private var connection = HTTPClientConnection()
  /// Request bytes not yet taken by the send buffer.
  private var unsent: ArraySlice<UInt8>
  /// When the exchange gives up.
  public let deadline: Instant
  /// Bytes taken from the socket at a time, and at most in one poll (the rest waits for the
  /// next, so one poll's work stays bounded).
  static let readChunkBytes = 4096
  static let maximumBytesPerPoll = 65_536

  /// Starts `request` to `address`:`port` with `Host: host`; the SYN leaves with the next
  /// frames the interface transmits.
  public init(
    request: HTTPClientRequest, host: String, address: IPv4Address, port: UInt16,
    timeout: Duration, interface: inout NetworkInterface, now: Instant
  ) {
    precondition(timeout > .zero, "an exchange has time to finish")
    deadline = now + timeout
    unsent = connection.send(request, host: host)[...]
    do throws(TCPSocketError) {
      phase = .open(try interface.connectTCP(to: address, port: port, now: now))
    } catch {
      phase = .finished(.failure("cannot connect to \(address):\(port): \(error)"))
    }
  }

  /// The outcome, once there is one.
  public var outcome: Outcome? {
    if case .finished(let outcome) = phase { return outcome }
    return nil
  }

  /// Moves the exchange on: sends what the connection takes, reads what arrived. Returns the
  /// outcome once there is one (and keeps returning it).
  public mutating func poll(interface: inout NetworkInterface, now: Instant) -> Outcome? {
    guard case .open(let socket) = phase else { return outcome }
    guard now < deadline else {
      interface.abortTCP(socket, now: now)
      return finish(.failure("no response within the timeout"))
    }
    guard let status = interface.statusTCP(socket) else {
      return finish(.failure("the connection vanished"))
    }
    if let error = status.error {
      interface.closeTCP(socket, now: now)
      return finish(.failure("connection failed: \(error)"))
    }
    guard status.state != .synSent && status.state != .synReceived else { return nil }
    do throws(ExchangeFailure) {
      guard let response = try advance(socket, interface: &interface, now: now) else {
        return nil
      }
      interface.closeTCP(socket, now: now)
      return finish(.response(response))
    } catch {
      interface.abortTCP(socket, now: now)
      return finish(.failure(error.description))
    }
  }

  /// Sends what the connection takes and reads what arrived: the response once it is whole.
  private mutating func advance(
    _ socket: TCPSocketHandle, interface: inout NetworkInterface, now: Instant
  ) throws(ExchangeFailure) -> HTTPClientResponse? {
    var received: [UInt8] = []
    do throws(TCPSocketError) {
      if !unsent.isEmpty && (interface.statusTCP(socket)?.writableBytes ?? 0) > 0 {
        let taken = try interface.sendTCP(socket, unsent, now: now)
        unsent = unsent.dropFirst(taken)
      }
      while received.count < Self.maximumBytesPerPoll {
        let bytes = try interface.receiveTCP(socket, upTo: Self.readChunkBytes, now: now)
        if bytes.isEmpty { break }
        received.append(contentsOf: bytes)
      }
    } catch {
      throw .connection(error)
    }
    if !received.isEmpty,
      let response = try http({ () throws(HTTPClientError) in try connection.receive(received) })
    {
      return response
    }
    guard interface.statusTCP(socket)?.reachedEndOfStream == true else { return nil }
    let response: HTTPClientResponse?
    do throws(HTTPClientError) {
      response = try connection.receiveEndOfStream()
    } catch .unexpectedEndOfStream {
      throw .closedEarly
    } catch {
      throw .invalidResponse(error)
    }
    guard let response else { throw .closedEarly }
    return response
  }

  private func http<Result>(
    _ body: () throws(HTTPClientError) -> Result
  ) throws(ExchangeFailure) -> Result {
    do throws(HTTPClientError) {
      return try body()
    } catch {
      throw .invalidResponse(error)
    }
  }

  private mutating func finish(_ outcome: Outcome) -> Outcome {
    if case .finished(let earlier) = phase { return earlier }
    phase = .finished(outcome)
    return outcome
  }
}

/// Why an exchange got no response.
enum ExchangeFailure: Error, CustomStringConvertible {
  case connection(TCPSocketError)
  case invalidResponse(HTTPClientError)
  case closedEarly

  var description: String {
    switch self {
    case .connection(let error): return "connection failed: \(error)"
    case .invalidResponse(let error): return "invalid HTTP response: \(error)"
    case .closedEarly: return "the server closed before a whole response"
    }
  }
}
