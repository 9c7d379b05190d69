import Time

extension TCPConnection {
  /// Takes one segment for this connection, following RFC 9293 section 3.10.7 ("SEGMENT
  /// ARRIVES") with RFC 5961's defences and RFC 7323's PAWS. What to send in answer is left for
  /// `transmit`.
  mutating func receive(_ header: TCPHeader, payload: ArraySlice<UInt8>, now: Instant) {
    switch state {
    case .closed: return
    case .synSent: receiveInSYNSent(header, now: now)
    default: receiveSynchronizing(header, payload: payload, now: now)
    }
    if let keepalive = configuration.keepalive, state.isSynchronized {
      keepaliveDeadline = now + keepalive.idle
      keepaliveProbesUnanswered = 0
    }
  }

  /// SYN-SENT: the answer to our SYN is a SYN-ACK (open), a SYN (simultaneous open) or a
  /// reset acknowledging our SYN (refused); anything else is dropped, a bad ACK reset.
  private mutating func receiveInSYNSent(_ header: TCPHeader, now: Instant) {
    let flags = header.flags
    if flags.contains(.ack) {
      let ack = header.acknowledgementNumber
      guard ack > initialSendSequence && ack <= sendMaximum else {
        if !flags.contains(.rst) { resetPending = header }
        return
      }
    }
    if flags.contains(.rst) {
      if flags.contains(.ack) { end(with: .refused) }
      return
    }
    guard flags.contains(.syn) else { return }
    synchronize(with: header)
    if flags.contains(.ack) {
      acknowledge(header, now: now)
      state = .established
      acknowledgementDue = true
    } else {
      state = .synReceived
      synPending = true
    }
  }

  /// Every other state: check the sequence number, RST, SYN and ACK, then take the text and
  /// the FIN.
  private mutating func receiveSynchronizing(
    _ segment: TCPHeader, payload: ArraySlice<UInt8>, now: Instant
  ) {
    guard let header = screen(segment, now: now) else { return }
    let flags = header.flags
    guard isAcceptable(header, payloadLength: payload.count) else {
      if !flags.contains(.rst) { acknowledgementDue = true }
      return
    }
    if flags.contains(.rst) {
      receiveReset(header, now: now)
      return
    }
    if flags.contains(.syn) {
      challenge(now: now)  // RFC 5961 section 4.2: a challenge ACK, never a reset
      return
    }
    guard flags.contains(.ack) else { return }
    if state == .synReceived {
      let ack = header.acknowledgementNumber
      guard ack > sendUnacknowledged && ack <= sendMaximum else {
        resetPending = header
        return
      }
      state = finQueued ? .finWait1 : .established
    }
    guard processAcknowledgement(header, payloadLength: payload.count, now: now) else { return }
    updateTimestamps(from: header)
    let finSequence = header.sequenceNumber + UInt32(payload.count)
    if state.receivesData && !payload.isEmpty {
      receiveText(payload, at: header.sequenceNumber, now: now)
    }
    if flags.contains(.fin) && finSequence == receiveNext && !receivedFIN {
      receiveFIN(now: now)
    }
  }

  /// What SYN-RECEIVED and TIME-WAIT make of a segment before the usual checks: the segment to
  /// process, or nil when it is dealt with.
  private mutating func screen(_ segment: TCPHeader, now: Instant) -> TCPHeader? {
    var header = segment
    switch state {
    case .synReceived
    where header.flags.contains(.syn)
      && header.sequenceNumber == initialReceiveSequence:
      guard header.flags.contains(.ack) else {
        synPending = true  // the peer's SYN again: our SYN-ACK was lost
        return nil
      }
      // A simultaneous open (RFC 9293 figure 8, line 6): the peer's SYN-ACK repeats the SYN we
      // have; what is new is its ACK of ours, so it is taken as a segment just after the SYN.
      header.flags.remove(.syn)
      header.sequenceNumber += 1
    case .timeWait:
      // RFC 1337: a reset must not cut TIME-WAIT short. The peer's FIN again means our last
      // ACK was lost: it is acknowledged again (as an old segment) and 2 MSL restarts.
      if header.flags.contains(.rst) { return nil }
      if header.flags.contains(.fin) { timeWaitDeadline = now + configuration.timeWaitDuration }
    default:
      break
    }
    return header
  }

  /// RFC 9293's acceptability test: some of the segment lies in the receive window (or, with a
  /// zero window, an empty segment sits at RCV.NXT), and with timestamps it is not older than
  /// the last one (PAWS, RFC 7323 section 5.3).
  @inline(__always) private func isAcceptable(_ header: TCPHeader, payloadLength: Int) -> Bool {
    let length =
      payloadLength + (header.flags.contains(.syn) ? 1 : 0)
      + (header.flags.contains(.fin) ? 1 : 0)
    let window = receiveNext.distance(to: SequenceNumber.later(advertisedWindowEdge, receiveNext))
      .clamped
    let first = header.sequenceNumber
    let inWindow = { (sequence: SequenceNumber) -> Bool in
      sequence >= self.receiveNext && sequence < self.receiveNext + UInt32(window)
    }
    let acceptable: Bool
    switch (length, window) {
    case (0, 0): acceptable = first == receiveNext
    case (0, _): acceptable = inWindow(first)
    case (_, 0): acceptable = false
    default: acceptable = inWindow(first) || inWindow(first + UInt32(length - 1))
    }
    guard acceptable else { return false }
    if let timestamps, let theirs = header.options.timestamps, !header.flags.contains(.rst) {
      return !(SequenceNumber(theirs.value) < SequenceNumber(timestamps.recent))
    }
    return true
  }

  /// RFC 5961 section 3.2: only a reset exactly at RCV.NXT ends the connection; one elsewhere
  /// in the window gets a challenge ACK, which a real peer answers with an exact reset and a
  /// blind attacker cannot see.
  private mutating func receiveReset(_ header: TCPHeader, now: Instant) {
    guard header.sequenceNumber == receiveNext else {
      challenge(now: now)
      return
    }
    end(with: state == .synReceived ? nil : .reset)
  }

  /// Owes the peer a challenge ACK (RFC 5961), unless this second's allowance is spent
  /// (section 7).
  mutating func challenge(now: Instant) {
    if now < challengeSecondStart || now.duration(since: challengeSecondStart) >= .seconds(1) {
      challengeSecondStart = now
      challengesThisSecond = 0
    }
    guard challengesThisSecond < configuration.maximumChallengeAcknowledgementsPerSecond else {
      return
    }
    challengesThisSecond += 1
    acknowledgementDue = true
  }

  /// Ends the connection at once, recording `error` (nil for a quiet end).
  mutating func end(with error: TCPConnectionError?) {
    state = .closed
    self.error = self.error ?? error
    retransmissionDeadline = nil
    delayedAcknowledgementDeadline = nil
    persistDeadline = nil
    keepaliveDeadline = nil
    timeWaitDeadline = nil
    acknowledgementDue = false
  }

  /// Step five: the acknowledgement. Drops the segment (false) when it acknowledges what we
  /// never sent or lies too far back (RFC 5961 section 5.2); otherwise advances SND.UNA, feeds
  /// the round-trip estimator, congestion control and the SACK scoreboard, counts duplicate
  /// ACKs, updates the send window and moves the closing states on.
  private mutating func processAcknowledgement(
    _ header: TCPHeader, payloadLength: Int, now: Instant
  ) -> Bool {
    let ack = header.acknowledgementNumber
    if ack > sendMaximum || ack < sendUnacknowledged - UInt32(maximumSendWindow) {
      challenge(now: now)
      return false
    }
    if ack > sendUnacknowledged {
      acknowledge(header, now: now)
    } else if ack == sendUnacknowledged {
      countDuplicate(header, payloadLength: payloadLength)
    }
    updateSendWindow(from: header)
    if finAcknowledged {
      switch state {
      case .finWait1: state = .finWait2
      case .closing: enterTimeWait(now: now)
      case .lastAck: end(with: nil)
      default: break
      }
    }
    return true
  }

  /// An ACK that acknowledges new data: frees it from the send buffer and learns from it.
  private mutating func acknowledge(_ header: TCPHeader, now: Instant) {
    let ack = header.acknowledgementNumber
    let newlyAcknowledged = sendUnacknowledged.distance(to: ack).clamped
    let flightBefore = flightSize
    sampleRoundTrip(header, now: now)  // before SND.UNA moves: Karn's rule looks at it
    let freed = min(dataStart.distance(to: ack).clamped, sendBuffer.count)
    sendBuffer.removeFirst(freed)
    dataStart += UInt32(freed)
    sendUnacknowledged = ack
    if sendNext < ack { sendNext = ack }
    if highestRetransmitted < ack { highestRetransmitted = ack }
    retransmissionCount = 0
    persistBackoff = 0
    if sackPermitted {
      _ = scoreboard.update(
        acknowledgement: ack, blocks: header.options.sackBlocks, highestSent: sendMaximum)
    }
    let action = congestion.acknowledged(
      bytes: newlyAcknowledged, acknowledgement: ack, flightSize: flightBefore)
    if case .retransmitFirstUnacknowledged = action { retransmitFirstPending = true }
    retransmissionDeadline = flightSize > 0 ? now + roundTrip.retransmissionTimeout : nil
  }

  /// A duplicate ACK: RFC 5681's (nothing new acknowledged, no data, no SYN or FIN, the same
  /// window, data outstanding), or with SACK one that SACKs new data (RFC 6675 section 2). The
  /// third starts fast retransmit; with SACK, so does the scoreboard deeming SND.UNA lost.
  private mutating func countDuplicate(_ header: TCPHeader, payloadLength: Int) {
    let ack = header.acknowledgementNumber
    var newlySACKed = false
    if sackPermitted {
      newlySACKed = scoreboard.update(
        acknowledgement: ack, blocks: header.options.sackBlocks, highestSent: sendMaximum)
    }
    let window = Int(header.window) << Int(sendWindowShift)
    let plain = payloadLength == 0 && !header.flags.contains(.syn) && !header.flags.contains(.fin)
    guard flightSize > 0, newlySACKed || (plain && window == sendWindow) else { return }
    var action = congestion.duplicateAcknowledgement(
      acknowledgement: ack, highestSent: sendMaximum, flightSize: flightSize,
      sackRecovery: sackPermitted)
    if sackPermitted, !congestion.isInRecovery,
      scoreboard.isLost(sendUnacknowledged, maximumSegmentSize: sendMaximumSegmentSize)
    {
      action = congestion.enterRecovery(
        acknowledgement: ack, highestSent: sendMaximum, flightSize: flightSize,
        sackRecovery: true)
    }
    switch action {
    case .retransmitFirstUnacknowledged, .enteredRecovery:
      retransmitFirstPending = true
      let length = min(sendMaximumPayload, flightSize)
      highestRetransmitted = sendUnacknowledged + UInt32(length)
    default:
      break
    }
  }

  /// A round-trip sample: from the echoed timestamp when both use them (RFC 7323 section 4.1),
  /// else from the timed segment if it is now acknowledged and was never retransmitted.
  private mutating func sampleRoundTrip(_ header: TCPHeader, now: Instant) {
    if let timestamps, let echoed = header.options.timestamps?.echoReply, echoed != 0 {
      guard
        retransmittedEnd <= sendUnacknowledged
          || !(SequenceNumber(echoed) < SequenceNumber(retransmissionTimestamp))
      else { return }
      let elapsed = timestamps.value(at: now) &- echoed
      if elapsed < 1 << 31 { roundTrip.addSample(.milliseconds(Int64(elapsed))) }
      return
    }
    if let probe = roundTripProbe, header.acknowledgementNumber > probe.sequence {
      roundTrip.addSample(now.duration(since: probe.sentAt))
      roundTripProbe = nil
    }
  }

  /// SND.WND from a segment newer than the one that last set it (RFC 9293 section 3.10.7.4).
  mutating func updateSendWindow(from header: TCPHeader) {
    let sequence = header.sequenceNumber
    let ack = header.acknowledgementNumber
    guard
      windowUpdateSequence < sequence
        || (windowUpdateSequence == sequence && windowUpdateAcknowledgement <= ack)
    else { return }
    sendWindow = Int(header.window) << Int(sendWindowShift)
    maximumSendWindow = max(maximumSendWindow, sendWindow)
    windowUpdateSequence = sequence
    windowUpdateAcknowledgement = ack
  }

  /// TS.Recent follows the peer's newest timestamp on segments up to what we acknowledged
  /// (RFC 7323 section 4.3).
  private mutating func updateTimestamps(from header: TCPHeader) {
    guard var state = timestamps, let theirs = header.options.timestamps else { return }
    if !(SequenceNumber(theirs.value) < SequenceNumber(state.recent))
      && header.sequenceNumber <= lastAcknowledgementSent
    {
      state.recent = theirs.value
      timestamps = state
    }
  }

  /// Step seven: data. In-order bytes go to the receive buffer, with whatever they join from
  /// the reassembly queue; out-of-order ones go to that queue. Every second full segment, a
  /// filled gap, an out-of-order arrival or bytes beyond the window are acknowledged at once;
  /// otherwise the ACK waits a little for company (RFC 9293 section 3.8.6.3, RFC 5681 section 4.2).
  private mutating func receiveText(
    _ payload: ArraySlice<UInt8>, at sequence: SequenceNumber, now: Instant
  ) {
    var bytes = payload
    var start = sequence
    let alreadyHave = start.distance(to: receiveNext).clamped
    if alreadyHave > 0 {
      bytes = bytes.dropFirst(alreadyHave)
      start = receiveNext
    }
    let offset = receiveNext.distance(to: start).clamped
    let room = max(receiveWindow - offset, 0)
    // Bytes beyond the window are dropped: the ACK goes at once to tell the sender where the
    // window ends, rather than leave it to find out by timeout.
    let overflowed = bytes.count > room
    bytes = bytes.prefix(room)
    guard !bytes.isEmpty else {
      acknowledgementDue = true
      return
    }
    guard start == receiveNext else {
      _ = reassembly.insert(bytes, at: start, receiveNext: receiveNext)
      acknowledgementDue = true
      return
    }
    let accepted = receiveBuffer.append(contentsOf: bytes)
    assert(accepted == bytes.count, "the window never exceeds the receive buffer's room")
    receiveNext += UInt32(accepted)
    let filled = reassembly.takeContiguous(at: receiveNext)
    if !filled.isEmpty {
      let joined = receiveBuffer.append(contentsOf: filled)
      assert(joined == filled.count, "held bytes lie within the window")
      receiveNext += UInt32(joined)
    }
    unacknowledgedReceivedBytes += accepted + filled.count
    if overflowed || !filled.isEmpty || !reassembly.isEmpty
      || unacknowledgedReceivedBytes >= 2 * receiveMaximumSegmentSize
    {
      acknowledgementDue = true
    } else if delayedAcknowledgementDeadline == nil {
      delayedAcknowledgementDeadline = now + configuration.delayedAcknowledgementTimeout
    }
  }

  /// Step eight: the peer's FIN, in order after all its data.
  private mutating func receiveFIN(now: Instant) {
    receiveNext += 1
    receivedFIN = true
    acknowledgementDue = true
    switch state {
    case .synReceived, .established: state = .closeWait
    case .finWait1: state = finAcknowledged ? .timeWait : .closing
    case .finWait2: state = .timeWait
    default: break
    }
    if state == .timeWait { enterTimeWait(now: now) }
  }

  /// TIME-WAIT: nothing more to send but the last ACK, kept for 2 MSL.
  mutating func enterTimeWait(now: Instant) {
    state = .timeWait
    retransmissionDeadline = nil
    persistDeadline = nil
    keepaliveDeadline = nil
    delayedAcknowledgementDeadline = nil
    timeWaitDeadline = now + configuration.timeWaitDuration
  }
}
