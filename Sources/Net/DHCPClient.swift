import Time

/// Settings and timings of a `DHCPClient`.
public struct DHCPClientConfiguration: Sendable {
  /// The interface's Ethernet address (`chaddr`).
  public var hardwareAddress: MACAddress
  /// The host name to offer the server (option 12), such as `hub`; at most 255 bytes.
  public var hostName: String?
  /// The client identifier (option 61); when nil the server identifies the client by
  /// `hardwareAddress`.
  public var clientIdentifier: [UInt8]?
  /// Whether to ask for broadcast replies until configured, for an interface that drops unicast
  /// to an address it does not yet have.
  public var asksForBroadcastReplies = true
  /// The first retransmission timeout while selecting and requesting (RFC 2131 section 4.1).
  public var initialRetransmissionTimeout = Duration.seconds(4)
  /// The ceiling of the doubling retransmission timeout.
  public var maximumRetransmissionTimeout = Duration.seconds(64)
  /// Each timeout is moved by a uniform random amount in plus or minus this.
  public var retransmissionJitter = Duration.seconds(1)
  /// REQUESTs sent for an offer before the client gives up on it and discovers again.
  public var maximumRequestAttempts = 4
  /// The shortest wait between REQUESTs while renewing or rebinding (RFC 2131 section 4.4.5).
  public var minimumRenewalRetransmission = Duration.seconds(60)
  /// The wait after a DHCPNAK before discovering again, so that a server that refuses every
  /// request cannot drive the client round a tight loop.
  public var restartDelayAfterRefusal = Duration.seconds(10)

  /// The defaults for an interface with this Ethernet address.
  public init(hardwareAddress: MACAddress) {
    self.hardwareAddress = hardwareAddress
  }
}

/// The client states of RFC 2131 section 4.4 (figure 5) that last beyond one call.
public enum DHCPClientState: Equatable, Sendable {
  /// INIT: no address, not yet asking (before `start`, or waiting after a refusal).
  case initial
  /// SELECTING: DISCOVER sent, waiting for an offer.
  case selecting
  /// REQUESTING: an offer taken, REQUEST broadcast, waiting for the server's answer.
  case requesting
  /// BOUND: the address is configured until T1.
  case bound
  /// RENEWING: past T1, asking the granting server, by unicast, to extend the lease.
  case renewing
  /// REBINDING: past T2, asking any server, by broadcast, to extend the lease.
  case rebinding
}

/// What the platform must do for a `DHCPClient`.
public enum DHCPClientAction: Equatable, Sendable {
  /// Send the message in a UDP datagram from port 68 to port 67 at this address (the limited
  /// broadcast address, or the server's). Before the interface has an address the datagram's
  /// source is 0.0.0.0.
  case send(DHCPMessage, to: IPv4Address)
  /// Apply the lease to the interface: its address and subnet, default gateway and resolvers.
  /// A renewal repeats this with the new times (and, rarely, a new address).
  case configure(DHCPLease)
  /// The lease is lost: remove the address and the routes through it.
  case deconfigure
}

/// A DHCPv4 client (RFC 2131 section 4.4) as a sans-IO state machine: the platform calls
/// `start`, hands it every DHCP message that arrives on port 68, calls `poll` at `deadline`, and
/// carries out the returned actions. It never reads a clock or touches a socket.
///
/// Randomness (transaction IDs and retransmission jitter) comes from the injected generator, so
/// a seeded generator makes a run replayable.
public struct DHCPClient<Generator: RandomNumberGenerator> {
  /// The settings and timings.
  public let configuration: DHCPClientConfiguration
  /// Where the client is in RFC 2131's state diagram.
  public private(set) var state = DHCPClientState.initial
  /// The lease in force, if any (BOUND, RENEWING and REBINDING).
  public private(set) var lease: DHCPLease?
  /// When `poll` must next be called; nil when nothing is due (before `start`, or while bound
  /// to an infinite lease).
  public private(set) var deadline: Instant?

  private var random: Generator
  /// The `xid` of the current exchange; replies carrying another are ignored.
  private var transactionID: UInt32 = 0
  /// When the current exchange began, for the `secs` field.
  private var exchangeStart = Instant.zero
  /// Messages sent in the current exchange, for the backoff and the request limit.
  private var transmissions = 0
  /// When the first message of the current exchange went out: the lease's start.
  private var firstTransmission = Instant.zero
  /// `secs` of the last DISCOVER, which the REQUEST that follows repeats (RFC 2131 4.4.1).
  private var discoverSeconds: UInt16 = 0
  /// The address and server of the offer being requested.
  private var offer: (address: IPv4Address, server: IPv4Address)?

  /// A client that does nothing until `start`.
  public init(configuration: DHCPClientConfiguration, random: Generator) {
    precondition(configuration.maximumRequestAttempts > 0)
    precondition(configuration.initialRetransmissionTimeout > configuration.retransmissionJitter)
    precondition((configuration.hostName?.utf8.count ?? 1) <= 255)
    self.configuration = configuration
    self.random = random
  }

  /// Begins acquiring an address: broadcasts a DISCOVER. Called again, it starts over, giving up
  /// any lease.
  public mutating func start(now: Instant) -> [DHCPClientAction] {
    let actions: [DHCPClientAction] = lease == nil ? [] : [.deconfigure]
    lease = nil
    return actions + [discover(now: now)]
  }

  /// Handles a DHCP message that arrived on port 68. Replies to other exchanges or other clients
  /// are ignored.
  public mutating func receive(_ message: DHCPMessage, now: Instant) -> [DHCPClientAction] {
    guard message.operation == .reply, message.transactionID == transactionID,
      message.clientHardwareAddress == configuration.hardwareAddress,
      let type = message.options.messageType
    else { return [] }
    switch (state, type) {
    case (.selecting, .offer):
      return takeOffer(message, now: now)
    case (.requesting, .acknowledge), (.renewing, .acknowledge), (.rebinding, .acknowledge):
      guard isFromChosenServer(message),
        let granted = DHCPLease(acknowledgement: message, start: firstTransmission)
      else { return [] }
      lease = granted
      state = .bound
      deadline = granted.renewsAt
      return [.configure(granted)]
    case (.requesting, .negativeAcknowledge), (.renewing, .negativeAcknowledge),
      (.rebinding, .negativeAcknowledge):
      guard isFromChosenServer(message) else { return [] }
      let actions: [DHCPClientAction] = lease == nil ? [] : [.deconfigure]
      lease = nil
      offer = nil
      state = .initial
      deadline = now + configuration.restartDelayAfterRefusal
      return actions
    default:
      return []
    }
  }

  /// Does what is due at `now`: retransmits, renews at T1, rebinds at T2, gives the address up
  /// at expiry, or discovers again.
  public mutating func poll(now: Instant) -> [DHCPClientAction] {
    guard let deadline, now >= deadline else { return [] }
    switch state {
    case .initial:
      return [discover(now: now)]
    case .selecting:
      return [transmit(now: now)]
    case .requesting:
      if transmissions >= configuration.maximumRequestAttempts { return [discover(now: now)] }
      return [transmit(now: now)]
    case .bound, .renewing, .rebinding:
      return leaseTimerFired(now: now)
    }
  }

  /// Expiry, T2 and T1, checked in that order so that a late poll lands in the right state.
  private mutating func leaseTimerFired(now: Instant) -> [DHCPClientAction] {
    guard let held = lease else { preconditionFailure("a lease state without a lease") }
    if let expiresAt = held.expiresAt, now >= expiresAt {
      lease = nil
      return [.deconfigure, discover(now: now)]
    }
    if state != .rebinding, let rebindsAt = held.rebindsAt, now >= rebindsAt {
      state = .rebinding
      beginExchange(now: now)
    } else if state == .bound {
      state = .renewing
      beginExchange(now: now)
    }
    return [transmit(now: now)]
  }

  /// Enters SELECTING with a new exchange and broadcasts the first DISCOVER.
  private mutating func discover(now: Instant) -> DHCPClientAction {
    state = .selecting
    offer = nil
    beginExchange(now: now)
    return transmit(now: now)
  }

  /// Takes the first acceptable offer: broadcasts a REQUEST for it, naming its server.
  private mutating func takeOffer(_ message: DHCPMessage, now: Instant) -> [DHCPClientAction] {
    let address = message.yourAddress
    guard address != .any, address != .broadcast, !address.isMulticast,
      let server = message.options.serverIdentifier
    else { return [] }
    offer = (address, server)
    state = .requesting
    transmissions = 0  // The REQUEST keeps the DISCOVER's xid but starts its own backoff.
    return [transmit(now: now)]
  }

  /// Whether a reply in REQUESTING comes from the server whose offer was taken (other servers
  /// see the broadcast REQUEST too). Later states accept any server: rebinding asks them all.
  private func isFromChosenServer(_ message: DHCPMessage) -> Bool {
    guard state == .requesting, let offer, let server = message.options.serverIdentifier else {
      return true
    }
    return server == offer.server
  }

  private mutating func beginExchange(now: Instant) {
    transactionID = UInt32(truncatingIfNeeded: random.next())
    exchangeStart = now
    transmissions = 0
  }

  /// Sends the current state's message and schedules its retransmission.
  private mutating func transmit(now: Instant) -> DHCPClientAction {
    if transmissions == 0 { firstTransmission = now }
    transmissions += 1
    let message = currentMessage(now: now)
    switch state {
    case .selecting, .requesting:
      deadline = now + backoff()
    case .renewing:
      deadline = halfwayRetransmission(now: now, limit: lease!.rebindsAt!)
    case .rebinding:
      deadline = halfwayRetransmission(now: now, limit: lease!.expiresAt!)
    case .initial, .bound:
      preconditionFailure("nothing is sent in \(state)")
    }
    return .send(message, to: state == .renewing ? lease!.serverIdentifier : .broadcast)
  }

  /// The DISCOVER or REQUEST for the current state (RFC 2131 table 5).
  private mutating func currentMessage(now: Instant) -> DHCPMessage {
    var message = DHCPMessage(
      operation: .request, transactionID: transactionID,
      clientHardwareAddress: configuration.hardwareAddress)
    let elapsed = now.duration(since: exchangeStart).components.seconds
    message.secondsElapsed = UInt16(clamping: elapsed)
    message.options.messageType = state == .selecting ? .discover : .request
    message.options.parameterRequestList = DHCPClient.requestedParameters
    message.options.hostName = configuration.hostName.map { Array($0.utf8) }
    message.options.clientIdentifier = configuration.clientIdentifier
    switch state {
    case .selecting:
      message.isBroadcast = configuration.asksForBroadcastReplies
      discoverSeconds = message.secondsElapsed
    case .requesting:
      message.isBroadcast = configuration.asksForBroadcastReplies
      message.secondsElapsed = discoverSeconds
      message.options.requestedAddress = offer!.address
      message.options.serverIdentifier = offer!.server
    default:
      message.clientAddress = lease!.address
    }
    return message
  }

  /// Subnet mask, router, DNS servers, lease time, T1 and T2.
  private static var requestedParameters: [UInt8] {
    [
      DHCPOptionCode.subnetMask, DHCPOptionCode.routers, DHCPOptionCode.domainNameServers,
      DHCPOptionCode.leaseTime, DHCPOptionCode.renewalTime, DHCPOptionCode.rebindingTime,
    ]
  }

  /// The wait before retransmission `transmissions + 1`: the initial timeout doubled for each
  /// earlier transmission up to the maximum, plus or minus the random jitter.
  private mutating func backoff() -> Duration {
    var timeout = configuration.initialRetransmissionTimeout
    for _ in 1..<min(transmissions, 16) where timeout < configuration.maximumRetransmissionTimeout {
      timeout *= 2
    }
    timeout = min(timeout, configuration.maximumRetransmissionTimeout)
    let jitter = configuration.retransmissionJitter.millisecondsClamped
    guard jitter > 0 else { return timeout }
    let offset = Int64(random.next(upperBound: UInt64(2 * jitter + 1))) - jitter
    return timeout + .milliseconds(offset)
  }

  /// Half the time left until `limit`, but at least the minimum, and never past `limit`
  /// (RFC 2131 section 4.4.5).
  private func halfwayRetransmission(now: Instant, limit: Instant) -> Instant {
    let wait = max(limit.duration(since: now) / 2, configuration.minimumRenewalRetransmission)
    return min(now + wait, limit)
  }
}
