import HostPlatform
import Time

/// The appliance's time: the host's clocks, optionally run faster (`--clock-rate`) so that a
/// test or a demo can live through an hour of sampling in seconds.
///
/// At a rate of 1 this is the monotonic and wall clocks as they are. At a rate of R, time since
/// the start runs R times faster: samples, their timestamps and the publisher's retry backoff
/// all follow it. Network timeouts and the hub do not: they stay in real time.
struct ApplianceClock {
  /// Appliance seconds per real second.
  let rate: Double
  private let realStart: Instant
  private let wallStart: UTCTime

  /// A clock starting now.
  init(rate: Double) {
    precondition(rate > 0 && rate.isFinite, "a clock rate is a positive number")
    self.rate = rate
    realStart = MonotonicClock.now()
    wallStart = WallClock.now()
  }

  /// The appliance's monotonic time now.
  func now() -> Instant {
    applianceInstant(real: MonotonicClock.now())
  }

  /// The wall time at the appliance instant `instant`, for readings' timestamps.
  func wallTime(at instant: Instant) -> UTCTime {
    wallStart.advanced(by: instant.duration(since: realStart))
  }

  /// The real instant at which the appliance's clock shows `instant`, for the event loop's timers.
  func realInstant(at instant: Instant) -> Instant {
    guard instant > realStart else { return realStart }
    let elapsed = Double(instant.duration(since: realStart).nanosecondsClamped) / rate
    return realStart + .nanoseconds(Int64(elapsed.rounded(.up)))
  }

  private func applianceInstant(real: Instant) -> Instant {
    let elapsed = Double(real.duration(since: realStart).nanosecondsClamped) * rate
    let instant = realStart + .nanoseconds(Int64(elapsed))
    assert(instant >= realStart)
    return instant
  }
}
