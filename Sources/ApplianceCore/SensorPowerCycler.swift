import BoardSupport
import SensorDrivers
import Time

/// The sensors' power switch (the `sensor-power` GPIO role): on from the start, and cut for a
/// moment when a chip has stopped answering for a while, since a chip that has hung (holding
/// the bus, or deaf to its address after a brown-out) usually comes back when its power is
/// cycled.
///
/// Sans-IO: the appliance passes in the sampling scheduler's events (`observe`), calls `poll`
/// at `deadline`, and carries out the steps they return: it drives the line low and high, does
/// not sample while `isSamplingPaused`, and on `.restartSampling` starts every chip over from
/// its probe (`SamplingScheduler.restart(at:)`), since none of them kept its setup.
///
/// Cycles are rate-limited, so that a chip that is really gone (unplugged, broken) does not
/// keep the others' power flickering: after a cycle the next may come no sooner than the
/// backoff, which starts at `Configuration.initialBackoff` and doubles after each cycle up to
/// `Configuration.maximumBackoff`, until every chip answers again.
public struct SensorPowerCycler {
  /// How readily the power is cycled.
  public struct Configuration: Equatable, Sendable {
    /// How long a chip must have failed, turn after turn, without answering before the power
    /// is cycled.
    public var unansweredLimit = Duration.seconds(120)
    /// How long the power stays off: long enough for the sensor boards' supply capacitors to
    /// drain.
    public var offDuration = Duration.seconds(2)
    /// How long after the power returns the chips are left before they are probed: the
    /// longest power-up time of the supported chips, the SCD4x's 1 s (datasheet, table 3).
    public var powerUpDuration = Duration.seconds(1)
    /// The shortest time from one cycle to the next, at first.
    public var initialBackoff = Duration.seconds(600)
    /// The longest the backoff grows to: a chip that never comes back costs four cycles a day.
    public var maximumBackoff = Duration.seconds(6 * 3600)

    /// The defaults.
    public init() {}
  }

  /// Where the power is.
  public enum State: Equatable, Sendable {
    /// On; the chips are sampled.
    case on
    /// Cut until the given instant.
    case off(until: Instant)
    /// Back on since a moment ago; the chips are probed at the given instant.
    case poweringUp(until: Instant)
  }

  /// What the appliance must do.
  public enum Step: Equatable, Sendable {
    /// Drive the line low: the chips at these addresses have not answered for the
    /// configuration's `unansweredLimit`.
    case cutPower(unanswered: [I2CAddress])
    /// Drive the line high.
    case restorePower
    /// The chips had their power-up time: start every one over from its probe.
    case restartSampling
  }

  /// A chip that has failed without answering since `since`, most recently at `latest`.
  private struct UnansweredChip {
    var address: I2CAddress
    var since: Instant
    var latest: Instant
  }

  /// How readily the power is cycled.
  public let configuration: Configuration
  /// Where the power is.
  public private(set) var state = State.on
  /// How many times the power was cut.
  public private(set) var cycleCount = 0
  private var unansweredChips: [UnansweredChip] = []
  /// The chips that had not answered when the power was last cut; once all have, the backoff
  /// starts over.
  private var chipsToComeBack: [I2CAddress] = []
  private var backoff: Duration
  private var nextCycleAllowedAt: Instant?

  /// The switch, on.
  public init(configuration: Configuration = Configuration()) {
    precondition(configuration.offDuration > .zero && configuration.powerUpDuration > .zero)
    precondition(configuration.initialBackoff <= configuration.maximumBackoff)
    self.configuration = configuration
    backoff = configuration.initialBackoff
  }

  /// The level the line is driven to: high unless the power is cut.
  public var level: GPIOLevel {
    if case .off = state { return .low }
    return .high
  }

  /// Whether sampling waits: the chips have no power, or have just got it back.
  public var isSamplingPaused: Bool {
    state != .on
  }

  /// When `poll` must be called next, if the power is off or coming up.
  public var deadline: Instant? {
    switch state {
    case .on: return nil
    case .off(let until), .poweringUp(let until): return until
    }
  }

  /// Takes what one poll of the chips found; cuts the power if a chip has not answered for
  /// the configuration's `unansweredLimit` and the backoff allows a cycle.
  public mutating func observe(_ events: [SamplingScheduler.Event], now: Instant) -> Step? {
    for event in events {
      switch event {
      case .failed(let address, let error) where Self.isUnanswered(error):
        if let index = unansweredChips.firstIndex(where: { $0.address == address }) {
          unansweredChips[index].latest = now
        } else {
          unansweredChips.append(UnansweredChip(address: address, since: now, latest: now))
        }
      case .failed(let address, _), .sampled(let address, _):
        // The chip answered, even if with an error: its power is not the problem.
        unansweredChips.removeAll { $0.address == address }
        if let index = chipsToComeBack.firstIndex(of: address) {
          chipsToComeBack.remove(at: index)
          if chipsToComeBack.isEmpty { backoff = configuration.initialBackoff }
        }
      }
    }
    guard state == .on, nextCycleAllowedAt.map({ now >= $0 }) ?? true else { return nil }
    let overdue = unansweredChips.filter {
      $0.latest.duration(since: $0.since) >= configuration.unansweredLimit
    }
    guard !overdue.isEmpty else { return nil }
    state = .off(until: now + configuration.offDuration)
    cycleCount += 1
    chipsToComeBack = unansweredChips.map { $0.address }
    return .cutPower(unanswered: overdue.map { $0.address })
  }

  /// Moves on when the power has been off, or coming up, long enough.
  public mutating func poll(now: Instant) -> Step? {
    switch state {
    case .on:
      return nil
    case .off(let until):
      guard now >= until else { return nil }
      state = .poweringUp(until: now + configuration.powerUpDuration)
      return .restorePower
    case .poweringUp(let until):
      guard now >= until else { return nil }
      state = .on
      // Each chip gets the full limit again, and the next cycle waits out the backoff.
      unansweredChips = []
      nextCycleAllowedAt = now + backoff
      backoff = min(backoff * 2, configuration.maximumBackoff)
      return .restartSampling
    }
  }

  /// Whether `error` says the chip did not answer at all, or hung: what a power cycle can cure.
  /// A chip that answers wrongly (a CRC, its identity, a fault it reports) has power.
  private static func isUnanswered(_ error: SensorError) -> Bool {
    switch error {
    case .notResponding, .measurementTimedOut: return true
    case .busFailed(let busError): return busError != .busAbsent
    case .checksumMismatch, .unexpectedIdentity, .invalidData, .chipFault, .restarted:
      return false
    }
  }
}
