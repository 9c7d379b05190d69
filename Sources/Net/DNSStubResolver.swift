import Time

/// The server, timings and limits of a `DNSStubResolver`.
public struct DNSStubResolverConfiguration: Sendable {
  /// The recursive server asked (from DHCP option 6, or configured).
  public var server: IPv4Address
  /// The server's UDP port.
  public var serverPort: UInt16 = 53
  /// How long the first attempt waits for a reply; each retry waits twice as long as the last.
  public var initialTimeout = Duration.seconds(2)
  /// Queries sent for one name, the first included, before it is reported as timed out.
  public var maximumAttempts = 3
  /// Answers kept; when full, the one that expires first makes room.
  public var maximumCacheEntries = 32
  /// The longest an answer is cached, whatever TTL the server gave.
  public var maximumTimeToLive = Duration.seconds(3600)
  /// The longest a negative answer (no such name, or no address) is cached.
  public var maximumNegativeTimeToLive = Duration.seconds(300)
  /// Names being resolved at once.
  public var maximumPendingQueries = 8

  /// The defaults above, asking `server`.
  public init(server: IPv4Address) {
    self.server = server
  }
}

/// How a name resolved.
public enum DNSResolution: Hashable, Sendable {
  /// The name's IPv4 addresses, in the order the server gave them.
  case addresses([IPv4Address])
  /// The server says the name does not exist (NXDOMAIN).
  case nameDoesNotExist
  /// The name exists but has no IPv4 address (NOERROR with no A record).
  case noAddresses
  /// No answer could be had.
  case failed(DNSResolutionFailure)
}

/// Why a name could not be resolved.
public enum DNSResolutionFailure: Hashable, Sendable {
  /// Every attempt went unanswered.
  case timedOut
  /// The server answered with an error, such as SERVFAIL or REFUSED.
  case serverError(DNSResponseCode)
  /// The reply was cut short (TC) before any address; this resolver has no TCP fallback.
  case truncatedReply
  /// Too many names are being resolved at once; try again later.
  case tooManyQueries
  /// There is no server to ask: no DHCP lease yet, or the lease named none.
  case noServer
}

extension DNSResolution: CustomStringConvertible {
  public var description: String {
    switch self {
    case .addresses(let addresses):
      var text = ""
      for address in addresses { text += (text.isEmpty ? "" : ", ") + "\(address)" }
      return text
    case .nameDoesNotExist: return "no such name"
    case .noAddresses: return "the name has no IPv4 address"
    case .failed(.timedOut): return "no answer"
    case .failed(.serverError(let code)): return "the server answered \(code)"
    case .failed(.truncatedReply): return "the answer was truncated"
    case .failed(.tooManyQueries): return "too many names being resolved at once"
    case .failed(.noServer): return "no DNS server (no lease yet, or it named none)"
    }
  }
}

/// What the caller of a `DNSStubResolver` must do.
public enum DNSResolverAction: Hashable, Sendable {
  /// Send this UDP payload to the server.
  case send([UInt8], to: IPv4Address, port: UInt16)
  /// The name has resolved (from the cache, a reply, or a timeout).
  case answer(DNSName, DNSResolution)
  /// Nothing to do until a reply arrives or the deadline passes.
  case wait
}

/// A stub resolver (RFC 1123 section 6.1.3.1): asks one recursive server for the IPv4 addresses
/// of names, retries with exponential backoff, and caches answers, negative ones included
/// (RFC 2308), for their TTL up to a cap.
///
/// Sans-IO: `resolve` and `poll` return the datagrams to send; the caller feeds every datagram
/// from the server to `receive` and calls `poll` at `deadline`. A reply is taken only if it
/// comes from the server's address and port, carries a pending query's id, and repeats its
/// question; query ids come from the injected generator, so that an off-path attacker must
/// guess them (the UDP layer should also pick a random source port). Every table is bounded.
public struct DNSStubResolver<Random: RandomNumberGenerator> {
  private struct PendingQuery {
    var id: UInt16
    var query: [UInt8]
    var attempts: Int
    var deadline: Instant
  }

  private struct CacheEntry {
    var resolution: DNSResolution
    var expiresAt: Instant
  }

  /// The most CNAME records followed from the name asked to its addresses.
  public static var maximumAliasChain: Int { 8 }

  /// The server, timings and limits.
  public let configuration: DNSStubResolverConfiguration
  private var random: Random
  private var pending: [DNSName: PendingQuery] = [:]
  private var cache: [DNSName: CacheEntry] = [:]

  /// A resolver with an empty cache; `random` supplies query ids.
  public init(configuration: DNSStubResolverConfiguration, random: Random) {
    precondition(configuration.maximumAttempts > 0 && configuration.maximumPendingQueries > 0)
    precondition(configuration.maximumCacheEntries >= 0 && configuration.initialTimeout > .zero)
    self.configuration = configuration
    self.random = random
  }

  /// The number of cached answers (some may have expired but not yet been polled away).
  public var cacheCount: Int { cache.count }

  /// The number of names waiting for a reply.
  public var pendingCount: Int { pending.count }

  /// When `poll` must next be called, if a query is out.
  public var deadline: Instant? {
    pending.values.map { $0.deadline }.min()
  }

  /// Starts resolving `name`: answers at once from the cache, sends a query, or waits for the
  /// query already out for it.
  public mutating func resolve(_ name: DNSName, now: Instant) -> DNSResolverAction {
    if let entry = cache[name], entry.expiresAt > now { return .answer(name, entry.resolution) }
    if pending[name] != nil { return .wait }
    guard pending.count < configuration.maximumPendingQueries else {
      return .answer(name, .failed(.tooManyQueries))
    }
    let id = unusedQueryID()
    let query = DNSMessage(
      id: id, recursionDesired: true, questions: [DNSQuestion(name: name, type: .a)])
    pending[name] = PendingQuery(
      id: id, query: query.bytes, attempts: 1, deadline: now + configuration.initialTimeout)
    return .send(query.bytes, to: configuration.server, port: configuration.serverPort)
  }

  /// A random id that no pending query uses (at most `maximumPendingQueries` are in use).
  private mutating func unusedQueryID() -> UInt16 {
    let inUse = Set(pending.values.map { $0.id })
    while true {
      let id = UInt16(truncatingIfNeeded: random.next())
      if !inUse.contains(id) { return id }
    }
  }

  /// Takes a datagram that came from `address`:`port`. Returns `.answer` if it is the reply to
  /// a pending query, and `.wait` for anything else (a stray, forged or malformed datagram,
  /// which changes nothing).
  public mutating func receive(
    _ bytes: ArraySlice<UInt8>, from address: IPv4Address, port: UInt16, now: Instant
  ) -> DNSResolverAction {
    // A one-shot mDNS query goes to the multicast group, and any responder on the link answers
    // from its own address (RFC 6762 sections 5.1 and 6.7).
    guard address == configuration.server || configuration.server.isMulticast,
      port == configuration.serverPort,
      let reply = try? DNSMessage.parse(bytes), reply.isResponse, reply.opcode == 0,
      reply.questions.count == 1, let question = reply.questions.first,
      question.type == .a, question.recordClass == .internet, !question.unicastResponse,
      let query = pending[question.name], query.id == reply.id
    else { return .wait }
    pending[question.name] = nil
    let (resolution, timeToLive) = interpret(reply, name: question.name)
    if let timeToLive { store(resolution, for: question.name, timeToLive: timeToLive, now: now) }
    return .answer(question.name, resolution)
  }

  /// What `reply` says about `name`, and how long that may be cached (nil: not at all).
  private func interpret(
    _ reply: DNSMessage, name: DNSName
  ) -> (DNSResolution, Duration?) {
    switch reply.responseCode {
    case .nameError:
      return (.nameDoesNotExist, negativeTimeToLive(reply))
    case .noError:
      var current = name
      var timeToLive = UInt32.max
      for _ in 0...Self.maximumAliasChain {
        let records = reply.answers.filter { $0.name == current && $0.recordClass == .internet }
        var addresses: [IPv4Address] = []
        for record in records {
          guard case .a(let address) = record.data else { continue }
          addresses.append(address)
          timeToLive = min(timeToLive, record.timeToLive)
        }
        if !addresses.isEmpty {
          return (
            .addresses(addresses), cacheDuration(timeToLive, cap: configuration.maximumTimeToLive)
          )
        }
        guard let alias = records.first(where: { $0.type == .cname }),
          case .cname(let target) = alias.data
        else { break }
        timeToLive = min(timeToLive, alias.timeToLive)
        current = target
      }
      if reply.isTruncated { return (.failed(.truncatedReply), nil) }
      return (.noAddresses, negativeTimeToLive(reply))
    default:
      return (.failed(.serverError(reply.responseCode)), nil)
    }
  }

  /// How long a negative reply may be cached: the smaller of its SOA record's TTL and the SOA's
  /// minimum field (RFC 2308 section 5); nil, so not cached, without an SOA record.
  private func negativeTimeToLive(_ reply: DNSMessage) -> Duration? {
    for record in reply.authorities {
      guard case .soa(_, _, _, _, _, _, let minimum) = record.data else { continue }
      return cacheDuration(
        min(record.timeToLive, minimum), cap: configuration.maximumNegativeTimeToLive)
    }
    return nil
  }

  /// A TTL in seconds as a cache lifetime, at most `cap`. TTLs with the top bit set count as
  /// zero (RFC 2181 section 8).
  private func cacheDuration(_ seconds: UInt32, cap: Duration) -> Duration {
    let duration = seconds & 0x8000_0000 != 0 ? .zero : Duration.seconds(Int64(seconds))
    return min(duration, cap)
  }

  private mutating func store(
    _ resolution: DNSResolution, for name: DNSName, timeToLive: Duration, now: Instant
  ) {
    guard timeToLive > .zero, configuration.maximumCacheEntries > 0 else { return }
    if cache[name] == nil, cache.count >= configuration.maximumCacheEntries {
      cache = cache.filter { $0.value.expiresAt > now }
      if cache.count >= configuration.maximumCacheEntries,
        let soonest = cache.min(by: { $0.value.expiresAt < $1.value.expiresAt })
      {
        cache[soonest.key] = nil
      }
    }
    cache[name] = CacheEntry(resolution: resolution, expiresAt: now + timeToLive)
    assert(cache.count <= configuration.maximumCacheEntries)
  }

  /// Resends queries whose wait is over, reports names that used every attempt as timed out,
  /// and forgets expired answers. Actions come in deadline order.
  public mutating func poll(now: Instant) -> [DNSResolverAction] {
    var actions: [DNSResolverAction] = []
    let due = pending.filter { $0.value.deadline <= now }.sorted {
      ($0.value.deadline, $0.value.id) < ($1.value.deadline, $1.value.id)
    }
    for (name, var query) in due {
      if query.attempts >= configuration.maximumAttempts {
        pending[name] = nil
        actions.append(.answer(name, .failed(.timedOut)))
      } else {
        // Exponential backoff: attempt n waits initialTimeout * 2^(n-1).
        query.deadline = now + configuration.initialTimeout * (1 << query.attempts)
        query.attempts += 1
        pending[name] = query
        actions.append(.send(query.query, to: configuration.server, port: configuration.serverPort))
      }
    }
    cache = cache.filter { $0.value.expiresAt > now }
    return actions
  }
}
