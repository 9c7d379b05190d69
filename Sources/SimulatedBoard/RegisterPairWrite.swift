import BoardSupport

/// An I2C write to a Bosch environmental sensor (BME280 datasheet section 6.2.1, the same on the
/// BME680): one byte sets the register pointer for a read that follows; a longer write is
/// register-and-value pairs, the first register also becoming the pointer.
struct RegisterPairWrite {
  /// The register the next read starts at.
  let pointer: UInt8
  /// The registers written, in order, with their values.
  let writes: [(register: UInt8, value: UInt8)]

  /// The write in `bytes`, or nil for an empty one; an odd count past the first byte is not a
  /// write the chip accepts (it does not acknowledge the stray byte).
  init?(_ bytes: [UInt8]) throws(I2CError) {
    guard let first = bytes.first else { return nil }
    guard bytes.count == 1 || bytes.count % 2 == 0 else { throw .dataNotAcknowledged }
    pointer = first
    writes = stride(from: 0, to: bytes.count - 1, by: 2).map { (bytes[$0], bytes[$0 + 1]) }
  }
}
