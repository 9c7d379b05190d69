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
  private var state = State.open
  private var output = OutputQueue()
  private var inputEnded = false
  private var interest: IOEvents = []
  private var timer: (id: TimerID, deadline: Instant)?
  private var callback: ClosureEventHandler?

  /// Takes ownership of a connected socket; `onClosed` runs once, after the socket is closed.
  init(
    fileDescriptor: Int32, handler: Handler, loop: EventLoop, limits: StreamLimits,
    readBuffer: ReadBuffer, onClosed: @escaping (ConnectionError?) -> Void
  ) {
    precondition(readBuffer.memory.count >= limits.readChunkSize, "read buffer too small")
    self.fileDescriptor = fileDescriptor
    self.handler = handler
    self.loop = loop
    self.limits = limits
    self.readBuffer = readBuffer
    self.onClosed = onClosed
  }

  var isClosed: Bool { state == .closed }

  /// Bytes waiting to be sent.
  var pendingOutputCount: Int { output.count }

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

  /// Closes at once, discarding unsent output.
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
      let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
      perform(handler.received(bytes, now: loop.now))
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

  /// Queues a handler's output and tries to send it straight away.
  private func perform(_ result: StreamOutput) {
    guard state == .open else { return }
    if !result.bytes.isEmpty {
      output.append(result.bytes)
      if let error = output.flush(to: fileDescriptor) {
        closeNow(error: ConnectionError(error))
        return
      }
    }
    if result.shouldClose { state = .flushing }
  }

  /// Brings the close sequence, epoll interest and deadline timer in line with the state.
  private func settle() {
    if state == .flushing && output.isEmpty { beginLingering() }
    guard state != .closed else { return }
    var wanted: IOEvents = []
    let underBound = output.count <= limits.maximumPendingOutput
    if !inputEnded && (state == .lingering || (state == .open && underBound)) {
      wanted.insert(.readable)
    }
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

  private func armTimer(at deadline: Instant?) {
    if timer?.deadline == deadline { return }
    if let timer { loop.cancel(timer.id) }
    timer = nil
    guard let deadline else { return }
    let id = loop.schedule(at: deadline) { [weak self] in self?.timerFired() }
    timer = (id, deadline)
  }

  private func timerFired() {
    timer = nil
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
    if let timer { loop.cancel(timer.id) }
    timer = nil
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
