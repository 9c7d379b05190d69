import Time

/// Connections in TIME-WAIT, kept as a few words each instead of a whole connection with its
/// buffers, in a table of bounded size.
///
/// A TIME-WAIT entry answers a repeated FIN with the last ACK again, ignores resets (RFC 1337:
/// a reset must not cut TIME-WAIT short), and gives way to a new SYN whose sequence number lies
/// beyond the old connection's (RFC 9293 section 3.10.7.4, as RFC 6191 refines it). When the
/// table is full the entry nearest its end is forgotten early: losing one late ACK is cheaper
/// than refusing new connections.
struct TCPTimeWaitTable {
  /// What remains of a connection in TIME-WAIT.
  struct Entry: Sendable {
    /// Our next sequence number: just after our FIN.
    var sendNext: SequenceNumber
    /// The peer's next sequence number: just after its FIN.
    var receiveNext: SequenceNumber
    /// When the entry is forgotten.
    var deadline: Instant
  }

  /// Entries kept at most.
  let capacity: Int
  private(set) var entries: [TCPEndpoints: Entry] = [:]
  /// Entries forgotten before their time because the table was full.
  private(set) var evicted = 0

  init(capacity: Int) {
    precondition(capacity > 0)
    self.capacity = capacity
  }

  /// How many connections are in TIME-WAIT.
  var count: Int { entries.count }

  /// Adds a connection, making room by forgetting the entry closest to its end if needed.
  mutating func insert(_ entry: Entry, for endpoints: TCPEndpoints) {
    if entries[endpoints] == nil && entries.count >= capacity,
      let soonest = entries.min(by: { $0.value.deadline < $1.value.deadline })?.key
    {
      entries[soonest] = nil
      evicted += 1
    }
    entries[endpoints] = entry
  }

  /// The entry for a four-tuple, if it is in TIME-WAIT.
  func entry(for endpoints: TCPEndpoints) -> Entry? { entries[endpoints] }

  /// Forgets an entry (a new connection took its four-tuple).
  mutating func remove(_ endpoints: TCPEndpoints) { entries[endpoints] = nil }

  /// Restarts an entry's 2 MSL (the peer repeated its FIN).
  mutating func restart(_ endpoints: TCPEndpoints, until deadline: Instant) {
    entries[endpoints]?.deadline = deadline
  }

  /// The earliest end of an entry.
  var deadline: Instant? { entries.values.lazy.map { $0.deadline }.min() }

  /// Forgets the entries whose time is up.
  mutating func expire(now: Instant) {
    entries = entries.filter { $0.value.deadline > now }
  }
}
