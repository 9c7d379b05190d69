import Glibc
import Time

/// Drives one connected, non-blocking TCP socket for a sans-IO `StreamConnectionHandler`:
/// reads into the handler, queues and writes its output, arms its deadline on the loop's
/// timers, and closes the way TCP likes it (flush, shut down sending, drain, close).
///
/// Lifecycle: `open` (reading and writing) -> `flushing` (the handler asked to close; no more
/// input goes to it) -> `lingering` (output sent, FIN sent, discarding input until the peer's
/// FIN or `lingerDuration`) -> `closed`. Errors jump straight to `closed`, and so does the
/// handler's deadline passing while flushing (the peer is not reading).
///
/// Held output: a connection created with `onOutputHeld` does not send what its handler
/// produces straight away. It holds the bytes, tells its owner once (`onOutputHeld`), and sends
/// them when the owner calls `releaseHeldOutput()`, or never if the owner calls `abort()`. The
/// owner uses this to let a barrier (an `fsync`) run between producing responses and sending
/// them. Held bytes count towards backpressure and are sent before the connection lingers.
final class StreamConnection<Handler: StreamConnectionHandler> {
  private enum State {
    case open
    case flushing
    case lingering
    case closed
  }

  let fileDescriptor: Int32
  /// The protocol state machine; the owner may deliver extra events to it with `deliver`.
  var handler: Handler
  private let loop: EventLoop
  private let limits: StreamLimits
  private let readBuffer: ReadBuffer
  private let onClosed: (ConnectionError?) -> Void
  private let onOutputHeld: ((StreamConnection) -> Void)?
  private var state = State.open
  /// Output cleared for sending.
  private var output = OutputQueue()
  /// Output waiting for `releaseHeldOutput()`; always empty without `onOutputHeld`.
  private var heldOutput: [UInt8] = []
  private var inputEnded = false
  private var interest: IOEvents = []
  /// When the connection next needs `timerFired`'s action, if ever.
  private var deadline: Instant?
  /// The loop timer pending for this connection; it may fire before `deadline` (see `armTimer`).
  private var timer: (id: TimerID, deadline: Instant)?
  private var callback: ClosureEventHandler?

  /// Takes ownership of a connected socket; `onClosed` runs once, after the socket is closed.
  /// With `onOutputHeld`, output is held until released (see the type's documentation).
  init(
    fileDescriptor: Int32, handler: Handler, loop: EventLoop, limits: StreamLimits,
    readBuffer: ReadBuffer, onOutputHeld: ((StreamConnection) -> Void)? = nil,
    onClosed: @escaping (ConnectionError?) -> Void
  ) {
    precondition(readBuffer.memory.count >= limits.readChunkSize, "read buffer too small")
    self.fileDescriptor = fileDescriptor
    self.handler = handler
    self.loop = loop
    self.limits = limits
    self.readBuffer = readBuffer
    self.onOutputHeld = onOutputHeld
    self.onClosed = onClosed
  }

  var isClosed: Bool { state == .closed }

  /// Bytes waiting to be sent, held ones included.
  var pendingOutputCount: Int { output.count + heldOutput.count }

  /// Registers the socket with the loop. If that fails the socket is closed with the error.
  func start() {
    let callback = ClosureEventHandler { [unowned self] events in handle(events) }
    self.callback = callback
    do {
      try loop.register(fileDescriptor: fileDescriptor, interest: .readable, handler: callback)
      interest = .readable
    } catch {
      self.callback = nil
      closeNow(error: ConnectionError(error))
      return
    }
    settle()
  }

  /// Feeds the handler an event from outside the socket (such as "connected") and acts on it.
  func deliver(_ event: (inout Handler, Instant) -> StreamOutput) {
    guard state == .open else { return }
    perform(event(&handler, loop.now))
    settle()
  }

  /// Sends the output held so far (see the type's documentation).
  func releaseHeldOutput() {
    guard state != .closed, !heldOutput.isEmpty else { return }
    let bytes = heldOutput
    heldOutput = []
    send(bytes)
    settle()
  }

  /// Closes at once, discarding unsent output, held output included.
  func abort() {
    guard state != .closed else { return }
    closeNow(error: nil)
  }

  private func handle(_ events: IOEvents) {
    guard state != .closed else { return }
    if events.contains(.error) {
      let error = Socket.pendingError(fileDescriptor)
      closeNow(error: ConnectionError(call: "socket", errorNumber: error == 0 ? EIO : error))
      return
    }
    if events.contains(.writable), let error = output.flush(to: fileDescriptor) {
      closeNow(error: ConnectionError(error))
      return
    }
    if events.contains(.readable) || events.contains(.hangUp) {
      if interest.contains(.readable) {
        readOnce()
      } else if events.contains(.hangUp) {
        // Both directions are gone while we were not reading: nothing more can be done.
        closeNow(error: state == .lingering ? nil : .reset)
      }
    }
    settle()
  }

  private func readOnce() {
    let chunk = UnsafeMutableRawBufferPointer(
      rebasing: readBuffer.memory[0..<limits.readChunkSize])
    switch Socket.receive(fileDescriptor, into: chunk) {
    case .received(let count):
      guard state == .open else { return }  // lingering: discard
      perform(handler.received(UnsafeRawBufferPointer(rebasing: chunk[0..<count]), now: loop.now))
    case .endOfStream:
      inputEnded = true
      if state == .lingering {
        closeNow(error: nil)
      } else {
        perform(handler.receivedEndOfStream(now: loop.now))
      }
    case .wouldBlock:
      break
    case .failed(let error):
      closeNow(error: ConnectionError(error))
    }
  }

  /// Holds a handler's output, or queues it and tries to send it straight away.
  private func perform(_ result: StreamOutput) {
    guard state == .open else { return }
    if !result.bytes.isEmpty {
      if let onOutputHeld {
        if heldOutput.isEmpty {
          heldOutput = result.bytes
          onOutputHeld(self)
        } else {
          heldOutput += result.bytes
        }
      } else {
        send(result.bytes)
      }
    }
    if state == .open && result.shouldClose { state = .flushing }
  }

  /// Queues `bytes` and sends as much as the socket takes now; closes on a send error.
  private func send(_ bytes: [UInt8]) {
    output.append(bytes)
    if let error = output.flush(to: fileDescriptor) {
      closeNow(error: ConnectionError(error))
    }
  }

  /// Asks the handler for more of what it streams while less than a piece waits to be sent
  /// (sending each piece at once), so a streamed output holds about two pieces in memory.
  private func produceMoreOutput() {
    while state == .open, handler.hasMoreOutput, pendingOutputCount < limits.outputPieceSize {
      let result = handler.moreOutput(maximumBytes: limits.outputPieceSize, now: loop.now)
      perform(result)
      if result.bytes.isEmpty { break }  // a handler that gave nothing is not asked again now
    }
  }

  /// Brings the close sequence, epoll interest and deadline timer in line with the state.
  private func settle() {
    produceMoreOutput()
    if state == .flushing && output.isEmpty && heldOutput.isEmpty { beginLingering() }
    guard state != .closed else { return }
    var wanted: IOEvents = []
    let underBound = pendingOutputCount <= limits.maximumPendingOutput && !handler.hasMoreOutput
    if !inputEnded && (state == .lingering || (state == .open && underBound)) {
      wanted.insert(.readable)
    }
    // A streamed output waits in `output` while the socket is full, so this also wakes the
    // connection to ask for more once the socket takes it.
    if !output.isEmpty { wanted.insert(.writable) }
    if wanted != interest {
      do {
        try loop.modify(fileDescriptor: fileDescriptor, interest: wanted)
        interest = wanted
      } catch {
        closeNow(error: ConnectionError(error))
        return
      }
    }
    // While flushing, the handler's last deadline still bounds how long a peer that does not
    // read can hold the connection.
    if state != .lingering { armTimer(at: handler.deadline) }
  }

  private func beginLingering() {
    if inputEnded {
      closeNow(error: nil)
      return
    }
    // Send FIN; the peer sees end of stream after all our output.
    shutdown(fileDescriptor, Int32(SHUT_WR))
    state = .lingering
    armTimer(at: loop.now.advanced(by: limits.lingerDuration))
  }

  /// Sets `deadline`. Deadlines mostly move later (every request restarts the idle clock), so a
  /// pending timer that fires no later than the new deadline is kept, and when it fires early it
  /// re-arms instead of acting: that saves cancelling and scheduling a timer per request.
  private func armTimer(at newDeadline: Instant?) {
    deadline = newDeadline
    guard let newDeadline else { return }
    if let timer {
      if timer.deadline <= newDeadline { return }
      loop.cancel(timer.id)
    }
    let id = loop.schedule(at: newDeadline) { [weak self] in self?.timerFired() }
    timer = (id, newDeadline)
  }

  private func timerFired() {
    timer = nil
    guard let deadline else { return }
    guard loop.now >= deadline else { return armTimer(at: deadline) }
    self.deadline = nil
    switch state {
    case .open:
      perform(handler.deadlineReached(now: loop.now))
      settle()
    case .flushing:
      closeNow(error: .timedOut)
    case .lingering:
      closeNow(error: nil)
    case .closed:
      break
    }
  }

  private func closeNow(error: ConnectionError?) {
    precondition(state != .closed, "connection closed twice")
    state = .closed
    heldOutput = []
    if let timer { loop.cancel(timer.id) }
    timer = nil
    deadline = nil
    if callback != nil {
      // Deregistering a descriptor we registered cannot fail short of a bug; closing it
      // removes it from epoll anyway.
      try? loop.deregister(fileDescriptor: fileDescriptor)
      callback = nil
    }
    Glibc.close(fileDescriptor)
    onClosed(error)
  }
}
