// Network byte order (big-endian) reads and writes shared by the wire formats. Reads take an
// offset from the slice's start, not an index, and trust the caller to have checked the length.

extension ArraySlice<UInt8> {
  /// The byte `offset` bytes from the start.
  func byte(at offset: Int) -> UInt8 {
    self[startIndex + offset]
  }

  /// The big-endian 16-bit number `offset` bytes from the start.
  func bigEndianUInt16(at offset: Int) -> UInt16 {
    UInt16(self[startIndex + offset]) << 8 | UInt16(self[startIndex + offset + 1])
  }

  /// The big-endian 32-bit number `offset` bytes from the start.
  func bigEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(bigEndianUInt16(at: offset)) << 16 | UInt32(bigEndianUInt16(at: offset + 2))
  }
}

extension [UInt8] {
  /// Appends a 16-bit number, most significant byte first.
  mutating func appendBigEndian(_ value: UInt16) {
    append(UInt8(value >> 8))
    append(UInt8(truncatingIfNeeded: value))
  }

  /// Appends a 32-bit number, most significant byte first.
  mutating func appendBigEndian(_ value: UInt32) {
    appendBigEndian(UInt16(value >> 16))
    appendBigEndian(UInt16(truncatingIfNeeded: value))
  }

  /// Overwrites the 16-bit number at `index`, as checksums are filled in after the fact.
  mutating func storeBigEndian(_ value: UInt16, at index: Int) {
    self[index] = UInt8(value >> 8)
    self[index + 1] = UInt8(truncatingIfNeeded: value)
  }
}
