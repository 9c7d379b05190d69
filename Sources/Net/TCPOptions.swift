/// The options of a TCP header that this stack understands: MSS (RFC 9293 section 3.7.1),
/// window scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
///
/// Options are a list of kind-length-value records after the fixed header, at most 40 bytes.
/// Some belong only to SYN segments (MSS, window scale, SACK-permitted: they are negotiated
/// when a connection opens) and SACK blocks only to the others (a SYN has no data to
/// acknowledge). Parsing ignores options in the wrong kind of segment, as the RFCs tell a
/// receiver to; emitting them there is a programming error.
public struct TCPOptions: Hashable, Sendable {
  /// A run of bytes the receiver holds beyond its acknowledgement number, from `leftEdge` up to
  /// but not including `rightEdge` (RFC 2018 section 3).
  public struct SACKBlock: Hashable, Sendable {
    /// The first sequence number of the block.
    public var leftEdge: SequenceNumber
    /// The sequence number just after the block.
    public var rightEdge: SequenceNumber

    /// The block from `leftEdge` up to `rightEdge`.
    public init(leftEdge: SequenceNumber, rightEdge: SequenceNumber) {
      self.leftEdge = leftEdge
      self.rightEdge = rightEdge
    }
  }

  /// The timestamps option (RFC 7323 section 3): the sender's clock and the latest timestamp it
  /// received, which measure round trips and protect against wrapped sequence numbers.
  public struct Timestamps: Hashable, Sendable {
    /// TSval: the sender's timestamp clock when it sent the segment.
    public var value: UInt32
    /// TSecr: the `value` of the segment being acknowledged, 0 when there is none yet.
    public var echoReply: UInt32

    /// The option with these two clocks.
    public init(value: UInt32, echoReply: UInt32) {
      self.value = value
      self.echoReply = echoReply
    }
  }

  /// The largest segment the sender can receive; SYN only.
  public var maximumSegmentSize: UInt16?
  /// The sender's window scale shift count, at most `maximumWindowScale`; SYN only.
  public var windowScale: UInt8?
  /// Whether the sender can receive SACK blocks; SYN only.
  public var sackPermitted: Bool
  /// Selective acknowledgements, at most `maximumSACKBlocks` (three alongside timestamps, for
  /// room); not in a SYN.
  public var sackBlocks: [SACKBlock]
  /// The timestamps, in any segment once both sides offered them on SYN.
  public var timestamps: Timestamps?

  /// The most option bytes a header has room for: a data offset of 15 words less the 5 of the
  /// fixed header.
  public static let maximumLength = 40
  /// The largest window scale shift (RFC 7323 section 2.3): windows stay below 2^30, so that
  /// sequence number comparisons still work.
  public static let maximumWindowScale: UInt8 = 14
  /// The most SACK blocks an option can hold in 40 bytes.
  public static let maximumSACKBlocks = 4

  /// Options with these values; by default none.
  public init(
    maximumSegmentSize: UInt16? = nil, windowScale: UInt8? = nil, sackPermitted: Bool = false,
    sackBlocks: [SACKBlock] = [], timestamps: Timestamps? = nil
  ) {
    self.maximumSegmentSize = maximumSegmentSize
    self.windowScale = windowScale
    self.sackPermitted = sackPermitted
    self.sackBlocks = sackBlocks
    self.timestamps = timestamps
  }

  /// How many bytes `emit` writes: each option is aligned with NOPs the way common stacks lay
  /// them out, so the total is always a multiple of 4.
  public var encodedLength: Int {
    var length = 0
    if maximumSegmentSize != nil { length += 4 }
    if timestamps != nil {
      length += 12  // SACK-permitted, or two NOPs, then the 10-byte timestamps
    } else if sackPermitted {
      length += 4  // two NOPs, SACK-permitted
    }
    if windowScale != nil { length += 4 }  // NOP, window scale
    if !sackBlocks.isEmpty { length += 4 + 8 * sackBlocks.count }  // two NOPs, SACK
    return length
  }
}

/// The option kinds (RFC 9293 section 3.1, IANA's "TCP Option Kind Numbers").
private enum OptionKind {
  static let endOfOptions: UInt8 = 0
  static let noOperation: UInt8 = 1
  static let maximumSegmentSize: UInt8 = 2
  static let windowScale: UInt8 = 3
  static let sackPermitted: UInt8 = 4
  static let sack: UInt8 = 5
  static let timestamps: UInt8 = 8
}

extension TCPOptions {
  /// Reads the options area of a header (`bytes`, at most 40 bytes) of a SYN segment when
  /// `synchronizing`. Unknown options are skipped by their length; a length that is below 2, runs
  /// past the header or is wrong for a known option makes the whole segment malformed.
  static func parse(
    _ bytes: ArraySlice<UInt8>, synchronizing: Bool
  ) throws(WireError) -> TCPOptions {
    precondition(bytes.count <= maximumLength, "a TCP header has at most 40 bytes of options")
    var options = TCPOptions()
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let kind = bytes[index]
      if kind == OptionKind.endOfOptions { break }  // the rest is padding
      if kind == OptionKind.noOperation {
        index += 1
        continue
      }
      guard index + 1 < bytes.endIndex else {
        throw malformed("option \(kind) has no room for its length")
      }
      let length = Int(bytes[index + 1])
      guard length >= 2 else { throw malformed("option \(kind) has length \(length)") }
      guard length <= bytes.endIndex - index else {
        throw malformed("option \(kind) of length \(length) runs past the header")
      }
      try options.read(kind: kind, value: bytes[index + 2..<index + length])
      index += length
    }
    if synchronizing {
      options.sackBlocks = []
    } else {
      options.maximumSegmentSize = nil
      options.windowScale = nil
      options.sackPermitted = false
    }
    return options
  }

  /// Takes one option's value into these options; a later copy of an option replaces an earlier.
  private mutating func read(kind: UInt8, value: ArraySlice<UInt8>) throws(WireError) {
    switch kind {
    case OptionKind.maximumSegmentSize:
      try Self.expect(value, length: 2, name: "MSS")
      maximumSegmentSize = value.bigEndianUInt16(at: 0)
    case OptionKind.windowScale:
      try Self.expect(value, length: 1, name: "window scale")
      // RFC 7323 section 2.3: a larger shift MUST be taken as 14.
      windowScale = min(value[value.startIndex], TCPOptions.maximumWindowScale)
    case OptionKind.sackPermitted:
      try Self.expect(value, length: 0, name: "SACK-permitted")
      sackPermitted = true
    case OptionKind.sack:
      // 40 bytes of options leave room for at most 4 blocks, so no separate count check.
      guard !value.isEmpty, value.count % 8 == 0 else {
        throw Self.malformed("SACK option of \(value.count) bytes is not whole 8-byte blocks")
      }
      sackBlocks = stride(from: 0, to: value.count, by: 8).map { offset in
        SACKBlock(
          leftEdge: SequenceNumber(value.bigEndianUInt32(at: offset)),
          rightEdge: SequenceNumber(value.bigEndianUInt32(at: offset + 4)))
      }
    case OptionKind.timestamps:
      try Self.expect(value, length: 8, name: "timestamps")
      timestamps = Timestamps(
        value: value.bigEndianUInt32(at: 0), echoReply: value.bigEndianUInt32(at: 4))
    default:
      break  // RFC 9293 section 3.1: an unknown option is skipped by its length
    }
  }

  private static func expect(
    _ value: ArraySlice<UInt8>, length: Int, name: String
  ) throws(WireError) {
    guard value.count == length else {
      throw malformed("\(name) option has length \(value.count + 2), not \(length + 2)")
    }
  }

  private static func malformed(_ reason: String) -> WireError {
    .malformed(protocol: "TCP", reason: reason)
  }

  /// Appends the options, each aligned with NOPs, for a SYN segment when `synchronizing`. The
  /// options must suit the segment and fit in `maximumLength` bytes.
  func emit(synchronizing: Bool, into buffer: inout [UInt8]) {
    if synchronizing {
      precondition(sackBlocks.isEmpty, "SACK blocks in a SYN")
    } else {
      precondition(
        maximumSegmentSize == nil && windowScale == nil && !sackPermitted,
        "MSS, window scale or SACK-permitted outside a SYN")
    }
    let length = encodedLength
    precondition(length <= TCPOptions.maximumLength, "TCP options exceed 40 bytes")
    guard length > 0 else { return }
    let noOperation = OptionKind.noOperation
    buffer.appendFields(count: length) { fields in
      if let maximumSegmentSize {
        fields.write(OptionKind.maximumSegmentSize)
        fields.write(UInt8(4))
        fields.write(maximumSegmentSize)
      }
      if let timestamps {
        // SACK-permitted fills the two bytes that would otherwise be NOPs before the timestamps.
        fields.write(sackPermitted ? OptionKind.sackPermitted : noOperation)
        fields.write(sackPermitted ? UInt8(2) : noOperation)
        fields.write(OptionKind.timestamps)
        fields.write(UInt8(10))
        fields.write(timestamps.value)
        fields.write(timestamps.echoReply)
      } else if sackPermitted {
        fields.write(noOperation)
        fields.write(noOperation)
        fields.write(OptionKind.sackPermitted)
        fields.write(UInt8(2))
      }
      if let windowScale {
        precondition(windowScale <= TCPOptions.maximumWindowScale, "window scale above 14")
        fields.write(noOperation)
        fields.write(OptionKind.windowScale)
        fields.write(UInt8(3))
        fields.write(windowScale)
      }
      if !sackBlocks.isEmpty {
        fields.write(noOperation)
        fields.write(noOperation)
        fields.write(OptionKind.sack)
        fields.write(UInt8(2 + 8 * sackBlocks.count))
        for block in sackBlocks {
          fields.write(block.leftEdge.rawValue)
          fields.write(block.rightEdge.rawValue)
        }
      }
    }
  }
}
