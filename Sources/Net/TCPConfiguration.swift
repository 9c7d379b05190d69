/// The limits and timings of an interface's TCP connections. The defaults suit an appliance
/// talking to a hub on a home network; tests shorten the timers.
public struct TCPConfiguration: Sendable {
  /// Bytes the application may queue to send on one connection, unacknowledged ones included.
  public var sendBufferSize = 64 * 1024
  /// Bytes received in order that wait for the application; also the most the connection
  /// advertises as its window. Out-of-order segments are held within that window.
  public var receiveBufferSize = 64 * 1024
  /// Disjoint out-of-order ranges held per connection (each also costs a SACK block's worth of
  /// bookkeeping); a segment that would need more is dropped and the peer repeats it.
  public var maximumOutOfOrderRanges = 16
  /// Nagle's algorithm (RFC 896, RFC 9293 section 3.7.4): hold back a small segment while
  /// earlier data is unacknowledged. On by default; interactive protocols turn it off.
  public var nagle = true
  /// How long an acknowledgement of in-order data may wait for a second segment or for data
  /// going the other way (RFC 9293 section 3.8.6.3 requires under 0.5 s; Linux waits 40 ms).
  public var delayedAcknowledgementTimeout: Duration = .milliseconds(40)
  /// How long a connection stays in TIME-WAIT: 2 MSL. RFC 9293 takes MSL as 2 minutes; like
  /// Linux we use 60 s in all, which a home network's round trips are far below.
  public var timeWaitDuration: Duration = .seconds(60)
  /// Retransmissions of one segment before the connection is given up as timed out.
  public var maximumRetransmissions = 12
  /// Retransmissions of a SYN before an open is given up (RFC 6298 backoff: 1+2+...+32 s).
  public var maximumSYNRetransmissions = 6
  /// Keepalive probing of an idle connection (RFC 9293 section 3.8.4); nil, the default, sends
  /// none, as RFC 1122 asks.
  public var keepalive: TCPKeepalive? = nil
  /// Challenge ACKs (RFC 5961) a connection sends per second at most, answering resets, SYNs
  /// and acknowledgements that are in the window but not right; section 7 asks for a limit, so
  /// that a storm of forged segments does not become a storm of replies. Per connection, as a
  /// shared counter would tell an attacker about other connections (the Linux flaw
  /// CVE-2016-5696).
  public var maximumChallengeAcknowledgementsPerSecond = 10
  /// The retransmission timer's bounds.
  public var roundTrip = TCPRoundTripEstimator.Configuration()
  /// Connections (not counting TIME-WAIT) one interface holds at once.
  public var maximumConnections = 64
  /// Connections in TIME-WAIT kept at once; when full the oldest is forgotten early.
  public var maximumTimeWaitConnections = 256
  /// Ports listening at once.
  public var maximumListeners = 8

  /// The defaults.
  public init() {}
}

/// When and how often an idle connection is probed, and how many unanswered probes end it.
public struct TCPKeepalive: Sendable {
  /// Idle time before the first probe (RFC 1122 asks for at least two hours by default).
  public var idle: Duration
  /// Time between unanswered probes.
  public var interval: Duration
  /// Unanswered probes after which the connection is reset as timed out.
  public var probes: Int

  /// Probing after `idle`, every `interval`, giving up after `probes` unanswered.
  public init(idle: Duration = .seconds(7200), interval: Duration = .seconds(75), probes: Int = 9) {
    precondition(probes > 0)
    self.idle = idle
    self.interval = interval
    self.probes = probes
  }
}
