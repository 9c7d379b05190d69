// RFC 3339 (an Internet profile of ISO 8601) timestamps: `2026-11-26T20:33:46.123Z` or with an
// offset such as `+01:00`. Loam always writes UTC with milliseconds and reads any valid offset.

/// Why a timestamp string is not a valid RFC 3339 date-time.
public enum RFC3339Error: Error, Equatable, Sendable {
  /// The text does not have the `YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM)` shape.
  case malformed
  /// A field is out of range, such as month 13 or February 30.
  case fieldOutOfRange
}

extension UTCTime {
  /// The time in RFC 3339 form, UTC, with exactly three fractional digits.
  public var rfc3339: String {
    let (days, millisecondOfDay) = dayAndMillisecond(of: self)
    let (year, month, day) = civilDate(daysSinceEpoch: days)
    var text = ""
    text.reserveCapacity(24)
    appendPadded(&text, year, width: 4)
    text += "-"
    appendPadded(&text, month, width: 2)
    text += "-"
    appendPadded(&text, day, width: 2)
    text += "T"
    appendTimeOfDay(&text, millisecondOfDay: millisecondOfDay)
    text += "."
    appendPadded(&text, millisecondOfDay % 1000, width: 3)
    text += "Z"
    return text
  }

  /// Parses an RFC 3339 date-time. Fractions beyond milliseconds are truncated; a leap second
  /// (`:60`) is read as the last millisecond of its minute, since POSIX time has no place for it.
  public init(rfc3339 text: String) throws(RFC3339Error) {
    var reader = DigitReader(bytes: Array(text.utf8))
    let year = try reader.number(digits: 4)
    try reader.expect(UInt8(ascii: "-"))
    let month = try reader.number(digits: 2)
    try reader.expect(UInt8(ascii: "-"))
    let day = try reader.number(digits: 2)
    try reader.expectAny(of: [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")])
    let hour = try reader.number(digits: 2)
    try reader.expect(UInt8(ascii: ":"))
    let minute = try reader.number(digits: 2)
    try reader.expect(UInt8(ascii: ":"))
    let second = try reader.number(digits: 2)
    var millisecond: Int64 = 0
    if reader.consume(UInt8(ascii: ".")) {
      millisecond = try reader.fractionMilliseconds()
    }
    let offsetMinutes = try reader.offsetMinutes()
    guard reader.isAtEnd else { throw .malformed }

    guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
      hour <= 23, minute <= 59, second <= 60
    else { throw .fieldOutOfRange }
    let millisecondOfMinute = second == 60 ? 59_999 : second * 1000 + millisecond
    let days = daysSinceEpoch(year: year, month: month, day: day)
    let local = days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + millisecondOfMinute
    self.init(millisecondsSinceEpoch: local - offsetMinutes * 60_000)
    guard self >= .minimum, self <= .maximum else { throw .fieldOutOfRange }
  }
}

/// A cursor over ASCII bytes for the fixed-width fields of RFC 3339.
private struct DigitReader {
  let bytes: [UInt8]
  var index = 0

  var isAtEnd: Bool { index == bytes.count }

  mutating func number(digits count: Int) throws(RFC3339Error) -> Int64 {
    guard index + count <= bytes.count else { throw .malformed }
    var value: Int64 = 0
    for _ in 0..<count {
      let byte = bytes[index]
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .malformed }
      value = value * 10 + Int64(byte - UInt8(ascii: "0"))
      index += 1
    }
    return value
  }

  mutating func consume(_ byte: UInt8) -> Bool {
    guard index < bytes.count, bytes[index] == byte else { return false }
    index += 1
    return true
  }

  mutating func expect(_ byte: UInt8) throws(RFC3339Error) {
    guard consume(byte) else { throw .malformed }
  }

  mutating func expectAny(of choices: [UInt8]) throws(RFC3339Error) {
    guard index < bytes.count, choices.contains(bytes[index]) else { throw .malformed }
    index += 1
  }

  /// One or more fraction digits, as milliseconds (digits after the third are ignored).
  mutating func fractionMilliseconds() throws(RFC3339Error) -> Int64 {
    var milliseconds: Int64 = 0
    var count = 0
    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9")
    {
      if count < 3 { milliseconds = milliseconds * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
      count += 1
      index += 1
    }
    guard count > 0 else { throw .malformed }
    for _ in count..<max(count, 3) { milliseconds *= 10 }
    return milliseconds
  }

  /// `Z` (zero) or `+HH:MM` / `-HH:MM`, as signed minutes east of UTC.
  mutating func offsetMinutes() throws(RFC3339Error) -> Int64 {
    if consume(UInt8(ascii: "Z")) || consume(UInt8(ascii: "z")) { return 0 }
    let sign: Int64
    if consume(UInt8(ascii: "+")) {
      sign = 1
    } else if consume(UInt8(ascii: "-")) {
      sign = -1
    } else {
      throw .malformed
    }
    let hours = try number(digits: 2)
    try expect(UInt8(ascii: ":"))
    let minutes = try number(digits: 2)
    guard hours <= 23, minutes <= 59 else { throw .fieldOutOfRange }
    return sign * (hours * 60 + minutes)
  }
}
