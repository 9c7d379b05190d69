import ApplianceProfiles
import BoardSupport
import Time

/// The watering pump (the `pump-relay` GPIO role): when the soil is dry it runs for the
/// profile's run time, then leaves the water to soak in for the soak time before it decides
/// again, and it runs at most the profile's number of times in any 24 hours.
///
/// Sans-IO: the appliance calls `poll` after each batch of readings and at `deadline`, with the
/// instant of the latest reading that found the soil dry, and drives the relay as the steps say.
/// Only a reading taken after the last run (or after the start) counts, so a soil sensor that
/// stops answering leaves the pump off rather than watering on its last reading; and the cap
/// bounds what a sensor stuck on "dry" can do to `runsPerDayMax` runs a day. The appliance
/// starts soaking, as if it had just watered, so that one restarting over and over does not
/// run the pump at each start.
public struct PumpController {
  /// What the pump is doing.
  public enum State: Equatable, Sendable {
    /// Off, waiting for dry soil.
    case idle
    /// Running until the given instant.
    case running(until: Instant)
    /// Off, leaving the water to soak in until the given instant.
    case soaking(until: Instant)
  }

  /// What the appliance must do.
  public enum Step: Equatable, Sendable {
    /// Switch the relay on; this is run `run` of the last 24 hours.
    case start(run: Int)
    /// Switch the relay off.
    case stop
    /// The soil is dry but the pump has run its most times in the last 24 hours: it stays off.
    case capped
  }

  /// The profile's settings.
  public let settings: PumpSettings
  /// What the pump is doing.
  public private(set) var state: State
  /// The wall time the latest run started, for people.
  public private(set) var lastRunTime: UTCTime?
  /// When the runs of the last 24 hours started, oldest first.
  private var runStarts: [Instant] = []
  /// When the latest run ended (or the controller started): a reading must come after it.
  private var lastRunEndedAt: Instant
  /// Whether the cap keeps the pump off while the soil is dry.
  public private(set) var isCapped = false

  /// The window the cap counts runs in.
  public static let capWindow = Duration.seconds(24 * 3600)

  /// A pump that starts at `now` by soaking, as if it had just watered.
  public init(settings: PumpSettings, now: Instant) {
    self.settings = settings
    lastRunEndedAt = now
    state = .soaking(until: now + .seconds(Int64(settings.soakSeconds)))
  }

  /// The level the relay is driven to.
  public var relayLevel: GPIOLevel {
    if case .running = state { return .high }
    return .low
  }

  /// How many runs started in the 24 hours up to the last `poll`.
  public var runsInLastDay: Int {
    runStarts.count
  }

  /// When `poll` must be called next regardless of readings: the end of a run or of a soak,
  /// or, while capped, when the oldest run of the window leaves it.
  public var deadline: Instant? {
    switch state {
    case .running(let until), .soaking(let until): return until
    case .idle: return isCapped ? runStarts.first.map { $0 + Self.capWindow } : nil
    }
  }

  /// Ends a run or a soak that is over, and decides whether to water: the soil was found dry
  /// at `dryReadingAt` (nil if it is not dry), at wall time `time`.
  public mutating func poll(now: Instant, time: UTCTime, dryReadingAt: Instant?) -> Step? {
    runStarts.removeAll { now.duration(since: $0) >= Self.capWindow }
    switch state {
    case .running(let until):
      guard now >= until else { return nil }
      state = .soaking(until: now + .seconds(Int64(settings.soakSeconds)))
      lastRunEndedAt = now
      return .stop
    case .soaking(let until):
      guard now >= until else { return nil }
      state = .idle
    case .idle:
      break
    }
    guard let dryReadingAt, dryReadingAt > lastRunEndedAt else {
      isCapped = false
      return nil
    }
    guard runStarts.count < settings.runsPerDayMax else {
      guard !isCapped else { return nil }
      isCapped = true
      return .capped
    }
    isCapped = false
    runStarts.append(now)
    lastRunTime = time
    state = .running(until: now + .seconds(Int64(settings.runSeconds)))
    return .start(run: runStarts.count)
  }
}
