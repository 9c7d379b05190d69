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
  /// Appends a fixed-size run of `count` bytes that `write` fills in, field by field. A
  /// header written this way costs one capacity check and one count update, instead of one
  /// of each for every field appended; the stack writes three headers per frame.
  mutating func appendFields(count: Int, _ write: (inout BigEndianFieldWriter) -> Void) {
    withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { run in
      var writer = BigEndianFieldWriter(bytes: run)
      write(&writer)
      precondition(writer.offset == count, "the fields do not fill the run")
      append(contentsOf: UnsafeRawBufferPointer(run))
    }
  }

  /// Overwrites the 16-bit number at `index`, as checksums are filled in after the fact.
  mutating func storeBigEndian(_ value: UInt16, at index: Int) {
    self[index] = UInt8(value >> 8)
    self[index + 1] = UInt8(truncatingIfNeeded: value)
  }
}

/// Writes fields in network byte order into a run of bytes `appendFields` made, in order.
struct BigEndianFieldWriter {
  let bytes: UnsafeMutableRawBufferPointer
  private(set) var offset = 0

  init(bytes: UnsafeMutableRawBufferPointer) {
    self.bytes = bytes
  }

  mutating func write(_ value: UInt8) {
    precondition(offset < bytes.count, "a field past the end of the run")
    bytes[offset] = value
    offset += 1
  }

  mutating func write(_ value: UInt16) {
    precondition(offset + 2 <= bytes.count, "a field past the end of the run")
    bytes.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    offset += 2
  }

  mutating func write(_ value: UInt32) {
    precondition(offset + 4 <= bytes.count, "a field past the end of the run")
    bytes.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    offset += 4
  }

  mutating func write(_ address: MACAddress) {
    precondition(offset + 6 <= bytes.count, "a field past the end of the run")
    let (a, b, c, d, e, f) = address.bytes
    bytes[offset] = a
    bytes[offset + 1] = b
    bytes[offset + 2] = c
    bytes[offset + 3] = d
    bytes[offset + 4] = e
    bytes[offset + 5] = f
    offset += 6
  }
}
