import Time

/// Limits and timings of an `ARPCache`.
public struct ARPCacheConfiguration: Sendable {
  /// How long a learned mapping is trusted before it must be learned again.
  public var entryLifetime = Duration.seconds(60)
  /// The most mappings kept; when full, the one that expires first makes room.
  public var maximumEntries = 64
  /// The wait between requests for an address that has not answered.
  public var requestInterval = Duration.seconds(1)
  /// Requests sent for one address before its waiting packets are dropped as unreachable.
  public var maximumRequests = 3
  /// Packets held for one unresolved address; more are dropped (the newest go).
  public var maximumPacketsPerAddress = 4
  /// Addresses being resolved at once.
  public var maximumPendingAddresses = 16

  /// The defaults above.
  public init() {}
}

/// The neighbour table of an Ethernet interface (RFC 826): IPv4 addresses to MAC addresses,
/// with expiry, and packets held while their next hop is being resolved.
///
/// Sans-IO: the interface asks `resolve` before sending, feeds every ARP packet it sees to
/// `learn`, and calls `poll` at `deadline`. The cache says when to send a request; it never sends
/// anything itself. Every table and queue is bounded, so a flood of unanswered destinations or of
/// forged replies costs a fixed amount of memory.
public struct ARPCache<Packet> {
  /// What the interface must do after `resolve`.
  public enum Resolution {
    /// The address is known: send the packet to this MAC address now.
    case resolved(MACAddress)
    /// The packet waits; broadcast an ARP request for the address now.
    case sendRequest
    /// The packet waits; a request is already out.
    case waiting
    /// The packet was dropped: the queue for that address (or for all addresses) is full.
    case dropped
  }

  /// What `poll` found due.
  public struct PollResult {
    /// Addresses to send another request for.
    public var requests: [IPv4Address] = []
    /// Packets given up on, with the address that never answered (for ICMP host unreachable).
    public var unreachable: [(address: IPv4Address, packets: [Packet])] = []
  }

  private struct Entry {
    var mac: MACAddress
    var expiresAt: Instant
  }

  private struct Pending {
    var packets: [Packet]
    var requestsSent: Int
    var nextRequestAt: Instant
  }

  /// The limits and timings.
  public let configuration: ARPCacheConfiguration
  private var entries: [IPv4Address: Entry] = [:]
  private var pending: [IPv4Address: Pending] = [:]

  /// An empty cache.
  public init(configuration: ARPCacheConfiguration = ARPCacheConfiguration()) {
    precondition(configuration.maximumEntries > 0 && configuration.maximumRequests > 0)
    precondition(configuration.maximumPacketsPerAddress > 0)
    self.configuration = configuration
  }

  /// The MAC address of `address`, if known and not expired at `now`.
  public func lookup(_ address: IPv4Address, now: Instant) -> MACAddress? {
    guard let entry = entries[address], entry.expiresAt > now else { return nil }
    return entry.mac
  }

  /// The number of mappings held (some may have expired but not yet been polled away).
  public var entryCount: Int { entries.count }

  /// Finds the MAC address for `nextHop`, or holds `packet` until it is known.
  public mutating func resolve(
    _ packet: Packet, nextHop: IPv4Address, now: Instant
  ) -> Resolution {
    if let mac = lookup(nextHop, now: now) { return .resolved(mac) }
    if var waiting = pending[nextHop] {
      guard waiting.packets.count < configuration.maximumPacketsPerAddress else { return .dropped }
      waiting.packets.append(packet)
      pending[nextHop] = waiting
      return .waiting
    }
    guard pending.count < configuration.maximumPendingAddresses else { return .dropped }
    pending[nextHop] = Pending(
      packets: [packet], requestsSent: 1, nextRequestAt: now + configuration.requestInterval)
    return .sendRequest
  }

  /// Records that `address` is at `mac` (from an ARP request or reply addressed to us, or a
  /// gratuitous ARP), and returns the packets that were waiting for it, in the order they came.
  public mutating func learn(
    _ address: IPv4Address, isAt mac: MACAddress, now: Instant
  ) -> [Packet] {
    if entries[address] == nil, entries.count >= configuration.maximumEntries {
      evictOne()
    }
    entries[address] = Entry(mac: mac, expiresAt: now + configuration.entryLifetime)
    assert(entries.count <= configuration.maximumEntries)
    return pending.removeValue(forKey: address)?.packets ?? []
  }

  /// When `poll` must next be called, if anything waits.
  public var deadline: Instant? {
    pending.values.lazy.map { $0.nextRequestAt }.min()
  }

  /// Sends the due repeat requests, gives up on addresses that never answered, and forgets
  /// expired mappings.
  public mutating func poll(now: Instant) -> PollResult {
    var result = PollResult()
    for (address, var waiting) in pending where waiting.nextRequestAt <= now {
      if waiting.requestsSent >= configuration.maximumRequests {
        pending[address] = nil
        result.unreachable.append((address, waiting.packets))
      } else {
        waiting.requestsSent += 1
        waiting.nextRequestAt = now + configuration.requestInterval
        pending[address] = waiting
        result.requests.append(address)
      }
    }
    entries = entries.filter { $0.value.expiresAt > now }
    result.requests.sort()
    result.unreachable.sort { $0.address < $1.address }
    return result
  }

  /// Makes room by dropping the mapping that would expire first.
  private mutating func evictOne() {
    guard let oldest = entries.min(by: { $0.value.expiresAt < $1.value.expiresAt }) else { return }
    entries[oldest.key] = nil
  }
}
