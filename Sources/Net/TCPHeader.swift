/// The IP protocol number of TCP, which its pseudo-header carries. (IPProtocol.swift names the
/// protocol numbers for IPv4; this file keeps the literal so that it stands alone.)
private let tcpProtocolNumber: UInt8 = 6

/// A TCP header (RFC 9293 section 3.1) with its options.
///
///     0                   1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |          Source Port          |       Destination Port        |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                        Sequence Number                        |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                    Acknowledgment Number                      |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  Data |       |C|E|U|A|P|R|S|F|                               |
///     | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
///     |       |       |R|E|G|K|H|T|N|N|                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |           Checksum            |         Urgent Pointer        |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |                      Options (0 to 40 bytes)                  |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The data offset and the checksum follow from the options, the payload and the addresses;
/// they are checked on parse and computed on emit. The reserved bits are sent as zero and
/// ignored on receipt.
public struct TCPHeader: Hashable, Sendable {
  /// The sender's port.
  public var sourcePort: UInt16
  /// The receiver's port.
  public var destinationPort: UInt16
  /// The sequence number of the first byte of the payload (or of the SYN).
  public var sequenceNumber: SequenceNumber
  /// The next sequence number the sender expects to receive; meaningful only with ACK.
  public var acknowledgementNumber: SequenceNumber
  /// The control bits. SYN with FIN or RST is rejected on parse and refused on emit.
  public var flags: TCPFlags
  /// How many bytes the sender will accept, before window scaling.
  public var window: UInt16
  /// The offset from the sequence number to the end of urgent data; meaningful only with URG.
  public var urgentPointer: UInt16
  /// The options this stack understands; others are skipped on parse.
  public var options: TCPOptions

  /// The size of a header without options.
  public static let minimumLength = 20

  /// A header with these fields; the options, the urgent pointer and, without ACK, the
  /// acknowledgement number may be left out.
  public init(
    sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: SequenceNumber,
    acknowledgementNumber: SequenceNumber = SequenceNumber(0), flags: TCPFlags, window: UInt16,
    urgentPointer: UInt16 = 0, options: TCPOptions = TCPOptions()
  ) {
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.sequenceNumber = sequenceNumber
    self.acknowledgementNumber = acknowledgementNumber
    self.flags = flags
    self.window = window
    self.urgentPointer = urgentPointer
    self.options = options
  }

  /// The header's size on the wire, options included: always a multiple of 4.
  public var length: Int { TCPHeader.minimumLength + options.encodedLength }

  /// Reads a TCP segment, the whole payload of an IPv4 packet from `source` to `destination`.
  public static func parse(
    _ bytes: ArraySlice<UInt8>, source: IPv4Address, destination: IPv4Address
  ) throws(WireError) -> (header: TCPHeader, payload: ArraySlice<UInt8>) {
    guard bytes.count >= minimumLength else {
      throw .truncated(protocol: "TCP", needed: minimumLength, available: bytes.count)
    }
    guard bytes.count <= 0xFFFF else {
      throw .malformed(protocol: "TCP", reason: "segment longer than an IPv4 datagram allows")
    }
    let headerLength = Int(bytes[bytes.startIndex + 12] >> 4) * 4
    guard headerLength >= minimumLength else {
      throw .malformed(protocol: "TCP", reason: "data offset \(headerLength / 4) is below 5")
    }
    guard headerLength <= bytes.count else {
      throw .truncated(protocol: "TCP", needed: headerLength, available: bytes.count)
    }
    var checksum = IPv4PseudoHeader(
      source: source, destination: destination, protocolNumber: tcpProtocolNumber,
      length: bytes.count
    ).checksum
    checksum.add(bytes)
    guard checksum.value == 0 else { throw .badChecksum(protocol: "TCP") }
    let flags = TCPFlags(rawValue: bytes[bytes.startIndex + 13])
    if let contradiction = flags.contradiction {
      throw .malformed(protocol: "TCP", reason: contradiction)
    }
    let optionsStart = bytes.startIndex + minimumLength
    let options = try TCPOptions.parse(
      bytes[optionsStart..<bytes.startIndex + headerLength], synchronizing: flags.contains(.syn))
    let header = TCPHeader(
      sourcePort: bytes.bigEndianUInt16(at: 0), destinationPort: bytes.bigEndianUInt16(at: 2),
      sequenceNumber: SequenceNumber(bytes.bigEndianUInt32(at: 4)),
      acknowledgementNumber: SequenceNumber(bytes.bigEndianUInt32(at: 8)), flags: flags,
      window: bytes.bigEndianUInt16(at: 14), urgentPointer: bytes.bigEndianUInt16(at: 18),
      options: options)
    return (header, bytes.dropFirst(headerLength))
  }

  /// Appends the header and `payload`, with the data offset and the checksum for a segment from
  /// `source` to `destination`. The flags must not contradict each other, the options must suit
  /// the segment (see `TCPOptions`) and the segment must fit in an IPv4 datagram.
  public func emit(
    payload: some Collection<UInt8>, source: IPv4Address, destination: IPv4Address,
    into buffer: inout [UInt8]
  ) {
    precondition(flags.contradiction == nil, "contradictory TCP flags \(flags)")
    let headerLength = length
    precondition(headerLength + payload.count <= 0xFFFF, "TCP segment too long")
    let start = buffer.count
    buffer.appendFields(count: TCPHeader.minimumLength) { fields in
      fields.write(sourcePort)
      fields.write(destinationPort)
      fields.write(sequenceNumber.rawValue)
      fields.write(acknowledgementNumber.rawValue)
      fields.write(UInt8(headerLength / 4) << 4)  // data offset in words; reserved bits zero
      fields.write(flags.rawValue)
      fields.write(window)
      fields.write(UInt16(0))  // the checksum, filled in below
      fields.write(urgentPointer)
    }
    options.emit(synchronizing: flags.contains(.syn), into: &buffer)
    assert(buffer.count - start == headerLength, "options wrote other than encodedLength")
    buffer.append(contentsOf: payload)
    var checksum = IPv4PseudoHeader(
      source: source, destination: destination, protocolNumber: tcpProtocolNumber,
      length: buffer.count - start
    ).checksum
    checksum.add(buffer[start...])
    buffer.storeBigEndian(checksum.value, at: start + 16)
  }
}
