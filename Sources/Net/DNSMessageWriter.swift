/// Writes the fields of one DNS message in order, compressing names (RFC 1035 section 4.1.4).
///
/// Each name suffix written is remembered with its offset; a later name that ends in a known
/// suffix writes a two-byte pointer to it instead of the labels. Pointers hold 14 bits, so only
/// suffixes within the first 16 KiB of the message can be targets.
struct DNSMessageWriter {
  /// The message so far.
  private(set) var bytes: [UInt8] = []
  private var suffixOffsets: [DNSName: Int] = [:]
  private let compressing: Bool

  /// The largest offset a compression pointer can hold.
  private static let maximumPointerTarget = 0x3FFF

  /// An empty message; names are written whole when `compressing` is false.
  init(compressing: Bool = true) {
    self.compressing = compressing
  }

  /// Appends one byte.
  mutating func writeUInt8(_ value: UInt8) {
    bytes.append(value)
  }

  /// Appends a big-endian 16-bit number.
  mutating func writeUInt16(_ value: UInt16) {
    bytes.append(UInt8(value >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value))
  }

  /// Appends a big-endian 32-bit number.
  mutating func writeUInt32(_ value: UInt32) {
    writeUInt16(UInt16(value >> 16))
    writeUInt16(UInt16(truncatingIfNeeded: value))
  }

  /// Appends raw bytes.
  mutating func writeBytes(_ value: some Collection<UInt8>) {
    bytes.append(contentsOf: value)
  }

  /// Overwrites the 16-bit number at `offset`, for a length known only after its contents.
  mutating func patchUInt16(_ value: UInt16, at offset: Int) {
    bytes[offset] = UInt8(value >> 8)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
  }

  /// Appends `name`, ending in a pointer to an earlier copy of its longest known suffix when
  /// `compress` is set. Either way its suffixes become targets for later names.
  mutating func writeName(_ name: DNSName, compress: Bool = true) {
    for index in name.labels.indices {
      let suffix = name.dropping(first: index)
      if compress, compressing, let target = suffixOffsets[suffix] {
        writeUInt16(0xC000 | UInt16(target))
        return
      }
      if bytes.count <= Self.maximumPointerTarget, suffixOffsets[suffix] == nil {
        suffixOffsets[suffix] = bytes.count
      }
      let label = name.labels[index]
      writeUInt8(UInt8(label.count))
      writeBytes(label)
    }
    writeUInt8(0)
  }
}
