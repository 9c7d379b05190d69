/// Reads the fields of one DNS message in order, checking every length before it reads a byte.
///
/// Offsets count from the message's first byte, since compression pointers do. Names are read
/// with their compression pointers followed under three rules that keep hostile input cheap:
/// a pointer must point backwards (before the run of labels that holds it), never into the
/// header, and a name may follow at most `maximumPointerHops` pointers. Backward pointers alone
/// rule out loops; the hop limit bounds the work.
struct DNSMessageReader {
  /// The protocol named in errors.
  static let protocolName = "DNS"
  /// The most compression pointers one name may follow. A valid name has at most 127 labels,
  /// so a compressor never needs more hops than that.
  static let maximumPointerHops = 127

  private let message: ArraySlice<UInt8>
  /// The offset of the next byte to read, from the message's start.
  private(set) var offset = 0

  /// A reader at the start of `message`.
  init(_ message: ArraySlice<UInt8>) {
    self.message = message
  }

  /// The bytes not read yet.
  var remaining: Int { message.count - offset }

  private func byte(at position: Int) -> UInt8 {
    message[message.startIndex + position]
  }

  private func require(_ count: Int, at position: Int) throws(WireError) {
    guard position + count <= message.count else {
      throw .truncated(
        protocol: Self.protocolName, needed: position + count, available: message.count)
    }
  }

  /// The next byte.
  mutating func readUInt8() throws(WireError) -> UInt8 {
    try require(1, at: offset)
    defer { offset += 1 }
    return byte(at: offset)
  }

  /// The next two bytes as a big-endian number.
  mutating func readUInt16() throws(WireError) -> UInt16 {
    try require(2, at: offset)
    defer { offset += 2 }
    return UInt16(byte(at: offset)) << 8 | UInt16(byte(at: offset + 1))
  }

  /// The next four bytes as a big-endian number.
  mutating func readUInt32() throws(WireError) -> UInt32 {
    let high = try readUInt16()
    let low = try readUInt16()
    return UInt32(high) << 16 | UInt32(low)
  }

  /// The next `count` bytes.
  mutating func readBytes(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
    try require(count, at: offset)
    defer { offset += count }
    let start = message.startIndex + offset
    return message[start..<start + count]
  }

  /// The next name, following compression pointers; the reader moves past the name's inline
  /// part (up to and including its first pointer).
  mutating func readName() throws(WireError) -> DNSName {
    var labels: [[UInt8]] = []
    var wireLength = 1
    var position = offset
    var runStart = offset
    var resumeOffset: Int? = nil
    var hops = 0
    while true {
      try require(1, at: position)
      let length = Int(byte(at: position))
      switch length >> 6 {
      case 0 where length == 0:
        offset = resumeOffset ?? position + 1
        return DNSName(labels: labels)!  // The limits were checked label by label.
      case 0:
        try require(1 + length, at: position)
        wireLength += 1 + length
        guard wireLength <= DNSName.maximumWireLength else {
          throw malformed("name longer than \(DNSName.maximumWireLength) bytes")
        }
        let start = message.startIndex + position + 1
        labels.append(Array(message[start..<start + length]))
        position += 1 + length
      case 3:
        try require(2, at: position)
        let target = (length & 0x3F) << 8 | Int(byte(at: position + 1))
        guard target < runStart else { throw malformed("compression pointer not backwards") }
        guard target >= DNSMessage.headerLength else {
          throw malformed("compression pointer into the header")
        }
        hops += 1
        guard hops <= Self.maximumPointerHops else { throw malformed("too many pointers") }
        if resumeOffset == nil { resumeOffset = position + 2 }
        runStart = target
        position = target
      default:
        throw malformed("reserved label type \(length >> 6)")
      }
    }
  }

  /// A malformed-message error with `reason`.
  func malformed(_ reason: String) -> WireError {
    .malformed(protocol: Self.protocolName, reason: reason)
  }
}
