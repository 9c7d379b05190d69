import Time

/// The name, address, timings and limits of an `MDNSResponder`.
public struct MDNSResponderConfiguration: Sendable {
  /// The host's label, such as `hub`; the responder claims `hub.local`.
  public var hostLabel: [UInt8]
  /// The domain the label goes under.
  public var domain = DNSName("local")!
  /// The address the name resolves to.
  public var address: IPv4Address
  /// The TTL of the address record; RFC 6762 section 10 recommends 120 s for host records.
  public var timeToLive: UInt32 = 120
  /// The TTL in legacy unicast responses, at most 10 s (RFC 6762 section 6.7).
  public var legacyUnicastTimeToLive: UInt32 = 10
  /// The wait before the first probe. RFC 6762 section 8.1 asks for a random 0-250 ms, so that
  /// hosts powered on together do not probe in step; the caller picks it.
  public var initialProbeDelay = Duration.zero
  /// The wait between probes.
  public var probeInterval = Duration.milliseconds(250)
  /// Probes sent before the name is taken as free.
  public var probeCount = 3
  /// Unsolicited responses sent once the name is ours.
  public var announcementCount = 2
  /// The wait between announcements.
  public var announcementInterval = Duration.seconds(1)

  /// The defaults above, claiming `hostLabel`.local for `address`.
  public init(hostLabel: String, address: IPv4Address) {
    self.hostLabel = Array(hostLabel.utf8)
    self.address = address
  }
}

/// What the caller of an `MDNSResponder` must do.
public enum MDNSAction: Hashable, Sendable {
  /// Send this UDP payload from port 5353 to `address`:`port` (for multicast, with IP TTL 255).
  case send([UInt8], to: IPv4Address, port: UInt16)
}

/// A Multicast DNS responder (RFC 6762) for one host name and IPv4 address, so that the hub
/// answers as `hub.local` on the local link without any configuration.
///
/// It probes for the name (three queries 250 ms apart), then announces it (two unsolicited
/// responses 1 s apart), then answers A and ANY queries for it: multicast queries with a
/// multicast response (or a unicast one to a QU question if the record was multicast lately),
/// legacy unicast queries (from a port other than 5353) with a conventional DNS response to the
/// sender. When another host holds the name, it picks the next name (`hub-2`, `hub-3`, ...) and
/// probes again.
///
/// Sans-IO: the caller joins 224.0.0.251 on port 5353, feeds every datagram to `receive`, calls
/// `poll` at `deadline`, and sends the actions' payloads.
public struct MDNSResponder {
  /// Where a responder is in claiming its name.
  public enum Phase: Hashable, Sendable {
    /// `start` has not been called.
    case stopped
    /// Asking whether anyone else holds the name; queries are not answered yet.
    case probing
    /// The name is ours; telling the link.
    case announcing
    /// The name is ours and announced; only queries make it send.
    case announced
  }

  /// The multicast DNS group.
  public static let multicastAddress = IPv4Address(224, 0, 0, 251)
  /// The multicast DNS port.
  public static let port: UInt16 = 5353
  /// Name conflicts within `conflictWindow` after which probing slows down (RFC 6762 8.1).
  static let conflictLimit = 15
  static let conflictWindow = Duration.seconds(10)
  static let conflictBackoff = Duration.seconds(5)

  /// The name, address and timings.
  public let configuration: MDNSResponderConfiguration
  /// The name being claimed or held, such as `hub.local`, or `hub-2.local` after a conflict.
  public private(set) var hostName: DNSName
  /// Where the responder is in claiming `hostName`.
  public private(set) var phase = Phase.stopped
  private var sentInPhase = 0
  private var nextSendAt: Instant?
  private var lastMulticastAt: Instant?
  private var delayedAnswerAt: Instant?
  private var renames = 0
  private var recentConflicts: [Instant] = []

  /// A responder for `configuration`; nil if the label is empty or over 63 bytes, or the name
  /// would be over 255 bytes.
  public init?(configuration: MDNSResponderConfiguration) {
    precondition(configuration.probeCount > 0 && configuration.announcementCount > 0)
    guard let name = configuration.domain.prepending(configuration.hostLabel) else { return nil }
    self.configuration = configuration
    hostName = name
  }

  /// When `poll` must next be called, if anything is scheduled.
  public var deadline: Instant? {
    switch (nextSendAt, delayedAnswerAt) {
    case (let send?, let answer?): return min(send, answer)
    case (let send?, nil): return send
    case (nil, let answer): return answer
    }
  }

  /// Starts probing for the name (again, if already started).
  public mutating func start(now: Instant) -> [MDNSAction] {
    startProbing(at: now + configuration.initialProbeDelay)
    return poll(now: now)
  }

  private mutating func startProbing(at time: Instant) {
    phase = .probing
    sentInPhase = 0
    nextSendAt = time
    delayedAnswerAt = nil
  }
}

// MARK: - Probing and announcing

extension MDNSResponder {
  /// Sends the probe or announcement that is due, and an answer held back by rate limiting.
  public mutating func poll(now: Instant) -> [MDNSAction] {
    var actions: [MDNSAction] = []
    if let due = nextSendAt, due <= now {
      actions.append(sendScheduled(now: now))
    }
    if let due = delayedAnswerAt, due <= now {
      delayedAnswerAt = nil
      actions.append(multicast(answerMessage(cacheFlush: true), now: now))
    }
    return actions
  }

  /// The next probe or announcement; moves to the next phase when one is done.
  private mutating func sendScheduled(now: Instant) -> MDNSAction {
    if phase == .probing, sentInPhase == configuration.probeCount {
      // A probe interval passed after the last probe without a conflict: the name is ours.
      phase = .announcing
      sentInPhase = 0
    }
    sentInPhase += 1
    if phase == .probing {
      nextSendAt = now + configuration.probeInterval
      return multicast(probeMessage(unicastResponse: sentInPhase == 1), now: now)
    }
    assert(phase == .announcing)
    if sentInPhase < configuration.announcementCount {
      nextSendAt = now + configuration.announcementInterval
    } else {
      phase = .announced
      nextSendAt = nil
    }
    return multicast(answerMessage(cacheFlush: true), now: now)
  }

  /// Our address record.
  private func addressRecord(cacheFlush: Bool, timeToLive: UInt32) -> DNSResourceRecord {
    DNSResourceRecord(
      name: hostName, cacheFlush: cacheFlush, timeToLive: timeToLive,
      data: .a(configuration.address))
  }

  /// A probe (RFC 6762 section 8.1): an ANY query for the name with the record we propose in
  /// the authority section, for tiebreaking; the cache-flush bit stays clear there.
  private func probeMessage(unicastResponse: Bool) -> DNSMessage {
    DNSMessage(
      id: 0, questions: [DNSQuestion(name: hostName, type: .any, unicastResponse: unicastResponse)],
      authorities: [addressRecord(cacheFlush: false, timeToLive: configuration.timeToLive)])
  }

  /// A multicast DNS response with our address record: id 0, authoritative, no questions.
  private func answerMessage(cacheFlush: Bool) -> DNSMessage {
    DNSMessage(
      id: 0, isResponse: true, isAuthoritative: true,
      answers: [addressRecord(cacheFlush: cacheFlush, timeToLive: configuration.timeToLive)])
  }

  private mutating func multicast(_ message: DNSMessage, now: Instant) -> MDNSAction {
    if message.isResponse { lastMulticastAt = now }
    return .send(message.bytes, to: Self.multicastAddress, port: Self.port)
  }
}

// MARK: - Receiving

extension MDNSResponder {
  /// Takes a datagram received on port 5353 from `address`:`port`, and returns what to send:
  /// an answer to a query for the name, or nothing. Responses and probes from other hosts that
  /// claim the name start the conflict handling of RFC 6762 sections 8.2 and 9. Malformed
  /// datagrams change nothing.
  public mutating func receive(
    _ bytes: ArraySlice<UInt8>, from address: IPv4Address, port: UInt16, now: Instant
  ) -> [MDNSAction] {
    // Section 18: messages with a nonzero opcode or rcode are silently ignored.
    guard phase != .stopped, let message = try? DNSMessage.parse(bytes), message.opcode == 0,
      message.responseCode == .noError
    else { return [] }
    if message.isResponse {
      // Section 11: responses not from port 5353 are not multicast DNS responses.
      if port == Self.port, conflicts(message.answers + message.authorities + message.additionals) {
        handleConflict(now: now)
      }
      return poll(now: now)
    }
    if phase == .probing {
      tiebreak(probe: message, now: now)
      return []
    }
    return answer(message, from: address, port: port, now: now)
  }

  /// Whether `records` give our name data other than our address record.
  private func conflicts(_ records: [DNSResourceRecord]) -> Bool {
    records.contains {
      $0.name == hostName
        && ($0.recordClass != .internet || $0.data != .a(configuration.address))
    }
  }

  /// Another host answers for our name. While probing, the name is theirs: take the next one.
  /// Once it was ours, probe again (section 9); if the other host still answers, we rename then.
  private mutating func handleConflict(now: Instant) {
    guard phase == .probing else {
      startProbing(at: now)
      return
    }
    recentConflicts = recentConflicts.filter { now.duration(since: $0) < Self.conflictWindow }
    recentConflicts.append(now)
    if recentConflicts.count > Self.conflictLimit { recentConflicts.removeFirst() }
    renames += 1
    hostName = configuration.domain.prepending(renamedLabel(number: renames + 1))!
    let backoff =
      recentConflicts.count >= Self.conflictLimit
      ? Self.conflictBackoff : configuration.initialProbeDelay
    startProbing(at: now + backoff)
  }

  /// `label-number`, the label shortened if needed to keep within 63 bytes.
  private func renamedLabel(number: Int) -> [UInt8] {
    let suffix = Array("-\(number)".utf8)
    let kept = min(configuration.hostLabel.count, DNSName.maximumLabelLength - suffix.count)
    return Array(configuration.hostLabel.prefix(kept)) + suffix
  }

  /// Simultaneous probe tiebreaking (section 8.2): another host probes for our name while we
  /// do. The host whose proposed records sort lexicographically later wins; the loser waits one
  /// second and probes again. Identical records (our own probe, looped back) are no conflict.
  private mutating func tiebreak(probe: DNSMessage, now: Instant) {
    let theirs = probe.authorities.filter { $0.name == hostName }.sorted {
      Self.compare($0, $1) < 0
    }
    guard !theirs.isEmpty else { return }
    let ours = [addressRecord(cacheFlush: false, timeToLive: configuration.timeToLive)]
    for (mine, other) in zip(ours, theirs) {
      let order = Self.compare(mine, other)
      if order > 0 { return }
      if order < 0 { return startProbing(at: now + .seconds(1)) }
    }
    if theirs.count > ours.count { startProbing(at: now + .seconds(1)) }
  }

  /// The order of section 8.2: class without the cache-flush bit, then type, then the
  /// uncompressed RDATA byte by byte (a prefix sorts first). Negative, zero or positive.
  static func compare(_ left: DNSResourceRecord, _ right: DNSResourceRecord) -> Int {
    if left.recordClass != right.recordClass {
      return left.recordClass.rawValue < right.recordClass.rawValue ? -1 : 1
    }
    if left.type != right.type { return left.type.rawValue < right.type.rawValue ? -1 : 1 }
    let (leftData, rightData) = (left.uncompressedData, right.uncompressedData)
    for (a, b) in zip(leftData, rightData) where a != b { return a < b ? -1 : 1 }
    return leftData.count == rightData.count ? 0 : (leftData.count < rightData.count ? -1 : 1)
  }
}

// MARK: - Answering

extension MDNSResponder {
  /// Whether `question` asks for our address record.
  private func asksForOurAddress(_ question: DNSQuestion) -> Bool {
    question.name == hostName && (question.type == .a || question.type == .any)
      && (question.recordClass == .internet || question.recordClass == .any)
  }

  /// The response to a query once the name is ours, if it asks for our address.
  private mutating func answer(
    _ query: DNSMessage, from address: IPv4Address, port: UInt16, now: Instant
  ) -> [MDNSAction] {
    let matching = query.questions.filter(asksForOurAddress)
    guard !matching.isEmpty else { return [] }
    if port != Self.port {
      // Legacy unicast (section 6.7): a conventional DNS response to the sender, with its id
      // and question, a short TTL and no cache-flush bit.
      let response = DNSMessage(
        id: query.id, isResponse: true, isAuthoritative: true, questions: query.questions,
        answers: [addressRecord(cacheFlush: false, timeToLive: legacyTimeToLive)])
      return [.send(response.bytes, to: address, port: port)]
    }
    // Known-answer suppression (section 7.1): the querier already holds our record with at
    // least half its TTL left.
    let known = query.answers.contains {
      $0.name == hostName && $0.data == .a(configuration.address)
        && $0.timeToLive >= configuration.timeToLive / 2
    }
    if known { return [] }
    let sinceMulticast = lastMulticastAt.map { now.duration(since: $0) }
    let quarterTTL = Duration.seconds(Int64(configuration.timeToLive)) / 4
    if matching.allSatisfy({ $0.unicastResponse }), let since = sinceMulticast,
      since < quarterTTL
    {
      // Section 5.4: a QU question, and the link saw our record lately: answer the querier.
      return [.send(answerMessage(cacheFlush: true).bytes, to: address, port: Self.port)]
    }
    // Section 6: a record is multicast at most once a second, or four times a second to
    // defend a name against a probe.
    let minimumInterval: Duration = query.authorities.isEmpty ? .seconds(1) : .milliseconds(250)
    if let since = sinceMulticast, since < minimumInterval, let last = lastMulticastAt {
      scheduleDelayedAnswer(at: last + minimumInterval)
      return []
    }
    return [multicast(answerMessage(cacheFlush: true), now: now)]
  }

  private var legacyTimeToLive: UInt32 {
    min(configuration.legacyUnicastTimeToLive, configuration.timeToLive)
  }

  /// Holds a multicast answer back until `time`, unless an announcement goes out by then.
  private mutating func scheduleDelayedAnswer(at time: Instant) {
    if phase == .announcing, let announcement = nextSendAt, announcement <= time { return }
    delayedAnswerAt = min(delayedAnswerAt ?? time, time)
  }
}
