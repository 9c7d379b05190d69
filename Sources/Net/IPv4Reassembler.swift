import Time

/// Puts fragmented IPv4 datagrams back together (RFC 791 section 3.2, RFC 815), sans-IO: the
/// caller passes each fragment and the current time, and gets back a whole datagram when its
/// last missing piece arrives.
///
/// Everything is bounded: datagrams in progress, bytes held, fragments per datagram, and time
/// (a datagram not complete `timeout` after its first fragment is dropped). A new datagram when
/// the table is full, or a fragment that does not fit the byte budget, evicts the oldest
/// datagrams first: under a flood of fragments the newest traffic wins, as in Linux.
///
/// Fragments that overlap drop the whole datagram (RFC 5722's rule for IPv6, applied to IPv4:
/// overlaps have no legitimate use and are how IDS evasion and "teardrop" attacks work). An
/// exact duplicate (same offset, same bytes) is ignored, since networks do duplicate packets; a
/// duplicate with different bytes is an overlap. So are fragments that disagree about where the
/// datagram ends, and a fragment other than the last whose length is not a multiple of 8.
public struct IPv4Reassembler: Sendable {
  /// How much the reassembler may hold.
  public struct Limits: Sendable {
    /// Datagrams in progress at once.
    public var maximumDatagrams: Int
    /// Payload bytes held across all datagrams in progress.
    public var maximumBytes: Int
    /// Fragments held for one datagram; it bounds the bookkeeping a flood of tiny fragments
    /// costs. 128 is enough for a 65,535-byte datagram over a 576-byte MTU.
    public var maximumFragmentsPerDatagram: Int
    /// How long a datagram may wait for its missing fragments (RFC 791 suggests 15 s).
    public var timeout: Duration

    /// Limits with these values; the defaults hold two maximum-size datagrams.
    public init(
      maximumDatagrams: Int = 8, maximumBytes: Int = 131_072,
      maximumFragmentsPerDatagram: Int = 128, timeout: Duration = .seconds(15)
    ) {
      precondition(maximumDatagrams > 0 && maximumBytes > 0 && maximumFragmentsPerDatagram > 1)
      self.maximumDatagrams = maximumDatagrams
      self.maximumBytes = maximumBytes
      self.maximumFragmentsPerDatagram = maximumFragmentsPerDatagram
      self.timeout = timeout
    }
  }

  /// What became of a fragment.
  public enum Outcome: Hashable, Sendable {
    /// The datagram is whole: the first fragment's header, with MF clear and offset zero, and
    /// the reassembled payload.
    case complete(header: IPv4Header, payload: [UInt8])
    /// Kept (or ignored as an exact duplicate); more fragments are needed.
    case incomplete
    /// The fragment, and the datagram it belongs to, were discarded.
    case dropped(DropReason)
  }

  /// Why a datagram was discarded.
  public enum DropReason: Hashable, Sendable {
    /// Two fragments cover some of the same bytes with different contents or extents.
    case overlappingFragments
    /// Fragments disagree about the datagram's length, or a fragment other than the last is
    /// empty or not a multiple of 8 bytes long.
    case inconsistentFragments
    /// The fragment reaches past the 65,535 bytes a datagram can have.
    case tooLarge
    /// The datagram alone needs more fragments or bytes than the limits allow.
    case exceedsLimits
  }

  /// Identifies the fragments of one datagram (RFC 791).
  fileprivate struct Key: Hashable, Sendable {
    var source: IPv4Address
    var destination: IPv4Address
    var payloadProtocol: IPProtocol
    var identification: UInt16
  }

  /// A received run of payload bytes.
  fileprivate struct Piece: Sendable {
    var offset: Int
    var bytes: [UInt8]
    var end: Int { offset + bytes.count }
  }

  /// A datagram waiting for fragments; `pieces` are sorted by offset and never overlap.
  fileprivate struct Datagram: Sendable {
    var key: Key
    var expiry: Instant
    var firstHeader: IPv4Header?
    var payloadLength: Int?
    var pieces: [Piece] = []
    var bytesHeld = 0
  }

  /// The limits this reassembler keeps to.
  public let limits: Limits
  /// Datagrams in progress, oldest first.
  private var datagrams: [Datagram] = []
  /// Payload bytes held across all datagrams in progress.
  public private(set) var bytesHeld = 0
  /// Datagrams discarded so far to make room for newer ones.
  public private(set) var evictedCount = 0
  /// Datagrams discarded so far because their time ran out.
  public private(set) var expiredCount = 0

  /// A reassembler holding nothing.
  public init(limits: Limits = Limits()) {
    self.limits = limits
  }

  /// How many datagrams are waiting for fragments.
  public var datagramsInProgress: Int { datagrams.count }

  /// When the oldest datagram in progress expires; nil when none is. Call `expire(now:)` then.
  public var deadline: Instant? { datagrams.lazy.map { $0.expiry }.min() }

  /// Drops every datagram whose time ran out by `now`; returns how many.
  @discardableResult
  public mutating func expire(now: Instant) -> Int {
    let before = datagrams.count
    datagrams.removeAll { $0.expiry <= now }
    let expired = before - datagrams.count
    if expired > 0 {
      bytesHeld = datagrams.reduce(0) { $0 + $1.bytesHeld }
      expiredCount += expired
    }
    return expired
  }

  /// Takes one fragment of a datagram that parsed with `header`; a datagram that is not a
  /// fragment comes straight back as `.complete`. Expires old datagrams first.
  public mutating func accept(
    _ header: IPv4Header, payload: ArraySlice<UInt8>, now: Instant
  ) -> Outcome {
    expire(now: now)
    guard header.isFragment else { return .complete(header: header, payload: Array(payload)) }
    let key = Key(
      source: header.source, destination: header.destination,
      payloadProtocol: header.payloadProtocol, identification: header.identification)
    let piece = Piece(offset: header.fragmentByteOffset, bytes: Array(payload))
    if let reason = problemAlone(piece, isLast: !header.moreFragments) {
      if let index = index(of: key) { discard(at: index) }
      return .dropped(reason)
    }
    guard makeRoom(for: piece.bytes.count, keeping: key) else {
      if let index = index(of: key) { discard(at: index) }
      return .dropped(.exceedsLimits)
    }
    let index = index(of: key) ?? begin(key, now: now)
    let isLast = !header.moreFragments
    if let reason = datagrams[index].problem(with: piece, isLast: isLast, limits: limits) {
      discard(at: index)
      return .dropped(reason)
    }
    // Mutated in place, so that the pieces array is not copied.
    guard datagrams[index].insert(piece, isLast: isLast) else { return .incomplete }
    if piece.offset == 0 { datagrams[index].firstHeader = header }
    bytesHeld += piece.bytes.count
    guard let whole = datagrams[index].reassembled() else { return .incomplete }
    discard(at: index)
    return .complete(header: whole.header, payload: whole.payload)
  }

  /// What is wrong with a fragment on its own, whatever else has arrived.
  private func problemAlone(_ piece: Piece, isLast: Bool) -> DropReason? {
    if IPv4Header.length + piece.end > IPv4Header.maximumDatagramLength { return .tooLarge }
    if !isLast && (piece.bytes.isEmpty || piece.bytes.count % 8 != 0) {
      return .inconsistentFragments
    }
    if piece.bytes.count > limits.maximumBytes { return .exceedsLimits }
    return nil
  }

  private func index(of key: Key) -> Int? {
    datagrams.firstIndex { $0.key == key }
  }

  /// Starts a datagram, evicting the oldest if the table is full; returns its index.
  private mutating func begin(_ key: Key, now: Instant) -> Int {
    if datagrams.count == limits.maximumDatagrams {
      discard(at: 0)
      evictedCount += 1
    }
    datagrams.append(Datagram(key: key, expiry: now.advanced(by: limits.timeout)))
    return datagrams.count - 1
  }

  /// Evicts the oldest other datagrams until `count` more bytes fit; false if they cannot.
  private mutating func makeRoom(for count: Int, keeping key: Key) -> Bool {
    while bytesHeld + count > limits.maximumBytes {
      guard let oldest = datagrams.firstIndex(where: { $0.key != key }) else { return false }
      discard(at: oldest)
      evictedCount += 1
    }
    return true
  }

  private mutating func discard(at index: Int) {
    bytesHeld -= datagrams[index].bytesHeld
    datagrams.remove(at: index)
  }
}

extension IPv4Reassembler.Datagram {
  /// Why `piece` cannot join this datagram, if it cannot.
  func problem(
    with piece: IPv4Reassembler.Piece, isLast: Bool, limits: IPv4Reassembler.Limits
  ) -> IPv4Reassembler.DropReason? {
    if isLast {
      if let payloadLength, payloadLength != piece.end { return .inconsistentFragments }
      if let lastPiece = pieces.last, lastPiece.end > piece.end { return .inconsistentFragments }
    } else if let payloadLength, piece.end > payloadLength {
      return .inconsistentFragments
    }
    let position = insertionPosition(of: piece)
    if position < pieces.count, pieces[position].offset == piece.offset,
      pieces[position].bytes.count == piece.bytes.count
    {
      return pieces[position].bytes == piece.bytes ? nil : .overlappingFragments
    }
    if position > 0, pieces[position - 1].end > piece.offset { return .overlappingFragments }
    if position < pieces.count, pieces[position].offset < piece.end {
      return .overlappingFragments
    }
    if pieces.count == limits.maximumFragmentsPerDatagram { return .exceedsLimits }
    return nil
  }

  /// Adds a piece that `problem(with:)` accepted; false if it is an exact duplicate.
  mutating func insert(_ piece: IPv4Reassembler.Piece, isLast: Bool) -> Bool {
    let position = insertionPosition(of: piece)
    if position < pieces.count, pieces[position].offset == piece.offset,
      pieces[position].bytes.count == piece.bytes.count
    {
      return false
    }
    pieces.insert(piece, at: position)
    bytesHeld += piece.bytes.count
    if isLast { payloadLength = piece.end }
    return true
  }

  /// The index of the first piece that starts at or after `piece`.
  private func insertionPosition(of piece: IPv4Reassembler.Piece) -> Int {
    pieces.firstIndex { $0.offset >= piece.offset } ?? pieces.count
  }

  /// The whole datagram, once the first and last fragments and every byte between are here.
  /// Pieces never overlap and all lie below the length, so the byte count proves coverage.
  func reassembled() -> (header: IPv4Header, payload: [UInt8])? {
    guard var header = firstHeader, let payloadLength, bytesHeld == payloadLength else {
      return nil
    }
    header.moreFragments = false
    header.fragmentOffset = 0
    var payload: [UInt8] = []
    payload.reserveCapacity(payloadLength)
    for piece in pieces { payload.append(contentsOf: piece.bytes) }
    return (header, payload)
  }
}
