import Time

/// Time of day in a simulation whose clock origin (`Instant.zero`) is midnight of day 0.
///
/// The physical models live in simulated time only; nothing here reads a clock.
public struct DailyCycle: Equatable, Sendable {
  /// Seconds in a day.
  public static let secondsPerDay: UInt64 = 86_400

  /// The instant this describes.
  public let time: Instant

  /// The cycle at `time`.
  public init(at time: Instant) {
    self.time = time
  }

  /// Whole days since the origin.
  public var day: Int {
    Int(time.nanoseconds / 1_000_000_000 / Self.secondsPerDay)
  }

  /// The hour of the day as a fraction, 0 up to 24.
  public var hour: Double {
    let secondOfDay = time.nanoseconds / 1_000_000_000 % Self.secondsPerDay
    return Double(secondOfDay) / 3600
  }

  /// 0 at night, 1 at 14:00: how warm and bright the day is. A smooth curve that needs no
  /// libm `cos` (bare metal has none): the distance from 14:00, smoothstepped.
  public var daylight: Double {
    let distanceFromPeak = abs(hour - 14) / 24
    let wrapped = min(distanceFromPeak, 1 - distanceFromPeak) * 2  // 0 at the peak, 1 opposite.
    return 1 - wrapped * wrapped * (3 - 2 * wrapped)
  }

  /// Whether people are usually up and about: 07:00 to 23:00.
  public var isWakingHours: Bool {
    hour >= 7 && hour < 23
  }
}
