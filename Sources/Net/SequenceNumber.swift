/// A TCP sequence number: a position in a byte stream, counted modulo 2^32 (RFC 9293 section
/// 3.4).
///
/// Sequence numbers wrap around, so they are compared by their distance, not by their value:
/// `a < b` when `b` lies less than 2^31 bytes ahead of `a`. This is only meaningful for numbers
/// within 2^31 of each other, which TCP guarantees by keeping windows below 2^30 (RFC 7323
/// section 2.3). Two numbers exactly 2^31 apart are neither less nor greater than each other.
///
/// Because that order is not total, the type does not conform to `Comparable`: `sort()`, `min()`
/// and ranges would silently misbehave across the wrap. It has the comparison operators alone.
public struct SequenceNumber: Hashable, Sendable, CustomStringConvertible {
  /// The 32 bits as they travel in the header.
  public var rawValue: UInt32

  /// The sequence number with these 32 bits.
  public init(_ rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// How far `other` lies ahead of this number: positive when it is later, negative when it is
  /// earlier, taking the shorter way around the circle.
  public func distance(to other: SequenceNumber) -> Int32 {
    Int32(bitPattern: other.rawValue &- rawValue)
  }

  /// The number `rhs` bytes later, wrapping past 2^32 - 1 to 0.
  public static func + (lhs: SequenceNumber, rhs: UInt32) -> SequenceNumber {
    SequenceNumber(lhs.rawValue &+ rhs)
  }

  /// The number `rhs` bytes earlier, wrapping below 0 to 2^32 - 1.
  public static func - (lhs: SequenceNumber, rhs: UInt32) -> SequenceNumber {
    SequenceNumber(lhs.rawValue &- rhs)
  }

  /// Moves the number `rhs` bytes later.
  public static func += (lhs: inout SequenceNumber, rhs: UInt32) {
    lhs = lhs + rhs
  }

  /// Moves the number `rhs` bytes earlier.
  public static func -= (lhs: inout SequenceNumber, rhs: UInt32) {
    lhs = lhs - rhs
  }

  /// Whether `lhs` comes before `rhs` (RFC 9293's `<`, modulo 2^32).
  public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
    lhs.distance(to: rhs) > 0
  }

  /// Whether `lhs` comes before `rhs` or equals it.
  public static func <= (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
    lhs.distance(to: rhs) >= 0
  }

  /// Whether `lhs` comes after `rhs`.
  public static func > (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
    rhs < lhs
  }

  /// Whether `lhs` comes after `rhs` or equals it.
  public static func >= (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
    rhs <= lhs
  }

  /// The later of two sequence numbers (they must lie within 2^31 of each other).
  public static func later(_ lhs: SequenceNumber, _ rhs: SequenceNumber) -> SequenceNumber {
    lhs < rhs ? rhs : lhs
  }

  public var description: String { "\(rawValue)" }
}
