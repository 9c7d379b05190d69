import Time

/// Polls a chip's data-ready flag at an interval, with a bound on how long it may stay unset.
///
/// Chips that measure on their own schedule (SCD4x, CCS811), or that may need longer than their
/// budget (BME680), say when a result is waiting. A chip that never says so again has usually
/// lost power and forgotten its mode; the bound turns that into `.measurementTimedOut` instead of
/// polling forever.
struct DataReadyPolling {
  /// Time between polls while nothing is ready.
  let interval: Duration
  /// How long the flag may stay unset, from the first poll that found it so.
  let timeout: Duration
  private var waitingSince: Instant?

  /// A polling of every `interval`, giving up after `timeout`.
  init(interval: Duration, timeout: Duration) {
    precondition(interval < timeout, "at least one poll before giving up")
    self.interval = interval
    self.timeout = timeout
  }

  /// Nothing was ready at `now`: the instant to poll again, or `.measurementTimedOut`.
  mutating func notReady(now: Instant) throws(SensorError) -> Instant {
    let since = waitingSince ?? now
    guard now.duration(since: since) < timeout else {
      waitingSince = nil
      throw .measurementTimedOut
    }
    waitingSince = since
    return now.advanced(by: interval)
  }

  /// A result was ready: the next wait starts afresh.
  mutating func ready() {
    waitingSince = nil
  }
}
