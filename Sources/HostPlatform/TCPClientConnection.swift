import Glibc
import Time

/// A sans-IO state machine for an outgoing connection (an HTTP client exchange, for instance):
/// a `StreamConnectionHandler` that also hears when the connection opens and when it ends.
public protocol OutboundConnectionHandler: StreamConnectionHandler {
  /// The connection is established; returns the first bytes to send, such as a request.
  mutating func connected(now: Instant) -> StreamOutput
  /// The connection is over; always the last event, delivered exactly once. `error` is nil
  /// when the close was orderly (the handler asked for it, or `close()` was called) and says
  /// why otherwise: resolution failed, refused, timed out, reset, ...
  mutating func closed(error: ConnectionError?, now: Instant)
}

/// An outgoing TCP connection on an event loop, driving an `OutboundConnectionHandler`.
///
/// `connect` resolves the host with `getaddrinfo`, which blocks the loop's thread while DNS
/// answers. That is acceptable for an appliance that talks to one hub, usually by IP literal;
/// a literal resolves without any network traffic. The first resolved address is used.
///
/// The TCP handshake itself is non-blocking and bounded by `timeout`. Every outcome reaches the
/// handler from the loop, never from inside `connect`: first `connected` (or straight to
/// `closed` with the error), then the stream events of `StreamConnectionHandler`, and `closed`
/// last. The connection keeps itself alive until then, so callers may drop the returned object.
public final class TCPClientConnection<Handler: OutboundConnectionHandler> {
  private let loop: EventLoop
  private let limits: StreamLimits
  private var waitingHandler: Handler?
  private var stream: StreamConnection<Handler>?
  private var connecting: (descriptor: Int32, callback: ClosureEventHandler, timer: TimerID)?
  /// Holds the object alive while the connection is in progress or open (a deliberate cycle,
  /// broken when `closed` is delivered).
  private var keepAlive: TCPClientConnection?

  /// The remote address, once resolved.
  public private(set) var remoteAddress: SocketAddress?

  /// The handler, with whatever state it has accumulated (a parsed response, for instance).
  public var handler: Handler {
    if let stream { return stream.handler }
    return waitingHandler!
  }

  /// True once `closed` has been delivered to the handler.
  public private(set) var isClosed = false

  private init(loop: EventLoop, handler: Handler, limits: StreamLimits) {
    self.loop = loop
    self.limits = limits
    waitingHandler = handler
  }

  /// Starts connecting to `host` (a name or an IPv4/IPv6 literal) and `port`, giving up with
  /// `ConnectionError.timedOut` if the handshake has not finished within `timeout`.
  public static func connect(
    loop: EventLoop, host: String, port: UInt16, timeout: Duration, handler: Handler,
    limits: StreamLimits = StreamLimits()
  ) -> TCPClientConnection {
    let connection = TCPClientConnection(loop: loop, handler: handler, limits: limits)
    connection.keepAlive = connection
    connection.start(host: host, port: port, timeout: timeout)
    return connection
  }

  /// Closes the connection at once (discarding unsent output); the handler gets `closed` with
  /// no error. Does nothing if the connection is already closed.
  public func close() {
    if let stream {
      stream.abort()
    } else if let connecting {
      abandonConnecting(connecting)
      finish(error: nil)
    }
  }

  private func start(host: String, port: UInt16, timeout: Duration) {
    let address: SocketAddress
    do {
      address = try SocketAddress.resolve(host: host, port: port)[0]
    } catch {
      return finishLater(error: .resolutionFailed(error))
    }
    remoteAddress = address
    let descriptor: Int32
    do {
      descriptor = try Socket.makeStream(family: address.family)
    } catch {
      return finishLater(error: .system(error))
    }
    let result = address.withSocketAddress { pointer, length in
      Glibc.connect(descriptor, pointer, length)
    }
    // EINTR here does not abort a non-blocking connect: the handshake goes on, as with
    // EINPROGRESS (retrying the call would fail with EALREADY instead).
    if result != 0 && errno != EINPROGRESS && errno != EINTR {
      let error = ConnectionError(call: "connect", errorNumber: errno)
      Glibc.close(descriptor)
      return finishLater(error: error)
    }
    // Connected or in progress: either way the socket reports writable once it is decided.
    let callback = ClosureEventHandler { [unowned self] _ in handshakeFinished() }
    do {
      try loop.register(fileDescriptor: descriptor, interest: .writable, handler: callback)
    } catch {
      Glibc.close(descriptor)
      return finishLater(error: .system(error))
    }
    let deadline = MonotonicClock.now().advanced(by: timeout)
    let timer = loop.schedule(at: deadline) { [unowned self] in handshakeTimedOut() }
    connecting = (descriptor, callback, timer)
  }

  private func handshakeFinished() {
    guard let connecting else { return }
    let error = Socket.pendingError(connecting.descriptor)
    guard error == 0 else {
      abandonConnecting(connecting)
      return finish(error: ConnectionError(call: "connect", errorNumber: error))
    }
    loop.cancel(connecting.timer)
    try? loop.deregister(fileDescriptor: connecting.descriptor)  // ours; cannot fail
    self.connecting = nil
    let stream = StreamConnection(
      fileDescriptor: connecting.descriptor, handler: waitingHandler!, loop: loop,
      limits: limits, readBuffer: ReadBuffer(size: limits.readChunkSize)
    ) { [unowned self] error in streamClosed(error: error) }
    waitingHandler = nil
    self.stream = stream
    stream.start()
    stream.deliver { handler, now in handler.connected(now: now) }
  }

  private func handshakeTimedOut() {
    guard let connecting else { return }
    abandonConnecting(connecting)
    finish(error: .timedOut)
  }

  private func abandonConnecting(
    _ connecting: (descriptor: Int32, callback: ClosureEventHandler, timer: TimerID)
  ) {
    loop.cancel(connecting.timer)
    try? loop.deregister(fileDescriptor: connecting.descriptor)  // ours; cannot fail
    Glibc.close(connecting.descriptor)
    self.connecting = nil
  }

  private func streamClosed(error: ConnectionError?) {
    guard let stream else { return }
    // The stream is done with the handler; take it back so `closed` can be delivered.
    waitingHandler = stream.handler
    self.stream = nil
    finish(error: error)
  }

  /// Reports an early failure from the loop rather than from inside `connect`.
  private func finishLater(error: ConnectionError) {
    loop.schedule(at: loop.now) { [self] in finish(error: error) }
  }

  private func finish(error: ConnectionError?) {
    precondition(!isClosed, "closed delivered twice")
    isClosed = true
    waitingHandler!.closed(error: error, now: loop.now)
    keepAlive = nil
  }
}
