import Glibc
import Time

/// The host's monotonic clock (`CLOCK_MONOTONIC`): never jumps, counts from an unspecified origin
/// (boot). Use it for timeouts and ordering; it is the `Instant` every state machine is fed.
public enum MonotonicClock {
  /// The current monotonic instant.
  public static func now() -> Instant {
    let time = readClock(CLOCK_MONOTONIC)
    return Instant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
  }
}

/// The host's wall clock (`CLOCK_REALTIME`): the time a person would read, which can jump when
/// NTP corrects it. Use it only to label readings, never to measure intervals.
public enum WallClock {
  /// The current wall-clock time, truncated to milliseconds.
  public static func now() -> UTCTime {
    let time = readClock(CLOCK_REALTIME)
    let milliseconds = Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    return UTCTime(millisecondsSinceEpoch: milliseconds)
  }
}

private func readClock(_ clock: clockid_t) -> timespec {
  var time = timespec()
  // clock_gettime can only fail for an invalid clock id or address; both are programming errors.
  let result = clock_gettime(clock, &time)
  precondition(result == 0, "clock_gettime(\(clock)) failed with errno \(errno)")
  return time
}
