import CLinux
import Glibc
import Time

/// A TCP listener on an event loop that runs one `Handler` per accepted connection.
///
/// Accepting is bounded per event (`maximumAcceptsPerEvent`); connections beyond
/// `maximumConnections` are accepted and closed at once, so the backlog does not fill with
/// connections nobody will serve, and counted in `rejectedTotal`. If the process runs out of
/// file descriptors, accepting pauses for a moment instead of spinning.
///
/// With an output barrier, nothing the handlers produce is sent straight away. At the end of
/// each loop iteration in which some connection produced output, the server calls the barrier
/// once and then sends what every connection holds, or, if the barrier fails, closes those
/// connections without sending any of it. The hub's barrier is one `fsync` covering every
/// reading it accepted in the iteration, so that no acknowledgement leaves before the readings
/// it acknowledges are durable (group commit).
public final class TCPServer<Handler: StreamConnectionHandler> {
  /// The most connections served at once.
  public let maximumConnections: Int
  /// The address the server listens on, with the actual port if port 0 was requested.
  public let localAddress: SocketAddress
  /// Connections currently open.
  public var openConnections: Int { connections.count }
  /// Connections accepted since the server started (served or rejected).
  public private(set) var acceptedTotal = 0
  /// Connections closed straight after accepting because `maximumConnections` were open.
  public private(set) var rejectedTotal = 0
  /// Connections that ended with an error (reset, timeout while flushing, ...).
  public private(set) var failedTotal = 0

  /// Bytes queued for sending across all connections (bounded by backpressure, see
  /// `StreamLimits.maximumPendingOutput`).
  public var pendingOutputTotal: Int {
    connections.values.reduce(0) { $0 + $1.pendingOutputCount }
  }

  /// The port the server listens on (the kernel's choice if 0 was requested).
  public var port: UInt16 { localAddress.port }

  private let loop: EventLoop
  private let limits: StreamLimits
  private let makeHandler: (Instant) -> Handler
  private let readBuffer: ReadBuffer
  private var listener: Int32
  private var listenerCallback: ClosureEventHandler?
  private var connections: [Int32: StreamConnection<Handler>] = [:]
  private let outputBarrier: (() -> Bool)?
  /// Connections holding output until the end of the iteration, in the order they produced it.
  private var connectionsHoldingOutput: [StreamConnection<Handler>] = []
  private let maximumAcceptsPerEvent = 64
  private static var acceptPauseAfterDescriptorExhaustion: Duration { .milliseconds(100) }

  /// Listens on `host` (an IPv4 or IPv6 literal such as `0.0.0.0`, `127.0.0.1` or `::`) and
  /// `port` (0: any free port). `reusePort` sets `SO_REUSEPORT`, so that several loops (one per
  /// core) can each own a listener on the same port and the kernel spreads connections.
  /// `makeHandler` creates the protocol state machine of each new connection.
  /// `outputBarrier`, if given, runs before output is sent (see the type's documentation) and
  /// returns whether the output may go; false withholds it for good.
  /// Throws `AddressError` for a host that is not a literal, `SystemError` if listening fails.
  public init(
    loop: EventLoop, host: String, port: UInt16, reusePort: Bool = false, backlog: Int32 = 128,
    maximumConnections: Int = 1024, limits: StreamLimits = StreamLimits(),
    outputBarrier: (() -> Bool)? = nil, makeHandler: @escaping (Instant) -> Handler
  ) throws {
    precondition(maximumConnections > 0, "a server must allow at least one connection")
    let address = try SocketAddress(numericHost: host, port: port)
    self.loop = loop
    self.limits = limits
    self.maximumConnections = maximumConnections
    self.makeHandler = makeHandler
    self.outputBarrier = outputBarrier
    readBuffer = ReadBuffer(size: limits.readChunkSize)
    let descriptor = try Self.listen(on: address, reusePort: reusePort, backlog: backlog)
    listener = descriptor
    do {
      localAddress = try Socket.localAddress(descriptor)
      let callback = ClosureEventHandler { [unowned self] _ in acceptConnections() }
      try loop.register(fileDescriptor: descriptor, interest: .readable, handler: callback)
      listenerCallback = callback
    } catch {
      Glibc.close(descriptor)
      throw error
    }
  }

  private static func listen(
    on address: SocketAddress, reusePort: Bool, backlog: Int32
  ) throws(SystemError) -> Int32 {
    let descriptor = try Socket.makeStream(family: address.family)
    do throws(SystemError) {
      try Socket.setOption(
        descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1, label: "SO_REUSEADDR")
      if reusePort {
        try Socket.setOption(
          descriptor, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1, label: "SO_REUSEPORT")
      }
      let bound = address.withSocketAddress { pointer, length in bind(descriptor, pointer, length) }
      guard bound == 0 else { throw SystemError.fromErrno("bind", subject: "\(address)") }
      guard Glibc.listen(descriptor, backlog) == 0 else {
        throw SystemError.fromErrno("listen", subject: "\(address)")
      }
    } catch {
      Glibc.close(descriptor)
      throw error
    }
    return descriptor
  }

  /// Stops listening and closes every connection at once, without flushing. Idempotent.
  public func close() {
    if listenerCallback != nil {
      try? loop.deregister(fileDescriptor: listener)  // cannot fail for our own registration
      listenerCallback = nil
      Glibc.close(listener)
      listener = -1
    }
    for connection in Array(connections.values) { connection.abort() }
  }

  deinit {
    close()
  }

  private func acceptConnections() {
    for _ in 0..<maximumAcceptsPerEvent {
      let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
      let descriptor = accept4(listener, nil, nil, flags)
      if descriptor < 0 {
        switch errno {
        case EINTR, ECONNABORTED: continue
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: pauseAccepting()
        default: break  // EAGAIN: backlog empty
        }
        return
      }
      acceptedTotal += 1
      guard connections.count < maximumConnections else {
        rejectedTotal += 1
        Glibc.close(descriptor)
        continue
      }
      serve(descriptor)
    }
  }

  private func serve(_ descriptor: Int32) {
    let holdOutput: ((StreamConnection<Handler>) -> Void)? =
      outputBarrier == nil ? nil : { [weak self] in self?.hold($0) }
    let connection = StreamConnection(
      fileDescriptor: descriptor, handler: makeHandler(loop.now), loop: loop, limits: limits,
      readBuffer: readBuffer, onOutputHeld: holdOutput
    ) { [weak self] error in
      // Weak: `close()` from `deinit` closes connections while the server is being destroyed.
      guard let self else { return }
      connections[descriptor] = nil
      if error != nil { failedTotal += 1 }
    }
    connections[descriptor] = connection
    connection.start()
  }

  /// Notes a connection that started holding output; the first one of an iteration books the
  /// release at its end.
  private func hold(_ connection: StreamConnection<Handler>) {
    if connectionsHoldingOutput.isEmpty {
      loop.runAtEndOfIteration { [weak self] in self?.releaseHeldOutput() }
    }
    connectionsHoldingOutput.append(connection)
  }

  /// Runs the barrier once for everything held, then sends it all, or on failure sends none of
  /// it and closes the connections that held it.
  private func releaseHeldOutput() {
    let holding = connectionsHoldingOutput
    connectionsHoldingOutput = []
    guard let outputBarrier, outputBarrier() else {
      for connection in holding { connection.abort() }
      return
    }
    for connection in holding { connection.releaseHeldOutput() }
  }

  /// Out of descriptors or memory: stop watching the listener briefly (it would be reported
  /// ready on every wait) and try again later, when connections may have closed.
  private func pauseAccepting() {
    guard (try? loop.modify(fileDescriptor: listener, interest: [])) != nil else { return }
    loop.schedule(at: loop.now.advanced(by: Self.acceptPauseAfterDescriptorExhaustion)) {
      [weak self] in
      guard let self, self.listenerCallback != nil else { return }
      try? self.loop.modify(fileDescriptor: self.listener, interest: .readable)
    }
  }
}
