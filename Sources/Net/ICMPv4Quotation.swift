/// What an ICMP error message tells of the datagram it is about: the quoted IPv4 header and the
/// first 8 bytes of the transport header after it (RFC 792), which name the socket that sent it.
///
/// For TCP and UDP the 8 bytes start with the source and destination ports; for TCP the next
/// four are the segment's sequence number, which RFC 5927 uses to tell a genuine error about a
/// segment in flight from a forged one. The quoted header's checksum is not checked: a router
/// quotes the datagram as it received it, and some rewrite fields on the way (RFC 1812 section
/// 4.3.2.3 asks only for the header and 8 bytes); the sanity checks here are what matters.
public struct ICMPv4Quotation: Hashable, Sendable {
  /// Who sent the quoted datagram: our address, if it is about one of ours.
  public var source: IPv4Address
  /// Where the quoted datagram was going.
  public var destination: IPv4Address
  /// What the quoted datagram carried.
  public var payloadProtocol: IPProtocol
  /// The quoted datagram's total length field: how big the datagram was that did not get
  /// through (RFC 1191 section 5 estimates a path MTU from it).
  public var totalLength: Int
  /// The first two bytes of the transport header: the source port for TCP and UDP.
  public var sourcePort: UInt16
  /// The next two: the destination port for TCP and UDP.
  public var destinationPort: UInt16
  /// Bytes 4 to 7 of the transport header as one number: a TCP segment's sequence number, a
  /// UDP datagram's length and checksum.
  public var transportWord: UInt32

  /// The quoted TCP segment's sequence number (meaningful only when `payloadProtocol` is TCP).
  public var sequenceNumber: SequenceNumber { SequenceNumber(transportWord) }

  /// A quotation with these fields.
  public init(
    source: IPv4Address, destination: IPv4Address, payloadProtocol: IPProtocol, totalLength: Int,
    sourcePort: UInt16, destinationPort: UInt16, transportWord: UInt32
  ) {
    self.source = source
    self.destination = destination
    self.payloadProtocol = payloadProtocol
    self.totalLength = totalLength
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.transportWord = transportWord
  }

  /// Reads the quoted header and transport bytes from an error message's data. A quotation
  /// that is not IPv4, has a header length below 20 or past the data, lacks the 8 transport
  /// bytes, or quotes a fragment other than the first (which has no transport header) is
  /// malformed.
  public static func parse(_ original: ArraySlice<UInt8>) throws(WireError) -> ICMPv4Quotation {
    guard original.count >= ICMPv4Message.minimumQuoteLength else {
      throw .truncated(
        protocol: "ICMPv4 quotation", needed: ICMPv4Message.minimumQuoteLength,
        available: original.count)
    }
    let version = original.byte(at: 0) >> 4
    guard version == 4 else {
      throw .malformed(protocol: "ICMPv4 quotation", reason: "IP version \(version)")
    }
    let headerLength = Int(original.byte(at: 0) & 0x0F) * 4
    guard headerLength >= IPv4Header.length else {
      throw .malformed(
        protocol: "ICMPv4 quotation", reason: "header length \(headerLength) below 20")
    }
    guard original.count >= headerLength + transportBytes else {
      throw .truncated(
        protocol: "ICMPv4 quotation", needed: headerLength + transportBytes,
        available: original.count)
    }
    let totalLength = Int(original.bigEndianUInt16(at: 2))
    guard totalLength >= headerLength + transportBytes else {
      throw .malformed(
        protocol: "ICMPv4 quotation", reason: "total length \(totalLength) too short")
    }
    guard original.bigEndianUInt16(at: 6) & IPv4Header.maximumFragmentOffset == 0 else {
      throw .malformed(protocol: "ICMPv4 quotation", reason: "a fragment other than the first")
    }
    return ICMPv4Quotation(
      source: IPv4Address(original.bigEndianUInt32(at: 12)),
      destination: IPv4Address(original.bigEndianUInt32(at: 16)),
      payloadProtocol: IPProtocol(rawValue: original.byte(at: 9)), totalLength: totalLength,
      sourcePort: original.bigEndianUInt16(at: headerLength),
      destinationPort: original.bigEndianUInt16(at: headerLength + 2),
      transportWord: original.bigEndianUInt32(at: headerLength + 4))
  }

  /// The transport header bytes every error message quotes (RFC 792).
  static let transportBytes = 8
}
