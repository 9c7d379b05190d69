import HostPlatform
import Time

/// The appliance's time: the host's clocks, optionally run faster (`--clock-rate`) so that a
/// test or a demo can live through an hour of sampling in seconds, and optionally started in
/// the past (`--clock-start`) so that a demo can fill a week of history and then go on live.
///
/// At a rate of 1 this is the monotonic and wall clocks as they are. At a rate of R, time since
/// the start runs R times faster: samples, their timestamps and the publisher's retry backoff
/// all follow it. Network timeouts and the hub do not: they stay in real time. A clock started
/// in the past runs R times faster only until it has caught up with the wall clock, then at
/// real time, so its timestamps never run ahead of the hub's.
struct ApplianceClock {
  /// Appliance seconds per real second (until a clock started in the past has caught up).
  let rate: Double
  private let realStart: Instant
  private let wallStart: UTCTime
  /// For a clock started in the past, how far the start lay behind the wall clock: the lead
  /// that real time keeps until the clock has caught up.
  private let lagNanoseconds: Double?

  /// A clock starting now, or at `start` if given (in the past; one in the future has nothing
  /// to catch up and runs at `rate` from there).
  init(rate: Double, start: UTCTime? = nil) {
    precondition(rate > 0 && rate.isFinite, "a clock rate is a positive number")
    self.rate = rate
    realStart = MonotonicClock.now()
    let wallNow = WallClock.now()
    wallStart = start ?? wallNow
    lagNanoseconds = start.map {
      Double(max(0, wallNow.millisecondsSinceEpoch - $0.millisecondsSinceEpoch)) * 1e6
    }
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
    let elapsed = Double(instant.duration(since: realStart).nanosecondsClamped)
    // The inverse of `applianceInstant`: the fast clock's before the catch-up, the lag's after.
    let real = max(elapsed / rate, lagNanoseconds.map { elapsed - $0 } ?? 0)
    return realStart + .nanoseconds(Int64(real.rounded(.up)))
  }

  private func applianceInstant(real: Instant) -> Instant {
    let realElapsed = Double(real.duration(since: realStart).nanosecondsClamped)
    // R times real time, or once a clock started in the past has made up its lag, real time
    // plus the lag.
    let elapsed = min(realElapsed * rate, lagNanoseconds.map { realElapsed + $0 } ?? .infinity)
    let instant = realStart + .nanoseconds(Int64(elapsed))
    assert(instant >= realStart)
    return instant
  }
}
