import Time

extension TCPConnection {
  /// Whether the application may still queue data: the connection is open and not closing.
  @inline(__always) var acceptsSends: Bool { state.acceptsData && !finQueued }

  /// Readiness and state, as the socket API reports them.
  ///
  /// This and the other queries the socket table asks on every pass are always inlined: a
  /// call into a function that is not would copy the whole connection out of the table first,
  /// buffers and all (measured: a fifth of the instructions per HTTP request).
  @inline(__always) var socketStatus: TCPSocketStatus {
    TCPSocketStatus(
      state: state, readableBytes: receiveBuffer.count,
      writableBytes: acceptsSends ? sendBuffer.freeSpace : 0,
      reachedEndOfStream: reachedEndOfStream, error: error,
      unacknowledgedBytes: sendBuffer.count, lastSoftError: lastSoftError)
  }

  /// Queues as much of `bytes` as the send buffer has room for and returns how much; the
  /// caller checks that the connection still accepts data.
  mutating func send(_ bytes: some Collection<UInt8>) -> Int {
    precondition(acceptsSends, "sending after close")
    return sendBuffer.append(contentsOf: bytes)
  }

  /// Takes up to `maximum` bytes the peer sent, in order. Reading opens the window; when it
  /// opens by a worthwhile step, a window update goes out at the next `transmit`.
  /// The bytes are handed to `body`, valid only inside it; the result says how many, and
  /// whether that window update is now due.
  mutating func read<Result>(
    upTo maximum: Int, _ body: (UnsafeRawBufferPointer) -> Result
  ) -> (result: Result, count: Int, windowUpdateDue: Bool) {
    let before = receiveBuffer.count
    let result = receiveBuffer.read(upTo: maximum, body)
    let count = before - receiveBuffer.count
    guard count > 0, state.receivesData else { return (result, count, false) }
    let possibleEdge = receiveNext + UInt32(receiveWindow)
    let step = advertisedWindowEdge.distance(to: possibleEdge).clamped
    guard step >= min(configuration.receiveBufferSize / 2, receiveMaximumSegmentSize) else {
      return (result, count, false)
    }
    acknowledgementDue = true
    return (result, count, true)
  }

  /// The application's CLOSE (RFC 9293 section 3.10.4): no more data from us. A FIN follows
  /// the queued data; an open that has not completed is simply dropped.
  mutating func close() {
    switch state {
    case .synSent:
      end(with: nil)
    case .synReceived:
      finQueued = true  // sent once the handshake completes
    case .established:
      finQueued = true
      state = .finWait1
    case .closeWait:
      finQueued = true
      state = .lastAck
    default:
      break
    }
  }

  /// The application's ABORT: a reset to the peer if it knows of us, and the end.
  mutating func abort(into output: inout [TCPSegment]) {
    if state.isSynchronized || state == .synReceived {
      let header = TCPHeader(
        sourcePort: endpoints.localPort, destinationPort: endpoints.remotePort,
        sequenceNumber: sendNext, flags: .rst, window: 0)
      output.append(TCPSegment(header: header, payload: []))
    }
    end(with: nil)
  }

  /// The reset that answers `segment`, which no connection should have received (RFC 9293
  /// section 3.10.7.1): it takes its sequence number from the segment's ACK, or else
  /// acknowledges everything the segment occupied.
  static func reset(answering segment: TCPHeader, payloadLength: Int = 0) -> TCPSegment {
    let header: TCPHeader
    if segment.flags.contains(.ack) {
      header = TCPHeader(
        sourcePort: segment.destinationPort, destinationPort: segment.sourcePort,
        sequenceNumber: segment.acknowledgementNumber, flags: .rst, window: 0)
    } else {
      let length =
        payloadLength + (segment.flags.contains(.syn) ? 1 : 0)
        + (segment.flags.contains(.fin) ? 1 : 0)
      header = TCPHeader(
        sourcePort: segment.destinationPort, destinationPort: segment.sourcePort,
        sequenceNumber: SequenceNumber(0),
        acknowledgementNumber: segment.sequenceNumber + UInt32(length), flags: [.rst, .ack],
        window: 0)
    }
    return TCPSegment(header: header, payload: [])
  }

  // MARK: Timers

  /// The earliest time one of the connection's timers fires, nil when none runs.
  @inline(__always) var deadline: Instant? {
    let sending = Instant.earliest(retransmissionDeadline, persistDeadline)
    let receiving = Instant.earliest(delayedAcknowledgementDeadline, keepaliveDeadline)
    return Instant.earliest(Instant.earliest(sending, receiving), timeWaitDeadline)
  }

  /// Runs the timers due by `now`; what they want sent goes out at the next `transmit`.
  mutating func poll(now: Instant) {
    if let due = timeWaitDeadline, now >= due {
      end(with: nil)
      return
    }
    if let due = retransmissionDeadline, now >= due {
      retransmissionDeadline = nil
      retransmissionTimeout(now: now)
      guard state != .closed else { return }
    }
    if let due = delayedAcknowledgementDeadline, now >= due {
      delayedAcknowledgementDeadline = nil
      acknowledgementDue = true
    }
    if let due = persistDeadline, now >= due {
      probePending = true
      persistBackoff += 1
      persistDeadline = now + persistInterval
    }
    if let due = keepaliveDeadline, now >= due, let keepalive = configuration.keepalive {
      keepaliveTimeout(keepalive, now: now)
    }
  }

  /// RFC 6298 section 5: back the timer off, and send again from the oldest unacknowledged
  /// byte with a congestion window of one segment; the SYN, if that is what was lost. Too many
  /// in a row end the connection as timed out.
  private mutating func retransmissionTimeout(now: Instant) {
    retransmissionCount += 1
    let opening = state == .synSent || state == .synReceived
    let limit =
      opening ? configuration.maximumSYNRetransmissions : configuration.maximumRetransmissions
    guard retransmissionCount <= limit else {
      if state.isSynchronized { probePending = false }
      end(with: .timedOut)
      return
    }
    roundTrip.backOff()
    roundTripProbe = nil
    if opening {
      synPending = true
      return
    }
    congestion.retransmissionTimeout(highestSent: sendMaximum, flightSize: flightSize)
    // RFC 2018 section 8: after a timeout the SACK information may have been reneged on.
    scoreboard.reset()
    retransmitFirstPending = false
    sendNext = sendUnacknowledged
    highestRetransmitted = sendUnacknowledged
  }

  /// An idle connection's keepalive timer: another probe, or the end after too many unanswered.
  private mutating func keepaliveTimeout(_ keepalive: TCPKeepalive, now: Instant) {
    guard flightSize == 0 else {
      keepaliveDeadline = now + keepalive.interval  // retransmission is watching the peer
      return
    }
    guard keepaliveProbesUnanswered < keepalive.probes else {
      end(with: .timedOut)
      return
    }
    keepaliveProbesUnanswered += 1
    probePending = true
    keepaliveDeadline = now + keepalive.interval
  }
}
