import Time

extension TCPConnection {
  /// Appends the segments due now: a SYN or SYN-ACK, retransmissions, new data as far as the
  /// windows and Nagle allow, a FIN after the data, probes, and an acknowledgement if one is
  /// owed and no other segment carried it. Then arms the timers that what was sent needs.
  mutating func transmit(now: Instant, into output: inout [TCPSegment]) {
    let before = output.count
    if let offending = resetPending {
      resetPending = nil
      output.append(TCPConnection.reset(answering: offending))
    }
    switch state {
    case .closed:
      return
    case .timeWait:
      if acknowledgementDue { output.append(makeAcknowledgement(now: now)) }
      acknowledgementDue = false
      return
    case .synSent, .synReceived:
      if synPending { sendSYN(now: now, into: &output) }
    default:
      break
    }
    if state.isSynchronized && state != .synReceived {
      transmitData(now: now, into: &output)
    }
    if probePending {
      probePending = false
      // A segment one byte below what the peer expects: it must answer with an ACK that
      // carries its current window (RFC 9293 sections 3.8.6.1 and 3.8.4).
      output.append(makeSegment(at: sendUnacknowledged - 1, length: 0, fin: false, now: now))
    }
    if state.isSynchronized {
      if acknowledgementDue && output.count == before {
        output.append(makeAcknowledgement(now: now))
      }
      // Every segment of a synchronized connection acknowledges all received so far.
      if output.count > before { noteAcknowledgementSent() }
    }
    armSendTimers(now: now)
  }

  /// Our SYN (active open) or SYN-ACK (passive or simultaneous open), offering MSS, window
  /// scale, SACK and timestamps; in a SYN-ACK only those the peer offered too.
  private mutating func sendSYN(now: Instant, into output: inout [TCPSegment]) {
    synPending = false
    let answering = state == .synReceived
    var options = TCPOptions(maximumSegmentSize: UInt16(clamping: receiveMaximumSegmentSize))
    if !answering || sendWindowShift > 0 || receiveWindowShift > 0 {
      options.windowScale = TCPConnection.windowShift(for: configuration.receiveBufferSize)
    }
    options.sackPermitted = !answering || sackPermitted
    if !answering {
      options.timestamps = .init(value: timestampNow(now), echoReply: 0)
    } else if let timestamps {
      options.timestamps = .init(value: timestamps.value(at: now), echoReply: timestamps.recent)
    }
    let header = TCPHeader(
      sourcePort: endpoints.localPort, destinationPort: endpoints.remotePort,
      sequenceNumber: initialSendSequence, acknowledgementNumber: receiveNext,
      flags: answering ? [.syn, .ack] : .syn,
      window: UInt16(clamping: receiveWindow), options: options)
    output.append(TCPSegment(header: header, payload: []))
    if answering {
      advertisedWindowEdge = receiveNext + UInt32(min(receiveWindow, 0xFFFF))
      noteAcknowledgementSent()
    }
    if sendMaximum != initialSendSequence {
      retransmittedEnd = sendMaximum  // a SYN sent again
      retransmissionTimestamp = timestampNow(now)
    } else {
      sendMaximum = initialSendSequence + 1
      sendNext = sendMaximum
      roundTripProbe = (initialSendSequence, now)
    }
    if retransmissionDeadline == nil {
      retransmissionDeadline = now + roundTrip.retransmissionTimeout
    }
  }

  /// Our timestamp clock before the peer has said whether it uses timestamps.
  private func timestampNow(_ now: Instant) -> UInt32 {
    TCPTimestampState(recent: 0, offset: timestampOffset).value(at: now)
  }

  /// Retransmissions and new data: RFC 6675's loop while in SACK recovery, otherwise the
  /// first unacknowledged segment if fast retransmit asked for it, then new segments.
  private mutating func transmitData(now: Instant, into output: inout [TCPSegment]) {
    if retransmitFirstPending {
      retransmitFirstPending = false
      let length = min(sendMaximumPayload, sendUnacknowledged.distance(to: sendMaximum).clamped)
      if length > 0 { send(at: sendUnacknowledged, length: length, now: now, into: &output) }
    }
    if congestion.isInRecovery && sackPermitted {
      transmitSACKRecovery(now: now, into: &output)
      return
    }
    while true {
      skipSACKedData()
      guard let length = nextSegmentLength() else { return }
      send(at: sendNext, length: length, now: now, into: &output)
    }
  }

  /// While going back after a retransmission timeout, moves SND.NXT past data the peer has
  /// SACKed since: RFC 6675 section 5.1 asks the sender to use the SACK information that
  /// arrives after the timeout to fill in only what the receiver reports missing.
  private mutating func skipSACKedData() {
    guard sackPermitted, sendNext < sendMaximum,
      let range = scoreboard.firstRange(endingAfter: sendNext), range.leftEdge <= sendNext
    else { return }
    sendNext = range.rightEdge < sendMaximum ? range.rightEdge : sendMaximum
  }

  /// RFC 6675 section 5 (step C): while the estimated bytes in the network (`pipe`) leave a
  /// segment's room in cwnd, send what NextSeg picks: a lost segment (rule 1), new data (rule
  /// 2), a segment not SACKed that may be lost (rule 3), or once per recovery the rescue
  /// retransmission of the highest unSACKed data (rule 4).
  private mutating func transmitSACKRecovery(now: Instant, into output: inout [TCPSegment]) {
    while true {
      let pipe = scoreboard.pipe(
        unacknowledged: sendUnacknowledged, highestSent: sendMaximum,
        highestRetransmitted: highestRetransmitted, maximumSegmentSize: sendMaximumSegmentSize)
      guard congestion.congestionWindow - pipe >= sendMaximumSegmentSize else { return }
      if let lost = scoreboard.nextSegmentToRetransmit(
        unacknowledged: sendUnacknowledged, highestSent: sendMaximum,
        highestRetransmitted: highestRetransmitted, maximumSegmentSize: sendMaximumSegmentSize)
      {
        let length = min(lost.length, sendMaximumPayload)
        send(at: lost.start, length: length, now: now, into: &output)
        highestRetransmitted = SequenceNumber.later(
          highestRetransmitted, lost.start + UInt32(length))
        continue
      }
      if sendNext == sendMaximum, let length = nextSegmentLength(ignoringCongestion: true),
        length > 0
      {
        send(at: sendNext, length: length, now: now, into: &output)
        continue
      }
      guard
        let unsure = scoreboard.nextSegmentToRetransmit(
          unacknowledged: sendUnacknowledged, highestSent: sendMaximum,
          highestRetransmitted: highestRetransmitted, maximumSegmentSize: sendMaximumSegmentSize,
          onlyLost: false)
      else {
        sendRescueRetransmission(now: now, into: &output)
        return
      }
      let length = min(unsure.length, sendMaximumPayload)
      send(at: unsure.start, length: length, now: now, into: &output)
      highestRetransmitted = SequenceNumber.later(
        highestRetransmitted, unsure.start + UInt32(length))
    }
  }

  /// RFC 6675's rule 4: when nothing else may go, one segment ending at the highest unSACKed
  /// byte, at most once per recovery (RescueRxt). It repairs a loss at the tail of a window,
  /// which no later segment would reveal, without waiting for the retransmission timer.
  private mutating func sendRescueRetransmission(now: Instant, into output: inout [TCPSegment]) {
    guard let recoveryPoint = congestion.recoveryPoint,
      rescueRetransmission.map({ $0 < sendUnacknowledged }) ?? true
    else { return }
    var end = sendMaximum
    if let top = scoreboard.ranges.last, top.rightEdge == sendMaximum { end = top.leftEdge }
    if finQueued && end == finSequence + 1 { end = finSequence }  // data only; the FIN rides along
    let length = min(sendMaximumPayload, sendUnacknowledged.distance(to: end).clamped)
    guard length > 0, highestRetransmitted < end else { return }
    send(at: end - UInt32(length), length: length, now: now, into: &output)
    rescueRetransmission = recoveryPoint
  }

  /// How many bytes of data the next new segment at SND.NXT carries, or nil when none should
  /// go now: nothing to send, the window is shut, or Nagle and the sender's silly window
  /// avoidance (RFC 9293 section 3.8.6.2.1) say to wait for more. A lone FIN is length 0.
  ///
  /// `mutating` although it changes nothing: called from the connection's mutating methods, a
  /// non-mutating method that is not inlined is passed a copy of the whole connection (about
  /// 1 KB). `advertisedWindowField` is always inlined for the same reason.
  mutating func nextSegmentLength(ignoringCongestion: Bool = false) -> Int? {
    let offset = dataStart.distance(to: sendNext).clamped
    let unsent = sendBuffer.count - offset
    guard unsent > 0 || (finQueued && sendNext == finSequence) else { return nil }
    let sent = sendUnacknowledged.distance(to: sendNext).clamped
    // What the peer SACKed has left the network (RFC 6675 section 5.1, after a timeout).
    let inFlight = sent - (sackPermitted ? scoreboard.sackedBytes(below: sendNext) : 0)
    let window =
      ignoringCongestion ? sendWindow : min(sendWindow, congestionWindowWithLimitedTransmit)
    // The receive window still counts from SND.UNA; cwnd limits what is in flight.
    let usable = max(min(window - inFlight, sendWindow - sent), 0)
    if unsent == 0 { return 0 }  // the FIN alone
    var length = min(unsent, sendMaximumPayload, usable)
    if sackPermitted, sendNext < sendMaximum,
      let range = scoreboard.firstRange(endingAfter: sendNext)
    {
      length = min(length, sendNext.distance(to: range.leftEdge).clamped)  // stop at SACKed data
    }
    guard length > 0 else { return nil }
    let retransmitting = sendNext < sendMaximum
    if length == sendMaximumPayload || retransmitting { return length }
    if length == unsent {
      // Nagle: a short last piece waits while anything is unacknowledged, unless closing.
      let nagleHolds = configuration.nagle && inFlight > 0 && !finQueued
      return nagleHolds ? nil : length
    }
    // Window-limited and short: send only a worthwhile piece, or when nothing is in flight
    // (otherwise no acknowledgement would come to open the window further).
    return length >= maximumSendWindow / 2 || inFlight == 0 ? length : nil
  }

  /// cwnd, plus a segment for each of the first two duplicate ACKs while only new data goes
  /// out: RFC 3042's limited transmit, which keeps ACKs coming so that a small window still
  /// reaches the three duplicates that fast retransmit needs. cwnd itself does not change.
  private var congestionWindowWithLimitedTransmit: Int {
    let duplicates = congestion.duplicateAcknowledgements
    guard !congestion.isInRecovery, sendNext == sendMaximum, duplicates > 0 else {
      return congestion.congestionWindow
    }
    let extra = min(duplicates, TCPCongestionControl.duplicateAcknowledgementThreshold - 1)
    return congestion.congestionWindow + extra * sendMaximumSegmentSize
  }

  /// The most data one segment carries: the MSS less the options every segment has.
  var sendMaximumPayload: Int {
    sendMaximumSegmentSize - (timestamps == nil ? 0 : TCPConnection.timestampsOptionLength)
  }

  /// The bytes the timestamps option takes in every segment once negotiated.
  static let timestampsOptionLength = 12

  /// Sends `length` bytes of data from `sequence` (with the FIN if they end where it goes),
  /// and moves SND.NXT and the highest sequence sent.
  private mutating func send(
    at sequence: SequenceNumber, length: Int, now: Instant, into output: inout [TCPSegment]
  ) {
    let segment = makeSegment(at: sequence, length: length, now: now)
    let end = sequence + UInt32(segment.sequenceLength)
    if sequence < sendMaximum {
      roundTripProbe = nil  // Karn's rule: a retransmitted segment gives no sample
      retransmittedEnd = SequenceNumber.later(retransmittedEnd, end)
      retransmissionTimestamp = timestamps?.value(at: now) ?? 0
    } else if roundTripProbe == nil && timestamps == nil {
      roundTripProbe = (sequence, now)
    }
    if end > sendNext { sendNext = end }
    if end > sendMaximum { sendMaximum = end }
    output.append(segment)
  }

  /// A segment with no data that acknowledges what we received. Its sequence number is the
  /// highest we sent, not SND.NXT: while going back after a timeout, SND.NXT may lie below
  /// what the peer already has, and it would drop the ACK as an old duplicate.
  mutating func makeAcknowledgement(now: Instant) -> TCPSegment {
    makeSegment(at: sendMaximum, length: 0, fin: false, now: now)
  }

  /// A segment from `sequence` with `length` bytes of data from the send buffer, the FIN if
  /// `fin` allows and it ends where the FIN goes, and ACK with the window, timestamps and SACK
  /// blocks. (`mutating` only so that calls from the mutating methods do not copy the whole
  /// connection: see `nextSegmentLength`.)
  mutating func makeSegment(
    at sequence: SequenceNumber, length: Int, fin: Bool = true, now: Instant
  ) -> TCPSegment {
    var payload: ArraySlice<UInt8> = []
    var flags: TCPFlags = .ack
    if length > 0 {
      // A view of the send buffer, copied only into the frame; the segment is sent before the
      // buffer changes again.
      payload = sendBuffer.bytes(from: dataStart.distance(to: sequence).clamped, count: length)
      flags.insert(.psh)
    }
    if fin && finQueued && sequence + UInt32(length) == finSequence { flags.insert(.fin) }
    var options = TCPOptions()
    if let timestamps {
      options.timestamps = .init(value: timestamps.value(at: now), echoReply: timestamps.recent)
    }
    if sackPermitted && !reassembly.isEmpty {
      options.sackBlocks = reassembly.sackBlocks(maximum: timestamps == nil ? 4 : 3)
    }
    let header = TCPHeader(
      sourcePort: endpoints.localPort, destinationPort: endpoints.remotePort,
      sequenceNumber: sequence, acknowledgementNumber: receiveNext, flags: flags,
      window: advertisedWindowField(), options: options)
    return TCPSegment(header: header, payload: payload)
  }

  /// The window field to send, scaled; the edge it announces never moves left, and moves right
  /// only by a worthwhile step (receiver silly window avoidance, RFC 9293 section 3.8.6.2.2).
  @inline(__always) func advertisedWindowField() -> UInt16 {
    let possibleEdge = receiveNext + UInt32(receiveWindow)
    let step = advertisedWindowEdge.distance(to: possibleEdge).clamped
    let worthwhile = min(configuration.receiveBufferSize / 2, receiveMaximumSegmentSize)
    let edge =
      step >= worthwhile ? possibleEdge : SequenceNumber.later(advertisedWindowEdge, receiveNext)
    let window = receiveNext.distance(to: edge).clamped
    return UInt16(clamping: window >> Int(receiveWindowShift))
  }

  /// Records that an acknowledgement of everything up to RCV.NXT went out.
  mutating func noteAcknowledgementSent() {
    acknowledgementDue = false
    delayedAcknowledgementDeadline = nil
    unacknowledgedReceivedBytes = 0
    lastAcknowledgementSent = receiveNext
    let announced = Int(advertisedWindowField()) << Int(receiveWindowShift)
    advertisedWindowEdge = SequenceNumber.later(
      advertisedWindowEdge, receiveNext + UInt32(announced))
  }

  /// Starts the retransmission timer when something is in flight and it is not running, and
  /// the persist timer when data waits behind a zero window with nothing in flight.
  private mutating func armSendTimers(now: Instant) {
    if flightSize > 0 {
      if retransmissionDeadline == nil {
        retransmissionDeadline = now + roundTrip.retransmissionTimeout
      }
      persistDeadline = nil
    } else {
      retransmissionDeadline = nil
      let waiting = sendBuffer.count > dataStart.distance(to: sendNext).clamped
      if waiting && sendWindow == 0 {
        if persistDeadline == nil {
          persistDeadline = now + persistInterval
        }
      } else {
        persistDeadline = nil
        persistBackoff = 0
      }
    }
  }

  /// The interval before the next zero window probe: RTO, doubled per probe, at most 60 s.
  @inline(__always) var persistInterval: Duration {
    let doubled = roundTrip.retransmissionTimeout * (1 << min(persistBackoff, 6))
    return min(doubled, .seconds(60))
  }
}

extension Int32 {
  /// The value as an `Int`, or 0 when negative: a sequence distance where going backwards
  /// means "nothing".
  var clamped: Int { self < 0 ? 0 : Int(self) }
}
