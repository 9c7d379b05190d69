/// Storing the little-endian integer fields of on-disk structures (MBR, FAT boot sector, FSInfo,
/// directory entries and the FAT itself are all little-endian) into a byte array.
extension Array where Element == UInt8 {
  mutating func storeLittleEndian(_ value: UInt16, at offset: Int) {
    self[offset] = UInt8(truncatingIfNeeded: value)
    self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
  }

  mutating func storeLittleEndian(_ value: UInt32, at offset: Int) {
    for index in 0..<4 {
      self[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index))
    }
  }

  mutating func store(_ bytes: [UInt8], at offset: Int) {
    replaceSubrange(offset..<offset + bytes.count, with: bytes)
  }
}
