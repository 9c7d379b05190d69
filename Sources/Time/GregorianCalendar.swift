// Proleptic Gregorian calendar arithmetic shared by the timestamp formats. Days are counted from
// 1970-01-01; eras are 400-year cycles of 146,097 days, counted from March so that the leap day
// falls at the end of a year ("days from civil").

func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
  let quotient = value / divisor
  return (value % divisor < 0) ? quotient - 1 : quotient
}

func isLeapYear(_ year: Int64) -> Bool {
  year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

func daysInMonth(year: Int64, month: Int64) -> Int64 {
  switch month {
  case 2: return isLeapYear(year) ? 29 : 28
  case 4, 6, 9, 11: return 30
  default: return 31
  }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date. Eras are 400-year cycles of
/// 146,097 days, counted from March so that the leap day falls at the end of a year.
func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
  let marchYear = month <= 2 ? year - 1 : year
  let era = floorDivide(marchYear, 400)
  let yearOfEra = marchYear - era * 400
  let marchMonth = month > 2 ? month - 3 : month + 9
  let dayOfYear = (153 * marchMonth + 2) / 5 + day - 1
  let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/// The inverse of `daysSinceEpoch`.
func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
  let shifted = days + 719_468
  let era = floorDivide(shifted, 146_097)
  let dayOfEra = shifted - era * 146_097
  let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
  let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
  let marchMonth = (5 * dayOfYear + 2) / 153
  let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
  let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
  let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  return (year, month, day)
}

/// Days since 1970-01-01 and the millisecond within that day, for a time.
func dayAndMillisecond(of time: UTCTime) -> (day: Int64, millisecond: Int64) {
  let day = floorDivide(time.millisecondsSinceEpoch, 86_400_000)
  return (day, time.millisecondsSinceEpoch - day * 86_400_000)
}

/// Appends `HH:MM:SS` for a millisecond of the day.
func appendTimeOfDay(_ text: inout String, millisecondOfDay: Int64) {
  precondition((0..<86_400_000).contains(millisecondOfDay))
  appendPadded(&text, millisecondOfDay / 3_600_000, width: 2)
  text += ":"
  appendPadded(&text, millisecondOfDay / 60_000 % 60, width: 2)
  text += ":"
  appendPadded(&text, millisecondOfDay / 1000 % 60, width: 2)
}

/// Appends `value` in decimal, zero-padded to `width` digits.
func appendPadded(_ text: inout String, _ value: Int64, width: Int) {
  precondition(value >= 0, "calendar fields are non-negative")
  let digits = "\(value)"
  for _ in digits.utf8.count..<max(digits.utf8.count, width) { text += "0" }
  text += digits
}
