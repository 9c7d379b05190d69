/// The IP protocol number of UDP, which its pseudo-header carries. (IPProtocol.swift names the
/// protocol numbers for IPv4; this file keeps the literal so that it stands alone.)
private let udpProtocolNumber: UInt8 = 17

/// A UDP header (RFC 768): two ports, a length and a checksum over an IPv4 pseudo-header, the
/// header and the payload.
///
///     0      7 8     15 16    23 24    31
///     +--------+--------+--------+--------+
///     |   source port   | destination port|
///     +--------+--------+--------+--------+
///     |     length      |    checksum     |
///     +--------+--------+--------+--------+
///
/// Only the ports are kept: the length and the checksum follow from the payload and the
/// addresses, and are checked on parse and computed on emit.
public struct UDPHeader: Hashable, Sendable {
  /// The sender's port; 0 when the sender expects no reply.
  public var sourcePort: UInt16
  /// The receiver's port.
  public var destinationPort: UInt16

  /// The header's size in bytes.
  public static let length = 8
  /// The most payload one datagram carries: its 16-bit length field covers the header too.
  public static let maximumPayloadLength = 0xFFFF - length

  /// A header between these ports.
  public init(sourcePort: UInt16, destinationPort: UInt16) {
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
  }

  /// Reads a UDP datagram, the payload of an IPv4 packet from `source` to `destination`.
  ///
  /// Bytes after the datagram's length field are ignored (link-layer padding). A zero checksum
  /// means the sender computed none, which IPv4 allows; any other value must verify.
  public static func parse(
    _ bytes: ArraySlice<UInt8>, source: IPv4Address, destination: IPv4Address
  ) throws(WireError) -> (header: UDPHeader, payload: ArraySlice<UInt8>) {
    guard bytes.count >= length else {
      throw .truncated(protocol: "UDP", needed: length, available: bytes.count)
    }
    let datagramLength = Int(bytes.bigEndianUInt16(at: 4))
    guard datagramLength >= length else {
      throw .malformed(protocol: "UDP", reason: "length \(datagramLength) is below 8")
    }
    guard datagramLength <= bytes.count else {
      throw .truncated(protocol: "UDP", needed: datagramLength, available: bytes.count)
    }
    let datagram = bytes.prefix(datagramLength)
    if datagram.bigEndianUInt16(at: 6) != 0 {
      var checksum = IPv4PseudoHeader(
        source: source, destination: destination, protocolNumber: udpProtocolNumber,
        length: datagramLength
      ).checksum
      checksum.add(datagram)
      guard checksum.value == 0 else { throw .badChecksum(protocol: "UDP") }
    }
    let header = UDPHeader(
      sourcePort: datagram.bigEndianUInt16(at: 0), destinationPort: datagram.bigEndianUInt16(at: 2))
    return (header, datagram.dropFirst(length))
  }

  /// Appends the header and `payload`, with the length and the checksum for a datagram from
  /// `source` to `destination`. The payload must fit: at most `maximumPayloadLength` bytes.
  public func emit(
    payload: some Collection<UInt8>, source: IPv4Address, destination: IPv4Address,
    into buffer: inout [UInt8]
  ) {
    let datagramLength = UDPHeader.length + payload.count
    precondition(payload.count <= UDPHeader.maximumPayloadLength, "UDP payload too long")
    let start = buffer.count
    buffer.appendFields(count: UDPHeader.length) { fields in
      fields.write(sourcePort)
      fields.write(destinationPort)
      fields.write(UInt16(datagramLength))
      fields.write(UInt16(0))  // the checksum, filled in below
    }
    buffer.append(contentsOf: payload)
    var checksum = IPv4PseudoHeader(
      source: source, destination: destination, protocolNumber: udpProtocolNumber,
      length: datagramLength
    ).checksum
    checksum.add(buffer[start...])
    // A computed 0 is sent as its ones' complement twin 0xFFFF, since 0 means "no checksum".
    let value = checksum.value == 0 ? 0xFFFF : checksum.value
    buffer.storeBigEndian(value, at: start + 6)
  }
}
