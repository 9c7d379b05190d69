/// A point on a platform's monotonic clock, in nanoseconds from an origin the platform chooses
/// (usually boot).
///
/// The core never reads a clock: platforms pass the current `Instant` into every state machine,
/// which is what makes simulation and tests deterministic. Instants from different platforms or
/// boots are not comparable.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
  /// Nanoseconds since the platform's clock origin.
  public var nanoseconds: UInt64

  /// The instant `nanoseconds` after the clock's origin.
  public init(nanoseconds: UInt64) {
    self.nanoseconds = nanoseconds
  }

  /// The clock's origin; simulations usually start here.
  public static let zero = Instant(nanoseconds: 0)

  /// The instant `duration` later. Saturates at the clock's end instead of trapping.
  public func advanced(by duration: Duration) -> Instant {
    let step = duration.nanosecondsClamped
    if step >= 0 {
      let (sum, overflow) = nanoseconds.addingReportingOverflow(UInt64(step))
      return Instant(nanoseconds: overflow ? .max : sum)
    }
    let magnitude = UInt64(step.magnitude)
    return Instant(nanoseconds: nanoseconds > magnitude ? nanoseconds - magnitude : 0)
  }

  /// The time from `earlier` to `self`; zero if `earlier` is later.
  public func duration(since earlier: Instant) -> Duration {
    guard nanoseconds > earlier.nanoseconds else { return .zero }
    let difference = nanoseconds - earlier.nanoseconds
    return .nanoseconds(Int64(clamping: difference))
  }

  public static func < (lhs: Instant, rhs: Instant) -> Bool {
    lhs.nanoseconds < rhs.nanoseconds
  }

  public static func + (lhs: Instant, rhs: Duration) -> Instant {
    lhs.advanced(by: rhs)
  }

  /// The earlier of two optional instants, nil only when both are: how the deadlines of
  /// several timers combine into one, without building an array on every call.
  public static func earliest(_ lhs: Instant?, _ rhs: Instant?) -> Instant? {
    guard let lhs else { return rhs }
    guard let rhs else { return lhs }
    return min(lhs, rhs)
  }

  public var description: String {
    "\(nanoseconds)ns"
  }
}

extension Duration {
  /// This duration in whole nanoseconds, clamped to `Int64`'s range (about 292 years).
  public var nanosecondsClamped: Int64 {
    // Timers ask this on every pass. Durations under about nine seconds fit in 64 bits of
    // attoseconds, and dividing those is cheap; `components` divides 128 bits every time.
    let attoseconds = self.attoseconds
    if let small = Int64(exactly: attoseconds) { return small / 1_000_000_000 }
    let nanoseconds = attoseconds / 1_000_000_000
    return Int64(exactly: nanoseconds) ?? (nanoseconds < 0 ? .min : .max)
  }

  /// This duration in whole milliseconds, clamped to `Int64`'s range.
  public var millisecondsClamped: Int64 {
    nanosecondsClamped / 1_000_000
  }
}
