// Network byte order (big-endian) reads and writes, shared by the wire formats.

extension ArraySlice<UInt8> {
  /// The 16-bit big-endian number at `offset` bytes from the start; the caller has checked the
  /// length.
  func bigEndianUInt16(at offset: Int) -> UInt16 {
    let index = startIndex + offset
    return UInt16(self[index]) << 8 | UInt16(self[index + 1])
  }

  /// The 32-bit big-endian number at `offset` bytes from the start; the caller has checked the
  /// length.
  func bigEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(bigEndianUInt16(at: offset)) << 16 | UInt32(bigEndianUInt16(at: offset + 2))
  }
}

extension [UInt8] {
  /// Appends `value` high byte first.
  mutating func appendBigEndian(_ value: UInt16) {
    append(UInt8(value >> 8))
    append(UInt8(truncatingIfNeeded: value))
  }

  /// Appends `value` high byte first.
  mutating func appendBigEndian(_ value: UInt32) {
    appendBigEndian(UInt16(value >> 16))
    appendBigEndian(UInt16(truncatingIfNeeded: value))
  }

  /// Overwrites the two bytes at `index` with `value`, high byte first.
  mutating func storeBigEndian(_ value: UInt16, at index: Int) {
    self[index] = UInt8(value >> 8)
    self[index + 1] = UInt8(truncatingIfNeeded: value)
  }
}
