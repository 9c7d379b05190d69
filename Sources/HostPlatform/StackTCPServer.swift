import Net
import Time

/// A TCP listener on Loam's own stack that runs one `Handler` per accepted connection: the
/// counterpart of `TCPServer`, which does the same over the kernel's sockets. The same sans-IO
/// handlers (HTTP, for instance) run on either.
///
/// Each pass accepts what completed its handshake, reads what arrived into the handlers, and
/// writes their output as the connections' send buffers take it (see `StackStream`). With an
/// output barrier, output produced in a pass is held until the barrier has run once for the
/// whole pass (the hub's group commit), exactly as `TCPServer` does per loop iteration.
public final class StackTCPServer<Handler: StreamConnectionHandler>: NetworkStackUser {
  /// The port listened on.
  public let port: UInt16
  /// Connections served at once; more are reset on arrival.
  public let maximumConnections: Int
  /// Connections accepted so far.
  public private(set) var acceptedTotal = 0
  /// Connections that ended with an error (reset, timeout) or were refused for room.
  public private(set) var failedTotal = 0
  /// Connections open now.
  public var openConnections: Int { streams.count }

  private let listener: TCPListenerHandle
  private let limits: StreamLimits
  private let makeHandler: (Instant) -> Handler
  private let outputBarrier: (() -> Bool)?
  private var streams: [StackStream<Handler>] = []

  /// Listens on `port` of `stack`'s interface. `makeHandler` makes each connection's handler;
  /// `outputBarrier`, if given, runs once per pass before output produced in it is sent and
  /// returns whether it may go (false closes those connections without it).
  public init(
    stack: NetworkStack, port: UInt16, backlog: Int = 16, maximumConnections: Int = 32,
    limits: StreamLimits = StreamLimits(), outputBarrier: (() -> Bool)? = nil,
    makeHandler: @escaping (Instant) -> Handler
  ) throws(TCPSocketError) {
    listener = try stack.interface.listenTCP(port: port, backlog: backlog)
    self.port = port
    self.maximumConnections = maximumConnections
    self.limits = limits
    self.makeHandler = makeHandler
    self.outputBarrier = outputBarrier
    stack.attach(self)
  }

  // The stack calls `deadline` and `service` through `NetworkStackUser`, which reaches the
  // generic implementations; `@_specialize` makes them jump to a version compiled for the HTTP
  // handler, the one servers use, instead of moving every stream through runtime metadata
  // (measured: about a twentieth of the instructions an HTTP request costs).
  public var deadline: Instant? {
    @_specialize(where Handler == HTTPStreamHandler)
    get {
      var earliest: Instant?
      for index in streams.indices {
        earliest = Instant.earliest(earliest, streams[index].deadline)
      }
      return earliest
    }
  }

  @_specialize(where Handler == HTTPStreamHandler)
  public func service(_ stack: NetworkStack, now: Instant) {
    // The streams leave the server for the pass and the interface is borrowed once for all of
    // them: every access to a class's stored property is checked for exclusivity at run time,
    // and made per stream and phase those checks cost more than a tenth of a request. (So the
    // output barrier, which runs inside, must not use the stack.)
    var streams: [StackStream<Handler>] = []
    swap(&streams, &self.streams)
    serve(&streams, interface: &stack.interface, now: now)
    swap(&streams, &self.streams)
  }

  private func serve(
    _ streams: inout [StackStream<Handler>], interface: inout NetworkInterface, now: Instant
  ) {
    while let socket = interface.acceptTCP(listener) {
      acceptedTotal += 1
      guard streams.count < maximumConnections else {
        interface.abortTCP(socket, now: now)
        failedTotal += 1
        continue
      }
      streams.append(StackStream(socket: socket, handler: makeHandler(now)))
    }
    let holding = outputBarrier != nil
    var anyHeld = false
    for index in streams.indices {
      let holds = streams[index].serveInput(
        &interface, limits: limits, holding: holding, now: now)
      anyHeld = anyHeld || holds
    }
    if anyHeld {
      let allowed = outputBarrier!()
      for index in streams.indices where !streams[index].held.isEmpty {
        streams[index].releaseHeld(allowed: allowed)
      }
    }
    var index = 0
    while index < streams.count {
      switch streams[index].serveOutput(&interface, limits: limits, now: now) {
      case .open:
        index += 1
      case .finished:
        streams.remove(at: index)
      case .failed:
        failedTotal += 1
        streams.remove(at: index)
      }
    }
  }
}
