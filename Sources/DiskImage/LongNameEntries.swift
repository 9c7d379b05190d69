/// The long-name entries that carry a name an 8.3 entry cannot (Microsoft FAT32 File System
/// Specification 1.03, "FAT Long Directory Entries"). They come just before the short entry
/// they name, last part first:
///
///     0    1  LDIR_Ord        sequence number from 1; 0x40 marks the last (first stored) entry
///     1   10  LDIR_Name1      characters 1-5, UTF-16 little-endian
///     11   1  LDIR_Attr       0x0F (read-only, hidden, system, volume label: no old driver
///                             takes it for a file)
///     12   1  LDIR_Type       0
///     13   1  LDIR_Chksum     the short name's checksum (`ShortName.checksum`)
///     14  12  LDIR_Name2      characters 6-11
///     26   2  LDIR_FstClusLO  0
///     28   4  LDIR_Name3      characters 12-13
///
/// A name of 13 characters per entry ends with a 0x0000 when there is room, and the rest of its
/// last entry is 0xFFFF.
public enum LongNameEntries {
  public static let attribute: UInt8 = 0x0F
  public static let lastEntryFlag: UInt8 = 0x40
  public static let charactersPerEntry = 13
  /// The longest name: 255 characters, in at most 20 entries.
  public static let maximumNameLength = 255

  /// Whether `name` is a long name FAT can hold, in printable ASCII: 1 to 255 characters, not
  /// `.` or `..`, none of `"*/:<>?\|`, and not ending in a period or a space (which Windows
  /// drops).
  public static func isValid(_ name: String) -> Bool {
    let characters = Array(name.utf8)
    guard (1...maximumNameLength).contains(characters.count), name != ".", name != "..",
      let last = characters.last, last != UInt8(ascii: "."), last != UInt8(ascii: " ")
    else { return false }
    let forbidden = Array("\"*/:<>?\\|".utf8)
    return characters.allSatisfy { (0x20...0x7E).contains($0) && !forbidden.contains($0) }
  }

  /// The entries for `name` (valid, see `isValid`) in the order a directory stores them.
  public static func entries(for name: String, shortName: ShortName) -> [[UInt8]] {
    precondition(isValid(name), "not a long name FAT can hold")
    let characters = name.utf8.map { UInt16($0) }
    let entryCount = (characters.count + charactersPerEntry - 1) / charactersPerEntry
    let padded =
      characters + (characters.count % charactersPerEntry == 0 ? [] : [0])
      + [UInt16](repeating: 0xFFFF, count: entryCount * charactersPerEntry)
    let checksum = shortName.checksum
    var entries: [[UInt8]] = []
    for sequence in stride(from: entryCount, through: 1, by: -1) {
      let part = padded[(sequence - 1) * charactersPerEntry..<sequence * charactersPerEntry]
      var entry = [UInt8](repeating: 0, count: DirectoryEntry.byteCount)
      entry[0] = UInt8(sequence) | (sequence == entryCount ? lastEntryFlag : 0)
      entry[11] = attribute
      entry[13] = checksum
      // Characters 1-5 at 1, 6-11 at 14, 12-13 at 28.
      let offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]
      for (offset, character) in zip(offsets, part) {
        entry.storeLittleEndian(character, at: offset)
      }
      entries.append(entry)
    }
    return entries
  }
}
