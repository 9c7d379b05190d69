/// The CRC-8 that Sensirion chips (SGP30, SGP40, SCD4x) put after every 16-bit word they send
/// and expect after every word they receive: polynomial 0x31 (x^8 + x^5 + x^4 + 1), initial
/// value 0xFF, no reflection, no final XOR (the "Checksum Calculation" section of the SGP30 and
/// SCD4x datasheets). Check value: the CRC of 0xBE 0xEF is 0x92.
public enum SensirionCRC {
  /// The CRC of `bytes`.
  public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt8 {
    var remainder: UInt8 = 0xFF
    for byte in bytes {
      remainder ^= byte
      for _ in 0..<8 {
        remainder = remainder & 0x80 != 0 ? (remainder << 1) ^ 0x31 : remainder << 1
      }
    }
    return remainder
  }

  /// Appends `word` big-endian followed by its CRC: how a word travels in either direction.
  public static func append(word: UInt16, to bytes: inout [UInt8]) {
    let high = UInt8(word >> 8)
    let low = UInt8(truncatingIfNeeded: word)
    bytes.append(high)
    bytes.append(low)
    bytes.append(checksum([high, low]))
  }

  /// The words of `bytes`, which hold 3-byte groups of a big-endian word and its CRC; nil if any
  /// CRC is wrong or the length is not a multiple of 3.
  public static func words(_ bytes: [UInt8]) -> [UInt16]? {
    guard bytes.count % 3 == 0 else { return nil }
    var words: [UInt16] = []
    words.reserveCapacity(bytes.count / 3)
    for start in stride(from: 0, to: bytes.count, by: 3) {
      let high = bytes[start]
      let low = bytes[start + 1]
      guard checksum([high, low]) == bytes[start + 2] else { return nil }
      words.append(UInt16(high) << 8 | UInt16(low))
    }
    return words
  }
}
