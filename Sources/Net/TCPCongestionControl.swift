/// How much unacknowledged data a TCP sender may have in the network: Reno congestion control
/// (RFC 5681) with appropriate byte counting (RFC 3465) and NewReno fast recovery (RFC 6582).
///
/// The sender may have at most min(`congestionWindow`, the peer's receive window) bytes in
/// flight. The window grows while acknowledgements arrive: by up to 2 segments per ACK in slow
/// start (below `slowStartThreshold`), by about one segment per round trip above it. A loss
/// halves it: three duplicate ACKs start fast retransmit and fast recovery, a retransmission
/// timeout drops it to one segment.
///
/// Two recoveries share the entry and exit bookkeeping here. Without SACK, NewReno inflates the
/// window by a segment per further duplicate ACK (each one says a segment left the network) and
/// retransmits the next hole on each partial ACK. With SACK (RFC 6675), the sender counts what
/// is in flight itself (`TCPSACKScoreboard.pipe`) and sends while `pipe` stays below the window,
/// so the window is neither inflated nor deflated and holes come from the scoreboard.
///
/// The caller decides what a duplicate ACK is (RFC 5681 section 2: no data, no SYN or FIN, the
/// same acknowledgement and window, data outstanding; with SACK, RFC 6675 section 2 also counts
/// an ACK that SACKs new data). All sizes are in bytes.
public struct TCPCongestionControl: Hashable, Sendable {
  /// What the caller must do after an event.
  public enum Action: Hashable, Sendable {
    /// Nothing beyond sending what the window allows.
    case none
    /// Loss recovery began: fast-retransmit the segment at the first unacknowledged byte now
    /// (RFC 6582 section 3.2 step 3, RFC 6675 section 5 step 4.3). Without SACK, also restart
    /// the retransmission timer as for any retransmission.
    case enteredRecovery
    /// A partial ACK in NewReno recovery: retransmit the segment at the first unacknowledged
    /// byte now (RFC 6582 section 3.2 step 6). RFC 6582 suggests restarting the timer only on the
    /// first partial ACK of a recovery (the "impatient" variant).
    case retransmitFirstUnacknowledged
    /// The ACK covered `recoveryPoint`: recovery is over and the window is back to normal growth.
    case exitedRecovery
  }

  /// DupThresh: the duplicate ACK that triggers fast retransmit (RFC 5681 section 3.2).
  public static let duplicateAcknowledgementThreshold = 3
  /// The largest window: sequence arithmetic stays valid below 2^30 (RFC 7323 section 2.3), and
  /// this also bounds every sum in here well inside `Int`.
  public static let maximumWindow = 1 << 30

  /// SMSS: the largest segment the sender sends, the unit of window growth.
  public private(set) var maximumSegmentSize: Int
  /// cwnd: the bytes the network may hold, as this sender estimates.
  public private(set) var congestionWindow: Int
  /// ssthresh: below it the window grows by slow start, above it by congestion avoidance.
  public private(set) var slowStartThreshold: Int
  /// While in fast recovery, the sequence number just after the highest byte sent when it began
  /// (HighData, SND.MAX): an ACK at or beyond it ends recovery. Nil when not in recovery.
  public private(set) var recoveryPoint: SequenceNumber?
  /// Whether the current recovery uses SACK (RFC 6675) rather than NewReno window inflation.
  public private(set) var isSACKRecovery = false
  /// How many duplicate ACKs arrived since the last ACK of new data.
  public private(set) var duplicateAcknowledgements = 0
  /// RFC 6582's `recover`: SND.MAX when loss was last detected, by duplicate ACKs or a timeout.
  /// Duplicate ACKs at or below it stem from data sent before that loss and must not start a
  /// second fast retransmit (RFC 6582 section 3.2 step 1 and section 4). Nil until a loss.
  /// As in the RFC, duplicates whose acknowledgement equals it exactly are refused too, so a
  /// loss of the first segment sent after a recovery is repaired by the timer instead.
  public private(set) var lastLossPoint: SequenceNumber?

  /// Bytes acknowledged in congestion avoidance since the window last grew (RFC 3465 section
  /// 2.1's bytes_acked).
  private var bytesAcknowledgedSinceGrowth = 0
  /// Set by a timeout and cleared by the next ACK of new data: a timeout while set is a repeated
  /// one for the same data, which must not halve the threshold again (RFC 5681 section 3.1).
  private var timedOutWithoutProgress = false
  /// Set by a timeout until slow start ends: growth is limited to 1 segment per ACK then, since
  /// one ACK may cover data the network delivered long before (RFC 3465).
  private var isSlowStartAfterTimeout = false

  /// Whether the connection is in fast recovery.
  public var isInRecovery: Bool { recoveryPoint != nil }

  /// The first window of a connection (RFC 6928): min(10 * SMSS, max(2 * SMSS, 14600)).
  public var initialWindow: Int { Self.initialWindow(maximumSegmentSize: maximumSegmentSize) }

  /// A sender that has seen no loss: the initial window and an unbounded threshold.
  public init(maximumSegmentSize: Int) {
    precondition(
      maximumSegmentSize > 0 && maximumSegmentSize <= UInt16.max, "SMSS out of range")
    self.maximumSegmentSize = maximumSegmentSize
    self.slowStartThreshold = Self.maximumWindow
    self.congestionWindow = Self.initialWindow(maximumSegmentSize: maximumSegmentSize)
  }

  /// The path carries only smaller segments (RFC 1191): SMSS shrinks to `size`. The window,
  /// in bytes, stays: a smaller packet size says nothing about congestion.
  public mutating func lowerMaximumSegmentSize(to size: Int) {
    precondition(size > 0 && size <= maximumSegmentSize, "SMSS only shrinks here")
    maximumSegmentSize = size
  }

  /// An ACK acknowledged new data: `bytes` newly acknowledged, `acknowledgement` the new
  /// SND.UNA, `flightSize` the bytes still outstanding after it (SND.MAX - SND.UNA).
  public mutating func acknowledged(
    bytes: Int, acknowledgement: SequenceNumber, flightSize: Int
  ) -> Action {
    precondition(bytes > 0 && flightSize >= 0, "an ACK of new data acknowledges bytes")
    duplicateAcknowledgements = 0
    timedOutWithoutProgress = false
    guard let recoveryPoint else {
      grow(by: bytes)
      return .none
    }
    if recoveryPoint <= acknowledgement {
      // Full ACK: RFC 6582 step 6 option (1), min(ssthresh, max(FlightSize, SMSS) + SMSS),
      // which keeps a nearly empty pipe from releasing a burst of ssthresh bytes at once.
      let flightAllowance = max(flightSize, maximumSegmentSize) + maximumSegmentSize
      congestionWindow = min(slowStartThreshold, flightAllowance)
      self.recoveryPoint = nil
      bytesAcknowledgedSinceGrowth = 0
      return .exitedRecovery
    }
    if isSACKRecovery { return .none }
    // Partial ACK: deflate by what left the network, add back one segment when at least one
    // segment's worth was acknowledged, so that about ssthresh bytes stay in flight.
    congestionWindow -= bytes
    if bytes >= maximumSegmentSize { congestionWindow += maximumSegmentSize }
    congestionWindow = max(congestionWindow, maximumSegmentSize)
    return .retransmitFirstUnacknowledged
  }

  /// A duplicate ACK arrived. `acknowledgement` is its (unchanged) acknowledgement number,
  /// `highestSent` SND.MAX, `flightSize` SND.MAX - SND.UNA. `sackRecovery` chooses how a
  /// recovery this ACK starts is run: true when both sides agreed on SACK.
  public mutating func duplicateAcknowledgement(
    acknowledgement: SequenceNumber, highestSent: SequenceNumber, flightSize: Int,
    sackRecovery: Bool
  ) -> Action {
    duplicateAcknowledgements = min(duplicateAcknowledgements + 1, Self.maximumWindow)
    if isInRecovery {
      if !isSACKRecovery {
        // Each duplicate ACK says one more segment left the network (RFC 6582 step 4).
        congestionWindow = min(congestionWindow + maximumSegmentSize, Self.maximumWindow)
      }
      return .none
    }
    guard duplicateAcknowledgements == Self.duplicateAcknowledgementThreshold else {
      return .none
    }
    return enterRecovery(
      acknowledgement: acknowledgement, highestSent: highestSent, flightSize: flightSize,
      sackRecovery: sackRecovery)
  }

  /// Starts loss recovery now if it may start: not already in recovery, and `acknowledgement`
  /// (SND.UNA) beyond `lastLossPoint`. `duplicateAcknowledgement` calls this on the third
  /// duplicate ACK; a SACK sender also calls it when the scoreboard finds the first
  /// unacknowledged byte lost with fewer duplicate ACKs (RFC 6675 section 5 step 3b).
  public mutating func enterRecovery(
    acknowledgement: SequenceNumber, highestSent: SequenceNumber, flightSize: Int,
    sackRecovery: Bool
  ) -> Action {
    precondition(flightSize >= 0, "a flight size is never negative")
    guard !isInRecovery else { return .none }
    if let lastLossPoint, acknowledgement <= lastLossPoint { return .none }
    slowStartThreshold = halvedFlight(flightSize)
    // NewReno counts the three segments the duplicate ACKs say have left; SACK counts them in
    // pipe instead (RFC 6675 section 5 step 4.2).
    let departed = sackRecovery ? 0 : Self.duplicateAcknowledgementThreshold * maximumSegmentSize
    congestionWindow = min(slowStartThreshold + departed, Self.maximumWindow)
    recoveryPoint = highestSent
    lastLossPoint = highestSent
    isSACKRecovery = sackRecovery
    isSlowStartAfterTimeout = false
    return .enteredRecovery
  }

  /// The retransmission timer expired; `flightSize` is SND.MAX - SND.UNA and `highestSent`
  /// SND.MAX before the caller rewinds to resend. Ends any recovery and leaves one segment of
  /// window (RFC 5681 section 3.1, RFC 6582 section 3.2). The caller also clears its SACK
  /// scoreboard, since a receiver may discard data it SACKed (RFC 2018 section 8).
  public mutating func retransmissionTimeout(highestSent: SequenceNumber, flightSize: Int) {
    precondition(flightSize >= 0, "a flight size is never negative")
    if !timedOutWithoutProgress {
      slowStartThreshold = halvedFlight(flightSize)
    }
    congestionWindow = maximumSegmentSize
    recoveryPoint = nil
    lastLossPoint = highestSent
    duplicateAcknowledgements = 0
    bytesAcknowledgedSinceGrowth = 0
    timedOutWithoutProgress = true
    isSlowStartAfterTimeout = true
  }

  /// The sender is about to send after `idle` without anything in flight. After more than one
  /// retransmission timeout of silence the window no longer reflects the path, so it shrinks to
  /// at most the initial window (RFC 5681 section 4.1).
  public mutating func restartAfterIdle(idle: Duration, retransmissionTimeout: Duration) {
    guard idle > retransmissionTimeout, !isInRecovery else { return }
    congestionWindow = min(congestionWindow, initialWindow)
    bytesAcknowledgedSinceGrowth = 0
  }

  /// Grows the window for `bytes` newly acknowledged outside recovery.
  private mutating func grow(by bytes: Int) {
    if congestionWindow < slowStartThreshold {
      // Slow start with byte counting: at most L = 2 * SMSS per ACK (RFC 3465 section 2.2).
      let limit = (isSlowStartAfterTimeout ? 1 : 2) * maximumSegmentSize
      congestionWindow = min(congestionWindow + min(bytes, limit), Self.maximumWindow)
      return
    }
    isSlowStartAfterTimeout = false
    // Congestion avoidance: one segment each time a window's worth was acknowledged.
    bytesAcknowledgedSinceGrowth = min(bytesAcknowledgedSinceGrowth + bytes, Self.maximumWindow)
    if bytesAcknowledgedSinceGrowth >= congestionWindow {
      bytesAcknowledgedSinceGrowth -= congestionWindow
      congestionWindow = min(congestionWindow + maximumSegmentSize, Self.maximumWindow)
    }
  }

  /// RFC 6928's initial window for a sender with this SMSS.
  private static func initialWindow(maximumSegmentSize: Int) -> Int {
    min(10 * maximumSegmentSize, max(2 * maximumSegmentSize, 14_600))
  }

  /// ssthresh after a loss: max(FlightSize / 2, 2 * SMSS) (RFC 5681 equation 4).
  private func halvedFlight(_ flightSize: Int) -> Int {
    max(min(flightSize, Self.maximumWindow) / 2, 2 * maximumSegmentSize)
  }
}
