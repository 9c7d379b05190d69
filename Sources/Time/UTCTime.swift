/// A wall-clock time: milliseconds since 1970-01-01T00:00:00Z, leap seconds ignored (POSIX time).
///
/// Readings carry wall-clock times so that a person can read them; ordering and timeouts use the
/// monotonic `Instant` instead, because a wall clock can jump (NTP, a Pi without an RTC at boot).
public struct UTCTime: Comparable, Hashable, Sendable, CustomStringConvertible {
  /// Milliseconds since the Unix epoch; negative before 1970.
  public var millisecondsSinceEpoch: Int64

  /// The earliest time Loam accepts: 0001-01-01T00:00:00Z.
  public static let minimum = UTCTime(millisecondsSinceEpoch: -62_135_596_800_000)
  /// The latest time Loam accepts: 9999-12-31T23:59:59.999Z.
  public static let maximum = UTCTime(millisecondsSinceEpoch: 253_402_300_799_999)

  public init(millisecondsSinceEpoch: Int64) {
    self.millisecondsSinceEpoch = millisecondsSinceEpoch
  }

  /// The time `duration` later (or earlier, if negative), clamped to `minimum...maximum`.
  public func advanced(by duration: Duration) -> UTCTime {
    let (sum, overflow) = millisecondsSinceEpoch.addingReportingOverflow(
      duration.millisecondsClamped)
    let clamped =
      overflow
      ? (duration < .zero ? Self.minimum : Self.maximum)
      : UTCTime(
        millisecondsSinceEpoch: sum)
    return min(max(clamped, Self.minimum), Self.maximum)
  }

  public static func < (lhs: UTCTime, rhs: UTCTime) -> Bool {
    lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
  }

  /// The RFC 3339 form, for example `2026-11-26T20:33:46.123Z`.
  public var description: String { rfc3339 }
}
