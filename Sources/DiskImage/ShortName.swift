/// An 8.3 name as a directory entry stores it: eight characters of name and three of extension,
/// upper case, padded with spaces, without the dot (Microsoft FAT32 File System Specification
/// 1.03, "FAT Directory Structure", DIR_Name).
public struct ShortName: Hashable, Sendable {
  /// The 11 bytes of DIR_Name.
  public let bytes: [UInt8]

  private init(base: [UInt8], extensionPart: [UInt8]) {
    bytes = Self.padded(base, extensionPart: extensionPart)
  }

  private static func padded(_ base: [UInt8], extensionPart: [UInt8]) -> [UInt8] {
    let space = UInt8(ascii: " ")
    return base + [UInt8](repeating: space, count: 8 - base.count) + extensionPart
      + [UInt8](repeating: space, count: 3 - extensionPart.count)
  }

  /// The name as people write it, `BCM271~1.DTB`.
  public var displayName: String {
    let base = bytes[0..<8].reversed().drop { $0 == UInt8(ascii: " ") }.reversed()
    let extensionPart = bytes[8..<11].reversed().drop { $0 == UInt8(ascii: " ") }.reversed()
    let text =
      extensionPart.isEmpty ? Array(base) : Array(base) + [UInt8(ascii: ".")] + extensionPart
    return String(decoding: text, as: UTF8.self)
  }

  /// The checksum a long-name entry carries of the short name it belongs to (specification,
  /// "FAT Long Directory Entries", LDIR_Chksum): for each of the 11 bytes, rotate the sum right
  /// by one bit and add the byte, modulo 256.
  public var checksum: UInt8 {
    var sum: UInt8 = 0
    for byte in bytes {
      sum = (sum >> 1 | sum << 7) &+ byte
    }
    return sum
  }

  /// The short name Windows would give a file with the long name `longName`, in a directory
  /// whose short names are `taken` (specification, "Basis-Name Generation Algorithm" and
  /// "Numeric-Tail Generation Algorithm"): upper case; characters a short name cannot hold
  /// become `_`; spaces and leading periods go; up to eight characters before the first period
  /// and three after the last. When that lost something, or the name is taken, a numeric tail
  /// `~N` replaces the end of the base: `bcm2711-rpi-4-b.dtb` is `BCM271~1.DTB`.
  public static func generated(
    for longName: String, avoiding taken: Set<ShortName>
  ) throws(DiskImageError) -> ShortName {
    var characters = Array(longName.utf8).filter { $0 != UInt8(ascii: " ") }
    var lossy = characters.count != longName.utf8.count
    let leadingPeriods = characters.prefix { $0 == UInt8(ascii: ".") }.count
    characters.removeFirst(leadingPeriods)
    lossy = lossy || leadingPeriods > 0
    var converted: [UInt8] = []
    for character in characters {
      if character == UInt8(ascii: ".") {
        converted.append(character)
      } else if let stored = storedCharacter(character) {
        converted.append(stored)
      } else {
        converted.append(UInt8(ascii: "_"))
        lossy = true
      }
    }
    let base = Array(converted.prefix { $0 != UInt8(ascii: ".") })
    let lastPeriod = converted.lastIndex(of: UInt8(ascii: "."))
    let extensionPart = lastPeriod.map { Array(converted[($0 + 1)...]) } ?? []
    let periodCount = converted.filter { $0 == UInt8(ascii: ".") }.count
    let fits = !base.isEmpty && base.count <= 8 && extensionPart.count <= 3 && periodCount <= 1
    let basis = ShortName(
      base: Array(base.prefix(8)), extensionPart: Array(extensionPart.prefix(3)))
    if fits && !lossy && !taken.contains(basis) { return basis }
    // The specification lets the tail run to ~999999; a directory holds 65536 entries at most.
    for number in 1...999_999 {
      let tail = Array("~\(number)".utf8)
      let candidate = ShortName(
        base: Array(base.prefix(8 - tail.count)) + tail,
        extensionPart: Array(extensionPart.prefix(3)))
      if !taken.contains(candidate) { return candidate }
    }
    throw .shortNamesExhausted(longName)
  }

  /// The byte a short name stores for `character`, upper case; nil for a character a short name
  /// cannot hold (specification, "DIR_Name": letters, digits, space and `$%'-_@~`!(){}^#&`).
  static func storedCharacter(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "a")...UInt8(ascii: "z"): character - 0x20
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): character
    default: Array("$%'-_@~`!(){}^#&".utf8).contains(character) ? character : nil
    }
  }
}
