/// A date and time as FAT directory entries record them (Microsoft FAT32 File System
/// Specification 1.03, "Date and Time Formats"): local time, two-second resolution, years 1980
/// to 2107.
///
///     date: bits 0-4 day (1-31), bits 5-8 month (1-12), bits 9-15 years since 1980
///     time: bits 0-4 seconds / 2 (0-29), bits 5-10 minutes, bits 11-15 hours
public struct FATTimestamp: Equatable, Sendable {
  public let date: UInt16
  public let time: UInt16

  public init(
    year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0
  ) throws(DiskImageError) {
    guard (1980...2107).contains(year), (1...12).contains(month),
      (1...Self.daysIn(month: month, year: year)).contains(day), (0...23).contains(hour),
      (0...59).contains(minute), (0...59).contains(second)
    else { throw .invalidTimestamp }
    date = UInt16((year - 1980) << 9 | month << 5 | day)
    time = UInt16(hour << 11 | minute << 5 | second / 2)
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }
}
