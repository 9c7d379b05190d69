import Time

/// The retransmission timer's duration, learned from measured round trips (RFC 6298).
///
/// The estimator keeps a smoothed round-trip time (SRTT) and its mean deviation (RTTVAR) and
/// derives the retransmission timeout from them: RTO = SRTT + max(G, 4 * RTTVAR), where G is the
/// clock granularity, clamped between a floor and a ceiling. Each expiry of the timer doubles
/// the timeout (`backOff()`); the next measured round trip drops that backoff again.
///
/// Which segments may be measured is the caller's business (Karn's rule, RFC 6298 section 3):
/// a segment that was ever retransmitted gives an ambiguous round trip, because its ACK may
/// answer either copy, so the caller samples only segments sent once, or uses the echoed
/// timestamp of the timestamps option, which names the copy it answers (RFC 7323 section 4).
/// The caller also restarts its timer from `retransmissionTimeout` (RFC 6298 section 5).
///
/// All arithmetic is in whole nanoseconds, so results are exact and the same on every platform.
public struct TCPRoundTripEstimator: Hashable, Sendable {
  /// The bounds and starting point of the retransmission timeout.
  public struct Configuration: Hashable, Sendable {
    /// The timeout before any round trip was measured: 1 second (RFC 6298 section 2.1).
    public var initial: Duration
    /// The floor under every computed timeout.
    ///
    /// RFC 6298 section 2.4 asks for 1 second, to stay clear of delayed ACKs and coarse clocks of
    /// its time. Loam's appliances talk mostly across one LAN, where round trips are below a
    /// millisecond and a lost final segment (no duplicate ACKs follow it) would stall a request
    /// for a full second. We take Linux's 200 ms instead: a spurious retransmission now and then
    /// costs one segment, a second-long stall costs the exchange. RFC 8961 allows this latitude.
    public var minimum: Duration
    /// The ceiling over every timeout, backed off or not: 60 seconds (RFC 6298 section 2.5).
    public var maximum: Duration
    /// G, the granularity of the caller's timer: the least variance term in the timeout. Loam's
    /// event loops wake with millisecond resolution, so 1 ms.
    public var clockGranularity: Duration

    /// A configuration with these values; by default the ones described on each property.
    public init(
      initial: Duration = .seconds(1), minimum: Duration = .milliseconds(200),
      maximum: Duration = .seconds(60), clockGranularity: Duration = .milliseconds(1)
    ) {
      precondition(.zero < minimum && minimum <= maximum, "the timeout bounds must be ordered")
      precondition(minimum <= initial && initial <= maximum, "the initial timeout must fit")
      precondition(.zero <= clockGranularity, "a clock granularity is never negative")
      self.initial = initial
      self.minimum = minimum
      self.maximum = maximum
      self.clockGranularity = clockGranularity
    }
  }

  /// The bounds this estimator works within.
  public let configuration: Configuration
  /// SRTT in nanoseconds, nil before the first sample.
  private var smoothedNanoseconds: Int64?
  /// RTTVAR in nanoseconds; meaningful once `smoothedNanoseconds` is set.
  private var variationNanoseconds: Int64 = 0
  /// The timeout before backoff, already clamped to the configured bounds.
  private var baseTimeout: Duration
  /// How many times in a row the timer expired since the last sample, at most
  /// `maximumBackoffCount`.
  public private(set) var backoffCount = 0

  /// Enough doublings to take the smallest sensible timeout past any ceiling; counting further
  /// would only risk overflow.
  public static let maximumBackoffCount = 64

  /// An estimator that has measured nothing yet and times out after `configuration.initial`.
  public init(configuration: Configuration = .init()) {
    self.configuration = configuration
    self.baseTimeout = configuration.initial
  }

  /// SRTT, the smoothed round-trip time; nil until the first sample.
  public var smoothedRoundTrip: Duration? {
    smoothedNanoseconds.map { Duration.nanoseconds($0) }
  }

  /// RTTVAR, the smoothed mean deviation of the round-trip time; nil until the first sample.
  public var roundTripVariation: Duration? {
    smoothedNanoseconds == nil ? nil : .nanoseconds(variationNanoseconds)
  }

  /// RTO: how long to wait for an acknowledgement before retransmitting, including backoff.
  public var retransmissionTimeout: Duration {
    var timeout = baseTimeout
    for _ in 0..<backoffCount {
      if timeout >= configuration.maximum { break }
      timeout = timeout + timeout
    }
    return min(timeout, configuration.maximum)
  }

  /// Folds a measured round trip into SRTT and RTTVAR (RFC 6298 section 2.2 and 2.3), recomputes
  /// the timeout, and clears any backoff. Negative samples count as zero.
  public mutating func addSample(_ roundTrip: Duration) {
    let sample = max(roundTrip.nanosecondsClamped, 0)
    if let smoothed = smoothedNanoseconds {
      // RTTVAR first, from the old SRTT: beta = 1/4, then alpha = 1/8.
      let deviation = smoothed > sample ? smoothed - sample : sample - smoothed
      variationNanoseconds = variationNanoseconds - variationNanoseconds / 4 + deviation / 4
      smoothedNanoseconds = smoothed - smoothed / 8 + sample / 8
    } else {
      smoothedNanoseconds = sample
      variationNanoseconds = sample / 2
    }
    let granularity = configuration.clockGranularity.nanosecondsClamped
    // Four times a deviation below 2^61 ns (73 years) does not overflow.
    let variance = max(granularity, min(variationNanoseconds, 1 << 61) * 4)
    let (timeout, overflow) = (smoothedNanoseconds ?? 0).addingReportingOverflow(variance)
    let computed = overflow ? configuration.maximum : Duration.nanoseconds(timeout)
    baseTimeout = min(max(computed, configuration.minimum), configuration.maximum)
    backoffCount = 0
  }

  /// Doubles the timeout after the timer expired (RFC 6298 section 5.5), up to the ceiling.
  public mutating func backOff() {
    backoffCount = min(backoffCount + 1, Self.maximumBackoffCount)
  }
}
