import Net
import Time

/// A TCP listener on Loam's own stack that runs one `Handler` per accepted connection: the
/// counterpart of `TCPServer`, which does the same over the kernel's sockets. The same sans-IO
/// handlers (HTTP, for instance) run on either.
///
/// Each pass accepts what completed its handshake, reads what arrived into the handlers, and
/// writes their output as the connections' send buffers take it. Output waiting to be sent is
/// bounded by backpressure: a connection holding more than `maximumPendingOutput` is not read
/// until it drains. With an output barrier, output produced in a pass is held until the barrier
/// has run once for the whole pass (the hub's group commit), exactly as `TCPServer` does.
public final class StackTCPServer<Handler: StreamConnectionHandler>: NetworkStackUser {
  /// One accepted connection and its handler.
  private struct Connection {
    let socket: TCPSocketHandle
    var handler: Handler
    /// Output the send buffer has not taken yet, from `pendingStart` on.
    var pending: [UInt8] = []
    var pendingStart = 0
    /// Output produced this pass and waiting for the barrier.
    var held: [UInt8] = []
    /// The handler asked to close once the output is sent.
    var closeRequested = false
    /// The peer's end of stream was reported to the handler.
    var endReported = false
    /// After our FIN: keep reading (and discarding) until the peer's, or until this time.
    var lingerUntil: Instant?

    var pendingCount: Int { pending.count - pendingStart }
  }

  /// The port listened on.
  public let port: UInt16
  /// Connections served at once; more are reset on arrival.
  public let maximumConnections: Int
  /// Connections accepted so far.
  public private(set) var acceptedTotal = 0
  /// Connections that ended with an error (reset, timeout).
  public private(set) var failedTotal = 0
  /// Connections open now.
  public var openConnections: Int { connections.count }

  private let listener: TCPListenerHandle
  private let limits: StreamLimits
  private let makeHandler: (Instant) -> Handler
  private let outputBarrier: (() -> Bool)?
  private var connections: [Connection] = []

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

  public var deadline: Instant? {
    connections.compactMap { connection in
      [connection.handler.deadline, connection.lingerUntil].compactMap { $0 }.min()
    }.min()
  }

  public func service(_ stack: NetworkStack, now: Instant) {
    acceptConnections(stack, now: now)
    var anyHeld = false
    for index in connections.indices {
      serveInput(&connections[index], stack, now: now)
      anyHeld = anyHeld || !connections[index].held.isEmpty
    }
    if anyHeld { releaseHeldOutput() }
    var index = 0
    while index < connections.count {
      if serveOutput(&connections[index], stack, now: now) {
        index += 1
      } else {
        connections.remove(at: index)
      }
    }
  }

  private func acceptConnections(_ stack: NetworkStack, now: Instant) {
    while let socket = stack.interface.acceptTCP(listener) {
      acceptedTotal += 1
      guard connections.count < maximumConnections else {
        stack.interface.abortTCP(socket, now: now)
        failedTotal += 1
        continue
      }
      connections.append(Connection(socket: socket, handler: makeHandler(now)))
    }
  }

  /// Feeds the handler what arrived, the end of the stream and its own deadline.
  private func serveInput(_ connection: inout Connection, _ stack: NetworkStack, now: Instant) {
    guard connection.lingerUntil == nil, !connection.closeRequested else { return }
    while connection.pendingCount + connection.held.count < limits.maximumPendingOutput {
      guard
        let bytes = try? stack.interface.receiveTCP(
          connection.socket, upTo: limits.readChunkSize, now: now),
        !bytes.isEmpty
      else { break }
      let output = bytes.withUnsafeBytes { connection.handler.received($0, now: now) }
      take(output, into: &connection)
      if connection.closeRequested { return }
    }
    if !connection.endReported,
      stack.interface.statusTCP(connection.socket)?.reachedEndOfStream == true
    {
      connection.endReported = true
      take(connection.handler.receivedEndOfStream(now: now), into: &connection)
    }
    if let deadline = connection.handler.deadline, deadline <= now {
      take(connection.handler.deadlineReached(now: now), into: &connection)
    }
  }

  private func take(_ output: StreamOutput, into connection: inout Connection) {
    if outputBarrier == nil {
      connection.pending += output.bytes
    } else {
      connection.held += output.bytes
    }
    if output.shouldClose { connection.closeRequested = true }
  }

  /// Runs the barrier once for everything held this pass; on success the output may go, on
  /// failure none of it does and its connections end.
  private func releaseHeldOutput() {
    let allowed = outputBarrier?() ?? true
    for index in connections.indices where !connections[index].held.isEmpty {
      if allowed {
        connections[index].pending += connections[index].held
      } else {
        connections[index].pending = []
        connections[index].pendingStart = 0
        connections[index].closeRequested = true
      }
      connections[index].held = []
    }
  }

  /// Hands pending output to the send buffer and closes when asked; false when the connection
  /// is finished and can be forgotten.
  private func serveOutput(
    _ connection: inout Connection, _ stack: NetworkStack, now: Instant
  ) -> Bool {
    guard let status = stack.interface.statusTCP(connection.socket) else { return false }
    if status.error != nil {
      failedTotal += 1
      stack.interface.closeTCP(connection.socket, now: now)
      return false
    }
    if connection.pendingCount > 0 {
      let accepted =
        (try? stack.interface.sendTCP(
          connection.socket, connection.pending[connection.pendingStart...], now: now)) ?? 0
      connection.pendingStart += accepted
      if connection.pendingStart == connection.pending.count {
        connection.pending = []
        connection.pendingStart = 0
      } else if connection.pendingStart > 1 << 20 {
        connection.pending.removeFirst(connection.pendingStart)
        connection.pendingStart = 0
      }
    }
    return finishClosing(&connection, status, stack, now: now)
  }

  /// Once the handler asked to close and its output is queued: our FIN, then linger reading
  /// (so that unread input does not turn the close into a reset that destroys the response),
  /// then let go. False when the connection is gone.
  private func finishClosing(
    _ connection: inout Connection, _ status: TCPSocketStatus, _ stack: NetworkStack,
    now: Instant
  ) -> Bool {
    guard connection.closeRequested, connection.pendingCount == 0 else { return true }
    if connection.lingerUntil == nil {
      try? stack.interface.shutdownTCP(connection.socket, now: now)
      connection.lingerUntil = now + limits.lingerDuration
    }
    while let bytes = try? stack.interface.receiveTCP(connection.socket, upTo: 65_536, now: now),
      !bytes.isEmpty
    {}
    let peerDone = stack.interface.statusTCP(connection.socket)?.reachedEndOfStream ?? true
    guard peerDone || now >= connection.lingerUntil! else { return true }
    stack.interface.closeTCP(connection.socket, now: now)
    return false
  }
}
