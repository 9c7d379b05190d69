/// A JSON number as the parser found it.
///
/// JSON has one number type of unbounded precision. Integers that fit an `Int64` are kept
/// exactly (counters, timestamps, identifiers); everything else, numbers with a fraction or an
/// exponent and integers beyond `Int64`, is the nearest `Double`.
public enum JSONNumber: Equatable, Sendable {
  /// An integer written without fraction or exponent that fits an `Int64`.
  case integer(Int64)
  /// Any other number, correctly rounded to the nearest double; always finite.
  case double(Double)

  /// The number as a double (an integer beyond 2^53 rounds to the nearest double).
  public var doubleValue: Double {
    switch self {
    case .integer(let value): return Double(value)
    case .double(let value): return value
    }
  }

  /// The number as an `Int64` if it is integral and in range: `1e3` is 1000, `1.5` is nil.
  public var int64Value: Int64? {
    switch self {
    case .integer(let value): return value
    case .double(let value): return Self.int64(exactly: value)
    }
  }

  /// `Int64(exactly:)` without its call to libm's `rint`, which bare metal lacks: converting
  /// to `Int64` truncates, so the double was integral exactly when converting back restores it.
  private static func int64(exactly value: Double) -> Int64? {
    guard value >= -0x1p63 && value < 0x1p63 else { return nil }  // also rejects NaN
    let truncated = Int64(value)
    return Double(truncated) == value ? truncated : nil
  }
}
