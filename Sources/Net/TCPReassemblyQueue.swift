/// The out-of-order data a TCP receiver holds beyond RCV.NXT until the gap before it fills
/// (RFC 9293 section 3.10.7.4, "seventh, process the segment text"), and the SACK blocks that
/// describe it (RFC 2018).
///
/// The bytes are kept as disjoint ranges sorted by sequence number, each one array of bytes
/// plus a small header. Ranges that overlap or touch are merged, so every range is a maximal
/// run of held bytes: exactly what a SACK block reports. Where a segment overlaps bytes already
/// held, the held bytes win (a correct peer sends the same data again).
///
/// Memory is bounded: at most `maximumBytes` bytes in at most `maximumRanges` ranges. A segment
/// that would exceed either limit is dropped whole, and nothing of it is kept; the peer will
/// retransmit it. Only the part before `receiveNext`, which the receiver already has, is trimmed.
///
/// The queue is for out-of-order data. The caller hands data that starts at RCV.NXT straight to
/// the application's receive buffer, advances RCV.NXT, then calls `takeContiguous(at:)` for any
/// held bytes that now follow on. In-order data can also go through `insert`, but then it
/// counts against the limits, and a full queue would drop it.
public struct TCPReassemblyQueue: Sendable {
  /// A run of held bytes.
  private struct HeldRange: Sendable {
    /// The sequence number of the first byte.
    var start: SequenceNumber
    var bytes: [UInt8]
    /// The value of `arrivals` when a segment last landed in this range: larger is more recent.
    var lastArrival: UInt64

    /// The sequence number just after the last byte.
    var end: SequenceNumber { start + UInt32(bytes.count) }
  }

  /// The most bytes the queue holds at once.
  public let maximumBytes: Int
  /// The most disjoint ranges the queue holds at once; it bounds the bookkeeping that a flood
  /// of small, scattered segments costs.
  public let maximumRanges: Int
  /// The held ranges, sorted by sequence number; none overlap or touch.
  private var ranges: [HeldRange] = []
  /// How many segments have been inserted: the clock that orders ranges by recency.
  private var arrivals: UInt64 = 0
  /// How many bytes the queue holds.
  public private(set) var heldBytes = 0

  /// The largest segment `insert` takes, and how far past `receiveNext` it may reach: TCP
  /// windows stay below 2^30 (RFC 7323 section 2.3), so sequence comparisons hold.
  private static let maximumReach = 1 << 30

  /// An empty queue that holds at most `maximumBytes` bytes in at most `maximumRanges` ranges.
  public init(maximumBytes: Int, maximumRanges: Int = 16) {
    precondition(maximumBytes > 0 && maximumRanges > 0, "the queue must be able to hold data")
    self.maximumBytes = maximumBytes
    self.maximumRanges = maximumRanges
    ranges.reserveCapacity(maximumRanges)
  }

  /// Whether the queue holds no bytes.
  public var isEmpty: Bool { ranges.isEmpty }

  /// Takes the segment whose first byte has sequence number `sequence`; `receiveNext` is
  /// RCV.NXT. Returns false when the segment was dropped, whole, because keeping it would
  /// exceed `maximumBytes` or `maximumRanges`; true otherwise, including when every byte was
  /// already held or already received.
  ///
  /// The segment may start before `receiveNext`: that part is trimmed here. The caller must have
  /// trimmed it to the receive window, which keeps it within 2^30 bytes of `receiveNext`.
  public mutating func insert(
    _ payload: some Collection<UInt8>, at sequence: SequenceNumber, receiveNext: SequenceNumber
  ) -> Bool {
    discardBefore(receiveNext)
    let alreadyReceived = Swift.max(0, Int(sequence.distance(to: receiveNext)))
    guard payload.count > alreadyReceived else { return true }
    let segment = Segment(
      offset: Swift.max(0, offset(of: sequence, from: receiveNext)),
      bytes: Array(payload.dropFirst(alreadyReceived))
    )
    precondition(
      segment.end <= Self.maximumReach, "the segment reaches past any possible receive window")

    // The held ranges the segment overlaps or touches all merge with it into one.
    let touched = ranges.indices.filter { index in
      offset(of: ranges[index].start, from: receiveNext) <= segment.end
        && offset(of: ranges[index].end, from: receiveNext) >= segment.offset
    }
    let alreadyHeld = touched.reduce(0) { held, index in
      let rangeStart = offset(of: ranges[index].start, from: receiveNext)
      let overlapStart = Swift.max(rangeStart, segment.offset)
      let overlapEnd = Swift.min(rangeStart + ranges[index].bytes.count, segment.end)
      return held + Swift.max(0, overlapEnd - overlapStart)
    }
    let newBytes = segment.bytes.count - alreadyHeld
    guard heldBytes + newBytes <= maximumBytes,
      ranges.count - touched.count + 1 <= maximumRanges
    else { return false }

    arrivals &+= 1
    merge(segment, into: touched, receiveNext: receiveNext)
    heldBytes += newBytes
    return true
  }

  /// Removes and returns the held bytes that start exactly at `receiveNext`, as far as they run
  /// without a gap; empty when the byte at `receiveNext` has not arrived. Bytes held from before
  /// `receiveNext` (delivered by another path since) are discarded on the way.
  public mutating func takeContiguous(at receiveNext: SequenceNumber) -> [UInt8] {
    discardBefore(receiveNext)
    guard let first = ranges.first, first.start == receiveNext else { return [] }
    ranges.removeFirst()
    heldBytes -= first.bytes.count
    return first.bytes
  }

  /// Up to `maximum` SACK blocks describing the held bytes, in RFC 2018 section 4's order: first
  /// the block holding the most recently received segment, then the others, most recently
  /// changed first, so that blocks the peer may have missed are repeated in later ACKs.
  public func sackBlocks(maximum: Int) -> [TCPOptions.SACKBlock] {
    ranges.sorted { $0.lastArrival > $1.lastArrival }
      .prefix(Swift.max(0, maximum))
      .map { TCPOptions.SACKBlock(leftEdge: $0.start, rightEdge: $0.end) }
  }

  /// The trimmed bytes of a segment being inserted, placed `offset` bytes after RCV.NXT.
  private struct Segment {
    var offset: Int
    var bytes: [UInt8]
    var end: Int { offset + bytes.count }
  }

  /// How many bytes `sequence` lies after `receiveNext` (negative before it).
  private func offset(of sequence: SequenceNumber, from receiveNext: SequenceNumber) -> Int {
    Int(receiveNext.distance(to: sequence))
  }

  /// Replaces the held ranges at `touched` (consecutive indices, possibly none) and `segment`
  /// by one range; the held bytes win where they overlap the segment.
  private mutating func merge(
    _ segment: Segment, into touched: [Int], receiveNext: SequenceNumber
  ) {
    var merged: [UInt8] = []
    var mergedStart = segment.offset
    var rangesToAppend = touched[...]
    // The merged range grows from the first touched range's storage when that range starts
    // first, so that its bytes are not copied again (the common case: a gap filling in order).
    if let firstIndex = touched.first,
      offset(of: ranges[firstIndex].start, from: receiveNext) <= segment.offset
    {
      mergedStart = offset(of: ranges[firstIndex].start, from: receiveNext)
      swap(&merged, &ranges[firstIndex].bytes)
      rangesToAppend = rangesToAppend.dropFirst()
    }
    for index in rangesToAppend {
      let rangeStart = offset(of: ranges[index].start, from: receiveNext)
      appendSegmentBytes(of: segment, upTo: rangeStart, after: mergedStart, to: &merged)
      merged.append(contentsOf: ranges[index].bytes)
    }
    appendSegmentBytes(of: segment, upTo: segment.end, after: mergedStart, to: &merged)

    let range = HeldRange(
      start: receiveNext + UInt32(mergedStart), bytes: merged, lastArrival: arrivals)
    if let firstIndex = touched.first {
      ranges.replaceSubrange(firstIndex...touched[touched.count - 1], with: CollectionOfOne(range))
    } else {
      let insertionIndex =
        ranges.firstIndex { offset(of: $0.start, from: receiveNext) > segment.offset }
        ?? ranges.endIndex
      ranges.insert(range, at: insertionIndex)
    }
  }

  /// Appends the segment's bytes from where `merged` (starting at offset `mergedStart`) ends up
  /// to offset `limit`; nothing when the merged bytes already reach that far.
  private func appendSegmentBytes(
    of segment: Segment, upTo limit: Int, after mergedStart: Int, to merged: inout [UInt8]
  ) {
    let from = mergedStart + merged.count
    guard limit > from else { return }
    merged.append(contentsOf: segment.bytes[(from - segment.offset)..<(limit - segment.offset)])
  }

  /// Drops held bytes before `receiveNext`: they reached the application by another path.
  private mutating func discardBefore(_ receiveNext: SequenceNumber) {
    while let first = ranges.first, first.start < receiveNext {
      let stale = Int(first.start.distance(to: receiveNext))
      if stale >= first.bytes.count {
        heldBytes -= first.bytes.count
        ranges.removeFirst()
      } else {
        // Rare (the peer resent data that spans a gap), so a shift of the bytes is acceptable.
        ranges[0].bytes.removeFirst(stale)
        ranges[0].start = receiveNext
        heldBytes -= stale
      }
    }
  }
}
