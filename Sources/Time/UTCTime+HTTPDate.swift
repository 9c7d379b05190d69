// The HTTP date format (RFC 9110, section 5.6.7, "IMF-fixdate"): `Thu, 26 Nov 2026 20:33:46 GMT`.
// Servers with a clock send it in a `Date` header; browsers use it to judge their own clock.

extension UTCTime {
  /// The time as an IMF-fixdate, for HTTP `Date` headers. Milliseconds are dropped.
  public var httpDate: String {
    let (days, millisecondOfDay) = dayAndMillisecond(of: self)
    let (year, month, day) = civilDate(daysSinceEpoch: days)
    // 1970-01-01 was a Thursday.
    let weekday = Int((days % 7 + 7 + 3) % 7)  // 0 is Monday.
    var text = weekdayNames[weekday] + ", "
    appendPadded(&text, day, width: 2)
    text += " " + monthNames[Int(month) - 1] + " "
    appendPadded(&text, year, width: 4)
    text += " "
    appendTimeOfDay(&text, millisecondOfDay: millisecondOfDay)
    return text + " GMT"
  }
}

private let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
private let monthNames = [
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
]
