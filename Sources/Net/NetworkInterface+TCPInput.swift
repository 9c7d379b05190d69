import Time

extension NetworkInterface {
  /// Handles a whole TCP segment: to its connection, to a TIME-WAIT entry, to a listener, or,
  /// for a port with none of these, answered with a reset (RFC 9293 section 3.10.7.1).
  mutating func receiveTCPSegment(_ datagram: IPv4Datagram, now: Instant) {
    let header: TCPHeader
    let payload: ArraySlice<UInt8>
    do {
      (header, payload) = try TCPHeader.parse(
        datagram.payload[...], source: datagram.header.source,
        destination: datagram.header.destination)
    } catch {
      if case .badChecksum = error {
        counters.tcpBadChecksum += 1
      } else {
        counters.tcpMalformed += 1
      }
      return
    }
    counters.tcpSegmentsReceived += 1
    // Only unicast reaches TCP (RFC 9293 section 3.9.1.1 has no broadcast connections).
    guard datagram.header.destination == address, header.sourcePort != 0,
      header.destinationPort != 0
    else {
      counters.tcpMalformed += 1
      return
    }
    let endpoints = TCPEndpoints(
      localAddress: datagram.header.destination, localPort: header.destinationPort,
      remoteAddress: datagram.header.source, remotePort: header.sourcePort)
    if let slot = tcpSockets.slotByEndpoints[endpoints] {
      tcpSockets.slots[slot]!.connection.receive(header, payload: payload, now: now)
      flushTCP(slot, now: now)
    } else if let entry = tcpSockets.timeWait.entry(for: endpoints),
      !isNewIncarnation(header, of: entry, endpoints: endpoints)
    {
      receiveInTimeWait(
        header, payloadLength: payload.count, entry: entry, endpoints: endpoints, now: now)
    } else if let listener = tcpSockets.listenerIndex(port: header.destinationPort) {
      tcpSockets.timeWait.remove(endpoints)
      receiveOnListener(
        header, payload: payload, listener: listener, endpoints: endpoints, now: now)
    } else {
      counters.tcpNoSocket += 1
      if !header.flags.contains(.rst) {
        emitTCP(
          TCPConnection.reset(answering: header, payloadLength: payload.count),
          endpoints: endpoints, now: now)
      }
    }
  }

  /// Whether a segment to a four-tuple in TIME-WAIT is a SYN opening a new connection: one
  /// whose sequence number lies beyond the old connection's (RFC 9293 section 3.10.7.4).
  private func isNewIncarnation(
    _ header: TCPHeader, of entry: TCPTimeWaitTable.Entry, endpoints: TCPEndpoints
  ) -> Bool {
    header.flags.contains(.syn) && !header.flags.contains(.ack)
      && header.sequenceNumber > entry.receiveNext
      && tcpSockets.listenerIndex(port: endpoints.localPort) != nil
  }

  /// TIME-WAIT: the peer repeating its FIN gets the last ACK again and restarts 2 MSL; a reset
  /// is ignored (RFC 1337); any other segment that the closed window cannot accept gets an ACK
  /// that says where we stand. An empty segment at RCV.NXT is acceptable and gets nothing: were
  /// it answered, two ends in TIME-WAIT would trade ACKs for 2 MSL.
  private mutating func receiveInTimeWait(
    _ header: TCPHeader, payloadLength: Int, entry: TCPTimeWaitTable.Entry,
    endpoints: TCPEndpoints, now: Instant
  ) {
    let flags = header.flags
    guard !flags.contains(.rst) else { return }
    if flags.contains(.fin) {
      tcpSockets.timeWait.restart(endpoints, until: now + configuration.tcp.timeWaitDuration)
    }
    let empty = payloadLength == 0 && !flags.contains(.syn) && !flags.contains(.fin)
    guard !(empty && header.sequenceNumber == entry.receiveNext) else { return }
    let acknowledgement = TCPHeader(
      sourcePort: endpoints.localPort, destinationPort: endpoints.remotePort,
      sequenceNumber: entry.sendNext, acknowledgementNumber: entry.receiveNext, flags: .ack,
      window: 0)
    emitTCP(TCPSegment(header: acknowledgement, payload: []), endpoints: endpoints, now: now)
  }

  /// LISTEN (RFC 9293 section 3.10.7.2): a SYN opens a connection while the backlog has room,
  /// else it is answered with a SYN cookie; an ACK may return a valid cookie, else it is reset;
  /// resets are ignored.
  private mutating func receiveOnListener(
    _ header: TCPHeader, payload: ArraySlice<UInt8>, listener: Int, endpoints: TCPEndpoints,
    now: Instant
  ) {
    let flags = header.flags
    if flags.contains(.rst) { return }
    if flags.contains(.ack) {
      if flags.contains(.syn) || !acceptCookie(header, payload: payload, endpoints, now: now) {
        counters.tcpNoSocket += 1
        emitTCP(
          TCPConnection.reset(answering: header, payloadLength: payload.count),
          endpoints: endpoints, now: now)
      }
      return
    }
    guard flags.contains(.syn) else { return }
    let port = endpoints.localPort
    if tcpSockets.backlogCount(port: port) < tcpSockets.listeners[listener].backlog {
      let connection = TCPConnection(
        accepting: header, endpoints: endpoints,
        initialSequence: tcpSockets.initialSequenceNumbers.sequenceNumber(
          local: endpoints.localAddress, localPort: endpoints.localPort,
          remote: endpoints.remoteAddress, remotePort: endpoints.remotePort, now: now),
        timestampOffset: tcpSockets.initialSequenceNumbers.timestampOffset(
          local: endpoints.localAddress, localPort: endpoints.localPort,
          remote: endpoints.remoteAddress, remotePort: endpoints.remotePort),
        maximumSegmentSize: ourMaximumSegmentSize, configuration: configuration.tcp, now: now)
      if let slot = tcpSockets.insert(connection, listenerPort: port) {
        counters.tcpConnectionsOpened += 1
        flushTCP(slot, now: now)
        return
      }
    }
    sendCookie(answering: header, endpoints: endpoints, now: now)
  }

  /// A stateless SYN-ACK whose sequence number is a SYN cookie (RFC 4987 section 3.6). Its
  /// only option is the MSS, which the cookie encodes; the connection starts when the peer's
  /// ACK brings the cookie back.
  private mutating func sendCookie(
    answering syn: TCPHeader, endpoints: TCPEndpoints, now: Instant
  ) {
    counters.tcpSYNCookiesSent += 1
    let peerMaximumSegmentSize =
      syn.options.maximumSegmentSize
      ?? UInt16(TCPConnection.defaultMaximumSegmentSize)
    let cookie = tcpSockets.cookies.cookie(
      local: endpoints.localAddress, localPort: endpoints.localPort,
      remote: endpoints.remoteAddress, remotePort: endpoints.remotePort,
      clientSequence: syn.sequenceNumber, maximumSegmentSize: peerMaximumSegmentSize, now: now)
    let header = TCPHeader(
      sourcePort: endpoints.localPort, destinationPort: endpoints.remotePort,
      sequenceNumber: cookie, acknowledgementNumber: syn.sequenceNumber + 1, flags: [.syn, .ack],
      window: UInt16(clamping: configuration.tcp.receiveBufferSize),
      options: TCPOptions(maximumSegmentSize: UInt16(clamping: ourMaximumSegmentSize)))
    emitTCP(TCPSegment(header: header, payload: []), endpoints: endpoints, now: now)
  }

  /// An ACK to a listener: if it returns a valid SYN cookie and there is room, the connection
  /// it completes enters the table as ESTABLISHED and takes the segment's data. False when the
  /// cookie is not valid.
  private mutating func acceptCookie(
    _ header: TCPHeader, payload: ArraySlice<UInt8>, _ endpoints: TCPEndpoints, now: Instant
  ) -> Bool {
    guard
      let peerMaximumSegmentSize = tcpSockets.cookies.validate(
        acknowledgement: header.acknowledgementNumber, local: endpoints.localAddress,
        localPort: endpoints.localPort, remote: endpoints.remoteAddress,
        remotePort: endpoints.remotePort, clientSequence: header.sequenceNumber - 1, now: now)
    else { return false }
    var connection = TCPConnection(
      cookieAcknowledgement: header, endpoints: endpoints,
      maximumSegmentSize: ourMaximumSegmentSize,
      peerMaximumSegmentSize: Int(peerMaximumSegmentSize), configuration: configuration.tcp,
      now: now)
    // The window our stateless SYN-ACK offered is in force: data sent with this ACK fits it.
    connection.advertisedWindowEdge =
      header.sequenceNumber + UInt32(min(configuration.tcp.receiveBufferSize, 0xFFFF))
    // A full table drops the ACK: the peer's data retransmission brings it back later.
    guard let slot = tcpSockets.insert(connection, listenerPort: endpoints.localPort) else {
      return true
    }
    counters.tcpSYNCookiesAccepted += 1
    counters.tcpConnectionsOpened += 1
    if !payload.isEmpty || header.flags.contains(.fin) {
      tcpSockets.slots[slot]!.connection.receive(header, payload: payload, now: now)
    }
    flushTCP(slot, now: now)
    return true
  }
}
