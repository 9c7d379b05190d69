import Glibc
import Net
import Time

/// An outgoing TCP connection on Loam's own stack, driving an `OutboundConnectionHandler`: the
/// counterpart of `TCPClientConnection` over the kernel's sockets, so that an appliance's HTTP
/// client runs unchanged on either.
///
/// Every outcome reaches the handler from a stack pass, never from inside `connect`: first
/// `connected` (or straight to `closed` with the error), then the stream events, and `closed`
/// last. The stack holds the connection until then, so callers may drop the returned object.
public final class StackTCPClientConnection<Handler: OutboundConnectionHandler>: NetworkStackUser {
  private enum Phase {
    /// The handshake is under way (or failed before it started: `startError`).
    case connecting(TCPSocketHandle?, giveUpAt: Instant)
    case open(StackStream<Handler>)
    case closed
  }

  private var phase: Phase
  private var waitingHandler: Handler?
  private let limits: StreamLimits
  private var startError: ConnectionError?

  /// True once `closed` has been delivered to the handler.
  public private(set) var isClosed = false

  private init(handler: Handler, limits: StreamLimits, giveUpAt: Instant) {
    waitingHandler = handler
    self.limits = limits
    phase = .connecting(nil, giveUpAt: giveUpAt)
  }

  /// Starts connecting to `address`:`port` over `stack`, giving up with `.timedOut` if the
  /// handshake has not finished within `timeout`.
  @discardableResult
  public static func connect(
    stack: NetworkStack, address: IPv4Address, port: UInt16, timeout: Duration,
    handler: Handler, limits: StreamLimits = StreamLimits()
  ) -> StackTCPClientConnection {
    let now = MonotonicClock.now()
    let connection = StackTCPClientConnection(
      handler: handler, limits: limits, giveUpAt: now + timeout)
    do {
      let socket = try stack.interface.connectTCP(to: address, port: port, now: now)
      connection.phase = .connecting(socket, giveUpAt: now + timeout)
    } catch {
      // No route is what the kernel calls unreachable; a full table or port range is its
      // ENOBUFS or EADDRNOTAVAIL, which the handler hears as a system error.
      connection.startError =
        error == .noRoute(address)
        ? .unreachable
        : .system(
          SystemError(
            call: "connect", subject: "\(error)",
            errorNumber: error == .noFreeEphemeralPort ? EADDRNOTAVAIL : ENOBUFS))
    }
    stack.attach(connection)
    return connection
  }

  public var deadline: Instant? {
    switch phase {
    case .connecting(_, let giveUpAt): return startError == nil ? giveUpAt : .zero
    case .open(let stream): return stream.deadline
    case .closed: return nil
    }
  }

  public func service(_ stack: NetworkStack, now: Instant) {
    switch phase {
    case .connecting(let socket, let giveUpAt):
      guard let socket else { return finish(stack, error: startError, now: now) }
      serveHandshake(socket, giveUpAt: giveUpAt, stack, now: now)
    case .open(var stream):
      phase = .closed  // so that the stream is not copied while it is mutated
      _ = stream.serveInput(&stack.interface, limits: limits, holding: false, now: now)
      let state = stream.serveOutput(&stack.interface, limits: limits, now: now)
      waitingHandler = stream.handler
      switch state {
      case .open: phase = .open(stream)
      case .finished: finish(stack, error: nil, now: now)
      case .failed(let error): finish(stack, error: ConnectionError(error), now: now)
      }
    case .closed:
      return
    }
  }

  private func serveHandshake(
    _ socket: TCPSocketHandle, giveUpAt: Instant, _ stack: NetworkStack, now: Instant
  ) {
    guard let status = stack.interface.statusTCP(socket) else {
      return finish(stack, error: .reset, now: now)
    }
    if let error = status.error {
      stack.interface.closeTCP(socket, now: now)
      return finish(stack, error: ConnectionError(error), now: now)
    }
    guard status.state.isSynchronized else {
      if now >= giveUpAt {
        stack.interface.abortTCP(socket, now: now)
        finish(stack, error: .timedOut, now: now)
      }
      return
    }
    var stream = StackStream(socket: socket, handler: waitingHandler!)
    stream.take(stream.handler.connected(now: now), holding: false)
    phase = .open(stream)
    service(stack, now: now)
  }

  private func finish(_ stack: NetworkStack, error: ConnectionError?, now: Instant) {
    phase = .closed
    isClosed = true
    waitingHandler?.closed(error: error, now: now)
    stack.detach(self)
  }
}

extension ConnectionError {
  /// The kernel-socket error that matches an error of Loam's stack.
  init(_ error: TCPConnectionError) {
    switch error {
    case .refused: self = .refused
    case .reset: self = .reset
    case .timedOut: self = .timedOut
    case .unreachable: self = .unreachable
    }
  }
}
