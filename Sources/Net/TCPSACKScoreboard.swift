/// What a TCP sender knows the peer holds beyond the cumulative acknowledgement, from its SACK
/// blocks (RFC 2018), and the loss-recovery questions RFC 6675 asks of that knowledge: which
/// bytes are lost, how many are still in the network (`pipe`), and what to retransmit next.
///
/// The scoreboard covers the bytes between SND.UNA (HighACK, the first unacknowledged byte)
/// and SND.MAX (HighData, just after the highest byte sent). It keeps the SACKed parts as sorted,
/// disjoint, non-touching ranges; the gaps between them are holes. Within one hole the SACKed
/// data above every byte is the same, so a hole is lost or not as a whole, and every question
/// costs one pass over the ranges.
///
/// The ranges are bounded by `maximumRanges`. A peer reports at most 4 blocks per ACK, so the
/// limit only bites with that many holes in flight; the highest range is then forgotten, which
/// errs on the safe side: those bytes count as in flight and may be sent again, never skipped.
///
/// HighRxt is passed as `highestRetransmitted`, the sequence number just after the highest byte
/// retransmitted in this recovery (SND.UNA when nothing was). Sizes are in bytes.
public struct TCPSACKScoreboard: Hashable, Sendable {
  /// The most SACKed ranges remembered.
  public let maximumRanges: Int
  /// The SACKed ranges above SND.UNA, lowest first, neither overlapping nor touching.
  public private(set) var ranges: [TCPOptions.SACKBlock] = []
  /// How many bytes `ranges` hold together.
  public private(set) var sackedBytes = 0

  /// The largest `maximumRanges` allowed, to keep every pass short.
  public static let rangeLimit = 256

  /// An empty scoreboard that remembers at most `maximumRanges` SACKed ranges.
  public init(maximumRanges: Int = 16) {
    precondition(maximumRanges > 0 && maximumRanges <= Self.rangeLimit, "range limit")
    self.maximumRanges = maximumRanges
    ranges.reserveCapacity(maximumRanges + 1)
  }

  /// The sequence number just after the highest SACKed byte; nil when nothing is SACKed.
  public var highestSACKed: SequenceNumber? { ranges.last?.rightEdge }

  /// Applies an ACK: drops what `acknowledgement` (the new SND.UNA) covers, then adds `blocks`.
  /// Blocks that are empty, reach beyond `highestSent` (SND.MAX), or end at or below the
  /// acknowledgement (stale ones and RFC 2883 D-SACKs for data already acknowledged) are
  /// ignored. Returns whether any byte became SACKed that was not before, which makes the ACK
  /// a duplicate ACK for RFC 6675 even if the acknowledgement itself moved.
  public mutating func update(
    acknowledgement: SequenceNumber, blocks: [TCPOptions.SACKBlock], highestSent: SequenceNumber
  ) -> Bool {
    precondition(acknowledgement <= highestSent, "SND.UNA lies beyond SND.MAX")
    trim(below: acknowledgement)
    var grew = false
    for block in blocks.prefix(TCPOptions.maximumSACKBlocks) {
      guard block.leftEdge < block.rightEdge, block.rightEdge <= highestSent,
        acknowledgement < block.rightEdge
      else { continue }
      let start = block.leftEdge < acknowledgement ? acknowledgement : block.leftEdge
      if insert(TCPOptions.SACKBlock(leftEdge: start, rightEdge: block.rightEdge)) {
        grew = true
      }
    }
    return grew
  }

  /// Whether every byte from `start` up to `end` was SACKed.
  public func isSACKed(start: SequenceNumber, end: SequenceNumber) -> Bool {
    ranges.contains { $0.leftEdge <= start && end <= $0.rightEdge }
  }

  /// The first SACKed range that ends after `sequence`: the range holding it, or the next one
  /// above it. Nil when nothing above `sequence` is SACKed.
  public func firstRange(endingAfter sequence: SequenceNumber) -> TCPOptions.SACKBlock? {
    ranges.first { sequence < $0.rightEdge }
  }

  /// How many SACKed bytes lie below `sequence`.
  public func sackedBytes(below sequence: SequenceNumber) -> Int {
    var bytes = 0
    for range in ranges {
      guard range.leftEdge < sequence else { break }
      let end = sequence < range.rightEdge ? sequence : range.rightEdge
      bytes += Self.length(from: range.leftEdge, to: end)
    }
    return bytes
  }

  /// RFC 6675's IsLost: whether the unSACKed byte `sequence` counts as lost because DupThresh
  /// (3) separate SACKed ranges lie above it, or more than (DupThresh - 1) * SMSS SACKed bytes.
  /// A range stands for at least one segment, so three ranges are three discontiguous segments.
  public func isLost(_ sequence: SequenceNumber, maximumSegmentSize: Int) -> Bool {
    var rangesAbove = 0
    var bytesAbove = 0
    for range in ranges.reversed() {
      // Lower ranges hold nothing above `sequence` once this one does not.
      guard sequence + 1 < range.rightEdge else { break }
      rangesAbove += 1
      let start = sequence < range.leftEdge ? range.leftEdge : sequence + 1
      bytesAbove += Self.length(from: start, to: range.rightEdge)
    }
    return Self.isLost(
      rangesAbove: rangesAbove, bytesAbove: bytesAbove, maximumSegmentSize: maximumSegmentSize)
  }

  /// RFC 6675's SetPipe: the bytes the sender should assume are in the network. Each unSACKed
  /// byte counts once unless it is lost, and once more if it was retransmitted.
  public func pipe(
    unacknowledged: SequenceNumber, highestSent: SequenceNumber,
    highestRetransmitted: SequenceNumber, maximumSegmentSize: Int
  ) -> Int {
    var pipe = 0
    forEachHole(
      unacknowledged: unacknowledged, highestSent: highestSent,
      maximumSegmentSize: maximumSegmentSize
    ) { hole in
      if !hole.isLost { pipe += hole.length }
      if hole.start < highestRetransmitted {
        let end = highestRetransmitted < hole.end ? highestRetransmitted : hole.end
        pipe += Self.length(from: hole.start, to: end)
      }
      return true
    }
    return pipe
  }

  /// RFC 6675's NextSeg, rule 1: the lowest lost byte at or above `highestRetransmitted` and
  /// below the highest SACKed byte, as a segment of up to SMSS bytes that stops at the next
  /// SACKed range. With `onlyLost` false it is rule 3 instead, which takes unSACKed bytes that
  /// are not yet lost too; the caller asks that only when it has no new data to send (rule 2).
  /// Nil when no byte qualifies.
  public func nextSegmentToRetransmit(
    unacknowledged: SequenceNumber, highestSent: SequenceNumber,
    highestRetransmitted: SequenceNumber, maximumSegmentSize: Int, onlyLost: Bool = true
  ) -> (start: SequenceNumber, length: Int)? {
    guard let highestSACKed else { return nil }
    var found: (start: SequenceNumber, length: Int)?
    forEachHole(
      unacknowledged: unacknowledged, highestSent: highestSent,
      maximumSegmentSize: maximumSegmentSize
    ) { hole in
      guard hole.end <= highestSACKed else { return false }
      guard hole.isLost || !onlyLost else { return true }
      let start = hole.start < highestRetransmitted ? highestRetransmitted : hole.start
      guard start < hole.end else { return true }
      found = (start, min(maximumSegmentSize, Self.length(from: start, to: hole.end)))
      return false
    }
    return found
  }

  /// Forgets every SACKed range: after a retransmission timeout, because a receiver may discard
  /// data it SACKed (RFC 2018 section 8), and when a connection starts over.
  public mutating func reset() {
    ranges.removeAll(keepingCapacity: true)
    sackedBytes = 0
  }

  /// An unSACKed stretch between SND.UNA, the SACKed ranges and SND.MAX.
  private struct Hole {
    var start: SequenceNumber
    var end: SequenceNumber
    var isLost: Bool
    var length: Int { TCPSACKScoreboard.length(from: start, to: end) }
  }

  /// Calls `body` with each non-empty hole from SND.UNA upwards until it returns false.
  private func forEachHole(
    unacknowledged: SequenceNumber, highestSent: SequenceNumber, maximumSegmentSize: Int,
    _ body: (Hole) -> Bool
  ) {
    var bytesBelow = 0
    var start = unacknowledged
    for index in 0...ranges.count {
      let end = index < ranges.count ? ranges[index].leftEdge : highestSent
      if start < end {
        let lost = Self.isLost(
          rangesAbove: ranges.count - index, bytesAbove: sackedBytes - bytesBelow,
          maximumSegmentSize: maximumSegmentSize)
        if !body(Hole(start: start, end: end, isLost: lost)) { return }
      }
      guard index < ranges.count else { return }
      bytesBelow += Self.length(from: ranges[index].leftEdge, to: ranges[index].rightEdge)
      if start < ranges[index].rightEdge { start = ranges[index].rightEdge }
    }
  }

  /// Drops the ranges and the parts of ranges below `acknowledgement`.
  private mutating func trim(below acknowledgement: SequenceNumber) {
    var covered = 0
    while covered < ranges.count && ranges[covered].rightEdge <= acknowledgement {
      covered += 1
    }
    for range in ranges[0..<covered] {
      sackedBytes -= Self.length(from: range.leftEdge, to: range.rightEdge)
    }
    ranges.removeFirst(covered)
    if let first = ranges.first, first.leftEdge < acknowledgement {
      sackedBytes -= Self.length(from: first.leftEdge, to: acknowledgement)
      ranges[0].leftEdge = acknowledgement
    }
  }

  /// Merges `block` into the ranges; whether it added SACKed bytes that are still remembered.
  private mutating func insert(_ block: TCPOptions.SACKBlock) -> Bool {
    var first = 0
    while first < ranges.count && ranges[first].rightEdge < block.leftEdge { first += 1 }
    var merged = block
    var alreadyCovered = 0
    var last = first
    while last < ranges.count && ranges[last].leftEdge <= block.rightEdge {
      let range = ranges[last]
      if range.leftEdge < merged.leftEdge { merged.leftEdge = range.leftEdge }
      if merged.rightEdge < range.rightEdge { merged.rightEdge = range.rightEdge }
      alreadyCovered += Self.length(from: range.leftEdge, to: range.rightEdge)
      last += 1
    }
    let added = Self.length(from: merged.leftEdge, to: merged.rightEdge) - alreadyCovered
    ranges.replaceSubrange(first..<last, with: CollectionOfOne(merged))
    sackedBytes += added
    if ranges.count > maximumRanges {
      let forgotten = ranges.removeLast()
      sackedBytes -= Self.length(from: forgotten.leftEdge, to: forgotten.rightEdge)
      if first == ranges.count { return false }
    }
    return added > 0
  }

  /// IsLost's test for a byte with this much SACKed above it, DupThresh being 3.
  private static func isLost(rangesAbove: Int, bytesAbove: Int, maximumSegmentSize: Int) -> Bool {
    let threshold = TCPCongestionControl.duplicateAcknowledgementThreshold
    return rangesAbove >= threshold || bytesAbove > (threshold - 1) * maximumSegmentSize
  }

  /// The bytes from `start` up to `end`, which must not lie before it.
  private static func length(from start: SequenceNumber, to end: SequenceNumber) -> Int {
    let distance = Int(start.distance(to: end))
    precondition(distance >= 0, "a range ends before it starts")
    return distance
  }
}
