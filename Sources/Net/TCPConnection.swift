import Time

/// One TCP connection's state (its transmission control block, RFC 9293 section 3.3.1) and the
/// rules that move it, as a sans-IO state machine.
///
/// The socket set hands it each segment for its four-tuple (`receive`), the application's calls
/// (`send`, `read`, `close`, `abort`), and the time at `deadline` (`poll`); after each, it
/// appends the segments it wants sent to an output list (`transmit`). It never reads a clock.
///
/// The send side keeps unacknowledged and unsent bytes in one bounded `ByteQueue`, starting at
/// `dataStart`; retransmission takes its timing from `TCPRoundTripEstimator`, its pace from
/// `TCPCongestionControl` and, with a SACK-capable peer, its choice of segments from
/// `TCPSACKScoreboard`. The receive side keeps in-order bytes in another bounded queue and
/// out-of-order ones in a `TCPReassemblyQueue` that never outgrows the advertised window.
struct TCPConnection {
  /// The connection's four-tuple.
  let endpoints: TCPEndpoints
  /// Its limits and timers.
  let configuration: TCPConfiguration
  /// Where it stands.
  var state: TCPState
  /// Why it ended, if it ended badly.
  var error: TCPConnectionError?

  // MARK: Send sequence space (RFC 9293 section 3.3.1)

  /// ISS: our initial sequence number, which our SYN takes.
  let initialSendSequence: SequenceNumber
  /// SND.UNA: the oldest sequence number not yet acknowledged.
  var sendUnacknowledged: SequenceNumber
  /// SND.NXT: the next sequence number to send; behind `sendMaximum` while going back after
  /// a retransmission timeout.
  var sendNext: SequenceNumber
  /// The sequence number after the highest ever sent (RFC 6675's HighData + 1).
  var sendMaximum: SequenceNumber
  /// SND.WND: the peer's window in bytes, already scaled.
  var sendWindow = 0
  /// The largest window the peer ever offered (RFC 5961's MAX.SND.WND).
  var maximumSendWindow = 0
  /// SND.WL1 and SND.WL2: the sequence and acknowledgement numbers of the segment that last
  /// updated `sendWindow`, so that an older segment cannot shrink it.
  var windowUpdateSequence = SequenceNumber(0)
  var windowUpdateAcknowledgement = SequenceNumber(0)
  /// The sequence number of `sendBuffer`'s first byte: just after our SYN, then moving on as
  /// data is acknowledged (SND.UNA, except that it stays before an acknowledged FIN).
  var dataStart: SequenceNumber
  /// Bytes from `dataStart` on: sent and unacknowledged, then unsent.
  var sendBuffer: ByteQueue
  /// Whether the application closed its sending side, so that a FIN follows the data.
  var finQueued = false

  // MARK: Receive sequence space

  /// IRS: the peer's initial sequence number.
  var initialReceiveSequence = SequenceNumber(0)
  /// RCV.NXT: the next sequence number expected.
  var receiveNext = SequenceNumber(0)
  /// In-order bytes the application has not read.
  var receiveBuffer: ByteQueue
  /// Bytes beyond `receiveNext`, held until the gap before them fills.
  var reassembly: TCPReassemblyQueue
  /// The right edge of the window we last advertised (RCV.NXT + RCV.WND then); it never moves
  /// left (RFC 9293 section 3.8.6.2.2).
  var advertisedWindowEdge = SequenceNumber(0)
  /// Whether the peer's FIN has arrived: the application reads to the end, then sees it.
  var receivedFIN = false

  // MARK: Negotiated on SYN

  /// The most payload (and options) our segments carry: the peer's MSS capped by our MTU.
  var sendMaximumSegmentSize = TCPConnection.defaultMaximumSegmentSize
  /// The MSS we announce: what our MTU carries.
  let receiveMaximumSegmentSize: Int
  /// The peer's window scale shift (RFC 7323); 0 when not negotiated.
  var sendWindowShift: UInt8 = 0
  /// Our window scale shift; 0 when not negotiated.
  var receiveWindowShift: UInt8 = 0
  /// Whether the peer may be sent SACK blocks and sends them (RFC 2018).
  var sackPermitted = false
  /// The timestamps state (RFC 7323), when both sides use them.
  var timestamps: TCPTimestampState?
  /// The offset added to our timestamp clock for this connection.
  let timestampOffset: UInt32

  // MARK: Loss recovery

  /// Estimates RTO (RFC 6298).
  var roundTrip: TCPRoundTripEstimator
  /// cwnd and ssthresh (RFC 5681, RFC 6582).
  var congestion: TCPCongestionControl
  /// What the peer SACKed (RFC 6675).
  var scoreboard: TCPSACKScoreboard
  /// RFC 6675's HighRxt: the highest sequence number retransmitted in this recovery.
  var highestRetransmitted: SequenceNumber
  /// The sequence number just after the highest byte ever sent twice (the SYN included), and
  /// our timestamp when we last sent one again. An ACK of bytes below `retransmittedEnd` is
  /// timed from its echoed timestamp only if that names the latest retransmission or a later
  /// segment (Karn's rule, RFC 6298 section 3, with timestamps telling the copies apart as in
  /// RFC 3522): an older echo comes from a peer that dropped our copy as a duplicate, or kept
  /// TS.Recent across a hole (RFC 7323 section 4.3), and would count the whole timeout as RTT.
  var retransmittedEnd: SequenceNumber
  var retransmissionTimestamp: UInt32 = 0
  /// RFC 6675's RescueRxt: the recovery point of the recovery that sent its one rescue
  /// retransmission.
  var rescueRetransmission: SequenceNumber?
  /// A segment being timed without timestamps: only one never retransmitted (Karn's rule).
  var roundTripProbe: (sequence: SequenceNumber, sentAt: Instant)?
  /// Consecutive retransmission timeouts without progress.
  var retransmissionCount = 0

  // MARK: Timers and pending work

  /// When the oldest unacknowledged segment is retransmitted.
  var retransmissionDeadline: Instant?
  /// When a delayed acknowledgement must go out.
  var delayedAcknowledgementDeadline: Instant?
  /// When a zero window is probed next.
  var persistDeadline: Instant?
  /// Zero window probes sent in a row, for the probe's backoff.
  var persistBackoff = 0
  /// When the idle connection is probed next (only with keepalive configured).
  var keepaliveDeadline: Instant?
  /// Keepalive probes sent without an answer.
  var keepaliveProbesUnanswered = 0
  /// When a TIME-WAIT connection is forgotten.
  var timeWaitDeadline: Instant?
  /// Whether an acknowledgement must go out at the next `transmit`.
  var acknowledgementDue = false
  /// Bytes received in order since we last acknowledged (for ACK-every-second-segment).
  var unacknowledgedReceivedBytes = 0
  /// Whether our SYN (or SYN-ACK) must be sent at the next `transmit`.
  var synPending = false
  /// Whether the segment at SND.UNA must be retransmitted at the next `transmit` (fast
  /// retransmit, or a NewReno partial acknowledgement).
  var retransmitFirstPending = false
  /// Whether a zero window probe or keepalive probe must go out at the next `transmit`.
  var probePending = false
  /// A segment with an unacceptable acknowledgement in SYN-SENT or SYN-RECEIVED, to be
  /// answered with a reset at the next `transmit` (RFC 9293 section 3.10.7.3).
  var resetPending: TCPHeader?
  /// The start of the current second of challenge ACKs, and how many it has sent.
  var challengeSecondStart = Instant.zero
  var challengesThisSecond = 0
  /// RCV.NXT as of the last acknowledgement we sent (RFC 7323's Last.ACK.sent).
  var lastAcknowledgementSent = SequenceNumber(0)
  /// The latest soft ICMP error and SND.UNA when it came (see `lastSoftError`).
  var softError: (report: ICMPv4ErrorReport, sendUnacknowledged: SequenceNumber)?

  /// The MSS assumed when the peer names none (RFC 9293 section 3.7.1).
  static let defaultMaximumSegmentSize = 536

  /// A connection opening actively: a SYN goes out at the first `transmit`.
  init(
    connecting endpoints: TCPEndpoints, initialSequence: SequenceNumber, timestampOffset: UInt32,
    maximumSegmentSize: Int, configuration: TCPConfiguration, now: Instant
  ) {
    self.endpoints = endpoints
    self.configuration = configuration
    state = .synSent
    initialSendSequence = initialSequence
    sendUnacknowledged = initialSequence
    sendNext = initialSequence
    sendMaximum = initialSequence
    dataStart = initialSequence + 1
    highestRetransmitted = initialSequence
    retransmittedEnd = initialSequence
    self.timestampOffset = timestampOffset
    receiveMaximumSegmentSize = maximumSegmentSize
    sendBuffer = ByteQueue(capacity: configuration.sendBufferSize)
    receiveBuffer = ByteQueue(capacity: configuration.receiveBufferSize)
    reassembly = TCPReassemblyQueue(
      maximumBytes: configuration.receiveBufferSize,
      maximumRanges: configuration.maximumOutOfOrderRanges)
    roundTrip = TCPRoundTripEstimator(configuration: configuration.roundTrip)
    congestion = TCPCongestionControl(maximumSegmentSize: TCPConnection.defaultMaximumSegmentSize)
    scoreboard = TCPSACKScoreboard()
    synPending = true
  }

  /// A connection opening passively from the peer's `syn`: a SYN-ACK goes out at the first
  /// `transmit`.
  init(
    accepting syn: TCPHeader, endpoints: TCPEndpoints, initialSequence: SequenceNumber,
    timestampOffset: UInt32, maximumSegmentSize: Int, configuration: TCPConfiguration,
    now: Instant
  ) {
    self.init(
      connecting: endpoints, initialSequence: initialSequence, timestampOffset: timestampOffset,
      maximumSegmentSize: maximumSegmentSize, configuration: configuration, now: now)
    state = .synReceived
    synchronize(with: syn)
  }

  /// A connection that a valid SYN cookie brings straight to ESTABLISHED (RFC 4987 section
  /// 3.6): the peer's ACK of our stateless SYN-ACK, whose only option was the MSS, so neither
  /// window scaling, SACK nor timestamps are in use.
  init(
    cookieAcknowledgement ack: TCPHeader, endpoints: TCPEndpoints, maximumSegmentSize: Int,
    peerMaximumSegmentSize: Int, configuration: TCPConfiguration, now: Instant
  ) {
    self.init(
      connecting: endpoints, initialSequence: ack.acknowledgementNumber - 1, timestampOffset: 0,
      maximumSegmentSize: maximumSegmentSize, configuration: configuration, now: now)
    state = .established
    synPending = false
    initialReceiveSequence = ack.sequenceNumber - 1
    receiveNext = ack.sequenceNumber
    advertisedWindowEdge = receiveNext
    sendUnacknowledged = ack.acknowledgementNumber
    sendNext = ack.acknowledgementNumber
    sendMaximum = ack.acknowledgementNumber
    highestRetransmitted = sendNext
    setSendMaximumSegmentSize(peerMaximumSegmentSize)
    // The first window comes from this ACK itself, unscaled (no window scale was agreed).
    sendWindow = Int(ack.window)
    maximumSendWindow = sendWindow
    windowUpdateSequence = ack.sequenceNumber
    windowUpdateAcknowledgement = ack.acknowledgementNumber
  }

  /// Takes the peer's SYN: its sequence number and the options both sides now use.
  mutating func synchronize(with syn: TCPHeader) {
    initialReceiveSequence = syn.sequenceNumber
    receiveNext = syn.sequenceNumber + 1
    advertisedWindowEdge = receiveNext
    let options = syn.options
    setSendMaximumSegmentSize(
      Int(options.maximumSegmentSize ?? UInt16(TCPConnection.defaultMaximumSegmentSize)))
    if let shift = options.windowScale {
      sendWindowShift = min(shift, TCPOptions.maximumWindowScale)
      receiveWindowShift = TCPConnection.windowShift(for: configuration.receiveBufferSize)
    }
    sackPermitted = options.sackPermitted
    if let peer = options.timestamps {
      timestamps = TCPTimestampState(recent: peer.value, offset: timestampOffset)
    }
    // The window in a SYN is never scaled (RFC 7323 section 2.2).
    sendWindow = Int(syn.window)
    maximumSendWindow = sendWindow
    windowUpdateSequence = syn.sequenceNumber
    windowUpdateAcknowledgement = syn.acknowledgementNumber
  }

  /// Uses `peer`'s MSS, capped by ours; the congestion window restarts in those units.
  private mutating func setSendMaximumSegmentSize(_ peer: Int) {
    sendMaximumSegmentSize = max(min(peer, receiveMaximumSegmentSize), 64)
    congestion = TCPCongestionControl(maximumSegmentSize: sendMaximumSegmentSize)
  }

  /// The smallest shift that brings a window of `bytes` into the header's 16 bits.
  static func windowShift(for bytes: Int) -> UInt8 {
    var shift: UInt8 = 0
    while bytes >> Int(shift) > 0xFFFF && shift < TCPOptions.maximumWindowScale { shift += 1 }
    return shift
  }

  // MARK: Derived positions

  /// The sequence number our FIN takes once queued: just after the last byte of data.
  var finSequence: SequenceNumber { dataStart + UInt32(sendBuffer.count) }

  /// Whether the peer has acknowledged our FIN.
  var finAcknowledged: Bool { finQueued && sendUnacknowledged == finSequence + 1 }

  /// Bytes sent and not yet acknowledged (RFC 5681's FlightSize), SYN and FIN included.
  var flightSize: Int { Int(sendUnacknowledged.distance(to: sendMaximum)) }

  /// The window we can offer now: what the receive buffer still has room for.
  var receiveWindow: Int { receiveBuffer.freeSpace }

  /// Whether the application has read everything and the peer's FIN is in.
  var reachedEndOfStream: Bool { receivedFIN && receiveBuffer.isEmpty }
}

/// The RFC 7323 timestamps state of a connection that uses them.
struct TCPTimestampState: Sendable {
  /// TS.Recent: the peer's timestamp to echo.
  var recent: UInt32
  /// The offset added to our millisecond clock for this connection.
  let offset: UInt32

  /// Our TSval at `now`: a millisecond clock, offset per connection so that it does not tell
  /// the host's uptime (RFC 7323 section 5.4).
  func value(at now: Instant) -> UInt32 {
    UInt32(truncatingIfNeeded: now.nanoseconds / 1_000_000) &+ offset
  }
}
