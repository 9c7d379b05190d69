/// CRC-32 as used by Ethernet, gzip and PNG (ISO-HDLC): reflected polynomial 0xEDB88320, initial
/// value and final XOR 0xFFFFFFFF. Check value: the CRC of the ASCII digits "123456789" is
/// 0xCBF43926.
///
/// Loam uses it to detect torn and corrupted records in on-disk logs. It finds accidental damage,
/// not tampering.
public struct CRC32: Sendable {
  /// The running remainder, kept inverted as the algorithm specifies.
  private var remainder: UInt32 = 0xFFFF_FFFF

  /// A checksum over no bytes yet.
  public init() {}

  /// Feeds more bytes into the checksum.
  public mutating func update(_ bytes: some Sequence<UInt8>) {
    // Arrays and slices take the concrete loop below; callers in other modules would otherwise
    // run this generic loop unspecialised, an order of magnitude slower.
    let wasContiguous = bytes.withContiguousStorageIfAvailable { buffer in
      update(UnsafeRawBufferPointer(buffer))
      return true
    }
    guard wasContiguous == nil else { return }
    for byte in bytes { update(byte) }
  }

  /// Feeds the bytes of a buffer into the checksum.
  public mutating func update(_ buffer: UnsafeRawBufferPointer) {
    var value = remainder
    crc32Table.withUnsafeBufferPointer { table in
      for byte in buffer {
        value = (value >> 8) ^ table[Int((value ^ UInt32(byte)) & 0xFF)]
      }
    }
    remainder = value
  }

  private mutating func update(_ byte: UInt8) {
    remainder = (remainder >> 8) ^ crc32Table[Int((remainder ^ UInt32(byte)) & 0xFF)]
  }

  /// The checksum of the bytes fed so far.
  public var value: UInt32 { remainder ^ 0xFFFF_FFFF }

  /// The checksum of `bytes` in one call.
  public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
  }
}

/// Remainders of every byte value, so that the inner loop handles a byte at a time.
private let crc32Table: [UInt32] = (0..<256).map { index in
  var value = UInt32(index)
  for _ in 0..<8 {
    value = (value & 1) == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
  }
  return value
}
