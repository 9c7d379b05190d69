import Time

extension NetworkInterface {
  // MARK: The socket API

  /// Listens on `port`: SYNs to it open connections, which `acceptTCP` hands out once their
  /// handshake completes. At most `backlog` wait at once; beyond that, SYNs are answered with
  /// SYN cookies, which cost no memory until the peer's ACK proves its address.
  public mutating func listenTCP(port: UInt16, backlog: Int = 16) throws(TCPSocketError)
    -> TCPListenerHandle
  {
    guard port != 0 else { throw .invalidPort }
    precondition(backlog > 0, "a listener needs room for one connection")
    guard tcpSockets.listenerIndex(port: port) == nil else { throw .portInUse(port) }
    guard tcpSockets.listeners.count < configuration.tcp.maximumListeners else {
      throw .noFreeListener
    }
    tcpSockets.listeners.append(TCPSocketSet.Listener(port: port, backlog: backlog))
    return TCPListenerHandle(port: port)
  }

  /// Stops listening; connections not yet accepted are reset.
  public mutating func closeListener(_ listener: TCPListenerHandle, now: Instant) {
    guard let index = tcpSockets.listenerIndex(port: listener.port) else { return }
    for slot in tcpSockets.slots.indices
    where tcpSockets.slots[slot]?.listenerPort == listener.port {
      var output: [TCPSegment] = []
      tcpSockets.slots[slot]?.connection.abort(into: &output)
      emit(output, for: slot, now: now)
      tcpSockets.release(slot)
    }
    tcpSockets.listeners.remove(at: index)
  }

  /// The oldest connection on `listener` whose handshake completed, now the application's.
  public mutating func acceptTCP(_ listener: TCPListenerHandle) -> TCPSocketHandle? {
    guard let index = tcpSockets.listenerIndex(port: listener.port),
      !tcpSockets.listeners[index].acceptQueue.isEmpty
    else { return nil }
    let slot = tcpSockets.listeners[index].acceptQueue.removeFirst()
    tcpSockets.slots[slot]?.listenerPort = nil
    return tcpSockets.handle(slot)
  }

  /// Opens a connection to `address`:`port` from an ephemeral port (RFC 6056); the SYN goes
  /// out at once. The status shows ESTABLISHED once the peer answers, or the error.
  public mutating func connectTCP(to address: IPv4Address, port: UInt16, now: Instant)
    throws(TCPSocketError) -> TCPSocketHandle
  {
    guard port != 0 else { throw .invalidPort }
    guard let routes = configuration.routes, routes.nextHop(for: address) != nil,
      !address.isMulticast, !isGroupOrBroadcast(address)
    else { throw .noRoute(address) }
    let local = routes.subnet.address
    let inUse = tcpSockets.slotByEndpoints
    let waiting = tcpSockets.timeWait
    let listening = tcpSockets.listeners.map { $0.port }
    guard
      let localPort = tcpSockets.ephemeralPorts.next(
        local: local, remote: address, remotePort: port,
        isInUse: { candidate in
          let endpoints = TCPEndpoints(
            localAddress: local, localPort: candidate, remoteAddress: address, remotePort: port)
          return inUse[endpoints] != nil || waiting.entry(for: endpoints) != nil
            || listening.contains(candidate)
        })
    else { throw .noFreeEphemeralPort }
    let endpoints = TCPEndpoints(
      localAddress: local, localPort: localPort, remoteAddress: address, remotePort: port)
    let connection = TCPConnection(
      connecting: endpoints, initialSequence: initialSequence(for: endpoints, now: now),
      timestampOffset: timestampOffset(for: endpoints),
      maximumSegmentSize: ourMaximumSegmentSize, configuration: configuration.tcp, now: now)
    guard let slot = tcpSockets.insert(connection, listenerPort: nil) else {
      throw .noFreeConnection
    }
    counters.tcpConnectionsOpened += 1
    flushTCP(slot, now: now)
    return tcpSockets.handle(slot)
  }

  /// Queues bytes to send and returns how many fitted in the send buffer (0 when it is full:
  /// wait until `statusTCP` shows room). Segments go out as the windows allow.
  public mutating func sendTCP(
    _ handle: TCPSocketHandle, _ bytes: [UInt8], now: Instant
  ) throws(TCPSocketError) -> Int {
    try sendTCP(handle, bytes[...], now: now)
  }

  /// Queues bytes to send, as above. (A concrete type rather than any collection, so that the
  /// copy into the send buffer is compiled for it even when called from another module.)
  public mutating func sendTCP(
    _ handle: TCPSocketHandle, _ bytes: ArraySlice<UInt8>, now: Instant
  ) throws(TCPSocketError) -> Int {
    let slot = try openSlot(handle)
    let facts = tcpSockets.facts(slot)!
    if let error = facts.error { throw .connection(error) }
    guard facts.acceptsSends else { throw .sendingClosed }
    let accepted = tcpSockets.slots[slot]!.connection.send(bytes)
    flushTCP(slot, now: now)
    return accepted
  }

  /// Takes up to `maximum` received bytes, in order; empty when none wait (see `statusTCP`
  /// for the end of the stream and errors).
  public mutating func receiveTCP(_ handle: TCPSocketHandle, upTo maximum: Int, now: Instant)
    throws(TCPSocketError) -> [UInt8]
  {
    try receiveTCP(handle, upTo: maximum, now: now) { Array($0) }
  }

  /// Takes up to `maximum` received bytes, in order, handing them to `body` in place (valid
  /// only inside it, and empty when none wait): for a driver that copies them on anyway, this
  /// spares making an array of them.
  public mutating func receiveTCP<Result>(
    _ handle: TCPSocketHandle, upTo maximum: Int, now: Instant,
    _ body: (UnsafeRawBufferPointer) -> Result
  ) throws(TCPSocketError) -> Result {
    let slot = try openSlot(handle)
    let (result, _, windowUpdateDue) = tcpSockets.slots[slot]!.connection.read(
      upTo: maximum, body)
    // Reading changes nothing else a flush would act on: most reads (a request, then its
    // answer) skip it, and the answer's segment carries the new window.
    if windowUpdateDue { flushTCP(slot, now: now) }
    return result
  }

  /// The connection's readiness and state; nil when the handle is not open.
  ///
  /// `mutating` although it changes nothing, like `activityTCP`: drivers ask on every pass and
  /// hold the interface in a variable, and a non-mutating call on a struct this large is passed
  /// a copy of all of it (about 1.5 KB).
  public mutating func statusTCP(_ handle: TCPSocketHandle) -> TCPSocketStatus? {
    guard let slot = tcpSockets.slot(handle) else { return nil }
    return tcpSockets.socketStatus(slot)
  }

  /// Closes the sending side: a FIN follows the queued data, and the peer's data can still be
  /// read (a half-close).
  public mutating func shutdownTCP(_ handle: TCPSocketHandle, now: Instant)
    throws(TCPSocketError)
  {
    let slot = try openSlot(handle)
    tcpSockets.slots[slot]!.connection.close()
    flushTCP(slot, now: now)
  }

  /// Lets go of the connection: it sends what is queued, then a FIN, and finishes closing on
  /// its own. If received data was left unread, it is reset instead (RFC 9293 section
  /// 3.10.4), so that the peer learns it was not all taken.
  public mutating func closeTCP(_ handle: TCPSocketHandle, now: Instant) {
    guard let slot = tcpSockets.slot(handle) else { return }
    if tcpSockets.facts(slot)?.hasUnreadData == false {
      tcpSockets.slots[slot]!.connection.close()
    } else {
      var output: [TCPSegment] = []
      tcpSockets.slots[slot]!.connection.abort(into: &output)
      emit(output, for: slot, now: now)
    }
    tcpSockets.slots[slot]!.applicationClosed = true
    flushTCP(slot, now: now)
  }

  /// Resets the connection and lets go of it at once.
  public mutating func abortTCP(_ handle: TCPSocketHandle, now: Instant) {
    guard let slot = tcpSockets.slot(handle) else { return }
    var output: [TCPSegment] = []
    tcpSockets.slots[slot]!.connection.abort(into: &output)
    emit(output, for: slot, now: now)
    tcpSockets.release(slot)
  }

  /// A number that changes whenever anything happens to the connection (data or a FIN in, room
  /// in the send buffer, an error, a state change); nil when the handle is not open. A driver
  /// serving many connections skips those whose number has not changed since it last looked.
  /// (`mutating` for the reason given at `statusTCP`.)
  public mutating func activityTCP(_ handle: TCPSocketHandle) -> UInt32? {
    tcpSockets.slot(handle).map { tcpSockets.activityBySlot[$0] }
  }

  /// Connections in the table, whoever holds them (TIME-WAIT not counted).
  public var tcpConnectionCount: Int { tcpSockets.connectionCount }

  /// Connections in TIME-WAIT.
  public var tcpTimeWaitCount: Int { tcpSockets.timeWait.count }

  // MARK: Internals

  /// The MSS we announce: what one frame carries after the IPv4 and TCP headers.
  var ourMaximumSegmentSize: Int {
    configuration.maximumTransmissionUnit - IPv4Header.length - TCPHeader.minimumLength
  }

  private func initialSequence(for endpoints: TCPEndpoints, now: Instant) -> SequenceNumber {
    tcpSockets.initialSequenceNumbers.sequenceNumber(
      local: endpoints.localAddress, localPort: endpoints.localPort,
      remote: endpoints.remoteAddress, remotePort: endpoints.remotePort, now: now)
  }

  private func timestampOffset(for endpoints: TCPEndpoints) -> UInt32 {
    tcpSockets.initialSequenceNumbers.timestampOffset(
      local: endpoints.localAddress, localPort: endpoints.localPort,
      remote: endpoints.remoteAddress, remotePort: endpoints.remotePort)
  }

  @inline(__always) private func openSlot(_ handle: TCPSocketHandle) throws(TCPSocketError) -> Int {
    guard let slot = tcpSockets.slot(handle) else { throw .notOpen }
    return slot
  }

  /// Sends what the connection in `slot` has due, then lets the socket set settle it.
  mutating func flushTCP(_ slot: Int, now: Instant) {
    // The segments gather in an array kept from one flush to the next, so that sending one
    // costs no allocation for it.
    var output: [TCPSegment] = []
    swap(&output, &flushedSegments)
    tcpSockets.slots[slot]?.connection.transmit(now: now, into: &output)
    emit(output, for: slot, now: now)
    output.removeAll(keepingCapacity: true)
    swap(&output, &flushedSegments)
    tcpSockets.settle(slot, now: now)
    tcpSockets.refreshDeadline(slot)
  }

  private mutating func emit(_ output: [TCPSegment], for slot: Int, now: Instant) {
    guard !output.isEmpty, let endpoints = tcpSockets.facts(slot)?.endpoints
    else { return }
    for segment in output { emitTCP(segment, endpoints: endpoints, now: now) }
  }

  /// Wraps a segment in IPv4 and queues it.
  mutating func emitTCP(_ segment: TCPSegment, endpoints: TCPEndpoints, now: Instant) {
    if segment.header.flags.contains(.rst) { counters.tcpResetsSent += 1 }
    counters.tcpSegmentsSent += 1
    sendDatagram(
      to: endpoints.remoteAddress, payloadProtocol: .tcp,
      payloadLength: segment.header.length + segment.payload.count, now: now
    ) { buffer in
      segment.header.emit(
        payload: segment.payload, source: endpoints.localAddress,
        destination: endpoints.remoteAddress, into: &buffer)
    }
  }

  /// The earliest TCP timer.
  var tcpDeadline: Instant? {
    var earliest = tcpSockets.timeWait.deadline
    for deadline in tcpSockets.deadlineBySlot { earliest = Instant.earliest(earliest, deadline) }
    return earliest
  }

  /// Runs the TCP timers due by `now`.
  mutating func pollTCP(now: Instant) {
    for slot in tcpSockets.deadlineBySlot.indices {
      guard let deadline = tcpSockets.deadlineBySlot[slot], deadline <= now else { continue }
      tcpSockets.slots[slot]!.connection.poll(now: now)
      flushTCP(slot, now: now)
    }
    if let deadline = tcpSockets.timeWait.deadline, deadline <= now {
      tcpSockets.timeWait.expire(now: now)
    }
  }
}
