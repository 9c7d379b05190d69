import Net
import Time

/// One connection on Loam's own stack driven by a sans-IO `StreamConnectionHandler`: the
/// counterpart of `StreamConnection`, which does the same over a kernel socket. Servers and
/// clients on the stack keep one of these per connection and call it on every pass.
///
/// Output the connection's send buffer has not taken yet waits here; while more than
/// `maximumPendingOutput` waits, the connection is not read (backpressure). When the handler
/// asks to close, the output is sent, then our FIN, then the connection keeps reading (and
/// discarding) for `lingerDuration` or until the peer's FIN, so that unread input does not turn
/// the close into a reset that would destroy output the peer has not read yet.
///
/// A handler that streams its output (`hasMoreOutput`) is asked for the next piece on every
/// pass while less than `outputPieceSize` waits, and is not read meanwhile.
struct StackStream<Handler: StreamConnectionHandler> {
  /// The socket.
  let socket: TCPSocketHandle
  /// The protocol state machine.
  var handler: Handler
  /// Output the send buffer has not taken yet, from `pendingStart` on.
  private var pending: [UInt8] = []
  private var pendingStart = 0
  /// Output produced this pass and held for an output barrier.
  private(set) var held: [UInt8] = []
  /// The handler asked to close once the output is sent.
  private(set) var closeRequested = false
  /// The peer's end of stream was reported to the handler.
  private var endReported = false
  /// After our FIN: keep reading until the peer's, or until this time.
  private var lingerUntil: Instant?
  /// The connection's activity number when this stream last caught up with it: while it is
  /// unchanged and nothing is pending, a pass has nothing to do here.
  private var seenActivity: UInt32?
  /// The handler's deadline as it stood after the last call into it. Kept rather than asked
  /// for: the server asks every stream on every pass, and asking the handler costs a copy of
  /// it.
  private var handlerDeadline: Instant?
  /// When the stream next needs a pass for a timer: the handler's, or the end of lingering.
  private(set) var deadline: Instant?

  init(socket: TCPSocketHandle, handler: Handler) {
    self.socket = socket
    self.handler = handler
    noteDeadlines()
  }

  private var pendingCount: Int { pending.count - pendingStart }

  /// Takes note of the handler's deadline after a call into it, and of the lingering's.
  private mutating func noteDeadlines() {
    handlerDeadline = handler.deadline
    deadline = Instant.earliest(handlerDeadline, lingerUntil)
  }

  /// Takes output from the handler: queued at once, or held until `releaseHeld` when `holding`.
  mutating func take(_ output: StreamOutput, holding: Bool) {
    if holding {
      held += output.bytes
    } else if pendingCount == 0 {
      pending = output.bytes  // no copy of a large response when nothing else waits
      pendingStart = 0
    } else {
      pending += output.bytes
    }
    if output.shouldClose { closeRequested = true }
  }

  /// Releases held output for sending, or with `allowed` false drops it and closes.
  mutating func releaseHeld(allowed: Bool) {
    if allowed {
      pending += held
    } else {
      pending = []
      pendingStart = 0
      closeRequested = true
    }
    held = []
  }

  /// Feeds the handler what arrived, the end of the stream and its own deadline; returns
  /// whether output is held for the barrier.
  mutating func serveInput(
    _ interface: inout NetworkInterface, limits: StreamLimits, holding: Bool, now: Instant
  ) -> Bool {
    feedHandler(&interface, limits: limits, holding: holding, now: now)
    noteDeadlines()
    return !held.isEmpty
  }

  private mutating func feedHandler(
    _ interface: inout NetworkInterface, limits: StreamLimits, holding: Bool, now: Instant
  ) {
    guard lingerUntil == nil, !closeRequested else { return }
    // Streamed output is produced here, before the output barrier, like any other output.
    produceMoreOutput(limits: limits, holding: holding, now: now)
    let deadlineDue = handlerDeadline.map { $0 <= now } ?? false
    guard deadlineDue || interface.activityTCP(socket) != seenActivity else { return }
    while pendingCount + held.count < limits.maximumPendingOutput, !handler.hasMoreOutput {
      let received = try? interface.receiveTCP(socket, upTo: limits.readChunkSize, now: now) {
        bytes -> StreamOutput? in
        bytes.isEmpty ? nil : handler.received(bytes, now: now)
      }
      guard let output = received else { break }  // nothing waits, or the socket is gone
      take(output, holding: holding)
      if closeRequested { return }
    }
    if !endReported, interface.statusTCP(socket)?.reachedEndOfStream == true {
      endReported = true
      take(handler.receivedEndOfStream(now: now), holding: holding)
    }
    if let deadline = handler.deadline, deadline <= now {
      take(handler.deadlineReached(now: now), holding: holding)
    }
  }

  /// Asks the handler for more of what it streams while less than a piece waits.
  private mutating func produceMoreOutput(limits: StreamLimits, holding: Bool, now: Instant) {
    while !closeRequested, handler.hasMoreOutput,
      pendingCount + held.count < limits.outputPieceSize
    {
      let output = handler.moreOutput(maximumBytes: limits.outputPieceSize, now: now)
      take(output, holding: holding)
      if output.bytes.isEmpty { break }  // a handler that gave nothing is not asked again now
    }
  }

  /// Hands pending output to the send buffer and carries out a close; returns the connection's
  /// error if it failed, `.finished` once it is closed and released, `.open` otherwise.
  mutating func serveOutput(
    _ interface: inout NetworkInterface, limits: StreamLimits, now: Instant
  ) -> StackStreamState {
    if pendingCount == 0, !closeRequested, interface.activityTCP(socket) == seenActivity {
      return .open
    }
    let state = sendPendingOutput(&interface, limits: limits, now: now)
    seenActivity = interface.activityTCP(socket)
    return state
  }

  private mutating func sendPendingOutput(
    _ interface: inout NetworkInterface, limits: StreamLimits, now: Instant
  ) -> StackStreamState {
    guard let status = interface.statusTCP(socket) else { return .finished }
    if let error = status.error {
      interface.closeTCP(socket, now: now)
      return .failed(error)
    }
    if pendingCount > 0 {
      let accepted = (try? interface.sendTCP(socket, pending[pendingStart...], now: now)) ?? 0
      pendingStart += accepted
      if pendingStart == pending.count {
        pending = []
        pendingStart = 0
      } else if pendingStart > pending.count / 2 {
        // Compacting only once half is sent keeps the cost of moving bytes linear overall.
        pending.removeFirst(pendingStart)
        pendingStart = 0
      }
    }
    guard closeRequested, pendingCount == 0 else { return .open }
    if lingerUntil == nil {
      try? interface.shutdownTCP(socket, now: now)
      lingerUntil = now + limits.lingerDuration
      noteDeadlines()
    }
    while let bytes = try? interface.receiveTCP(socket, upTo: 65_536, now: now), !bytes.isEmpty {}
    let peerDone = interface.statusTCP(socket)?.reachedEndOfStream ?? true
    guard peerDone || now >= lingerUntil! else { return .open }
    interface.closeTCP(socket, now: now)
    return .finished
  }
}

/// Where a `StackStream` stands after a pass.
enum StackStreamState: Equatable {
  /// Still open.
  case open
  /// Closed in order and released.
  case finished
  /// Ended by an error, and released.
  case failed(TCPConnectionError)
}
