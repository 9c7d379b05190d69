/// The header of an IPv4 datagram (RFC 791).
///
/// Parsing verifies the header checksum, skips options (bounded by the header length field),
/// and slices the payload to the total length so that Ethernet padding after the datagram is
/// ignored. Emitting writes a 20-byte header without options and computes the total length and
/// the checksum. Neither is stored: they are facts about the bytes, not about the datagram.
public struct IPv4Header: Hashable, Sendable {
  /// The differentiated services code point (RFC 2474): the upper six bits of the old TOS byte.
  public var differentiatedServicesCodePoint: UInt8
  /// The explicit congestion notification bits (RFC 3168): the lower two bits of that byte.
  public var explicitCongestionNotification: UInt8
  /// Chosen by the sender to tell the fragments of one datagram from those of another.
  public var identification: UInt16
  /// The DF flag: routers must drop rather than fragment this datagram.
  public var dontFragment: Bool
  /// The MF flag: more fragments of this datagram follow this one.
  public var moreFragments: Bool
  /// Where this fragment's payload sits in the original payload, in units of 8 bytes (13 bits).
  public var fragmentOffset: UInt16
  /// Hops left before a router discards the datagram.
  public var timeToLive: UInt8
  /// What the payload is.
  public var payloadProtocol: IPProtocol
  /// The sender.
  public var source: IPv4Address
  /// The receiver.
  public var destination: IPv4Address

  /// The size of a header without options, which is what `emit` writes.
  public static let length = 20
  /// The largest header: a header length field of 15 words.
  public static let maximumLength = 60
  /// The largest datagram the 16-bit total length field can describe.
  public static let maximumDatagramLength = 65_535
  /// The largest value of the 13-bit fragment offset field.
  public static let maximumFragmentOffset: UInt16 = 0x1FFF
  /// The time to live Loam sends with (RFC 1700's recommendation; Linux's default too).
  public static let defaultTimeToLive: UInt8 = 64

  private static let reservedFlag: UInt16 = 0x8000
  private static let dontFragmentFlag: UInt16 = 0x4000
  private static let moreFragmentsFlag: UInt16 = 0x2000

  /// A header with these fields; by default an unfragmented datagram that may be fragmented.
  public init(
    source: IPv4Address, destination: IPv4Address, payloadProtocol: IPProtocol,
    identification: UInt16 = 0, timeToLive: UInt8 = IPv4Header.defaultTimeToLive,
    dontFragment: Bool = false, moreFragments: Bool = false, fragmentOffset: UInt16 = 0,
    differentiatedServicesCodePoint: UInt8 = 0, explicitCongestionNotification: UInt8 = 0
  ) {
    precondition(fragmentOffset <= IPv4Header.maximumFragmentOffset, "13-bit fragment offset")
    precondition(differentiatedServicesCodePoint < 64 && explicitCongestionNotification < 4)
    self.source = source
    self.destination = destination
    self.payloadProtocol = payloadProtocol
    self.identification = identification
    self.timeToLive = timeToLive
    self.dontFragment = dontFragment
    self.moreFragments = moreFragments
    self.fragmentOffset = fragmentOffset
    self.differentiatedServicesCodePoint = differentiatedServicesCodePoint
    self.explicitCongestionNotification = explicitCongestionNotification
  }

  /// The fragment offset in bytes.
  public var fragmentByteOffset: Int { Int(fragmentOffset) * 8 }

  /// Whether this is a piece of a larger datagram rather than a whole one.
  public var isFragment: Bool { moreFragments || fragmentOffset != 0 }

  /// Reads a datagram's header; the payload is sliced to the total length field.
  public static func parse(
    _ bytes: ArraySlice<UInt8>
  ) throws(WireError) -> (header: IPv4Header, payload: ArraySlice<UInt8>) {
    guard bytes.count >= length else {
      throw .truncated(protocol: "IPv4", needed: length, available: bytes.count)
    }
    let version = bytes.byte(at: 0) >> 4
    guard version == 4 else { throw .malformed(protocol: "IPv4", reason: "version \(version)") }
    let headerLength = Int(bytes.byte(at: 0) & 0x0F) * 4
    guard headerLength >= length else {
      throw .malformed(protocol: "IPv4", reason: "header length \(headerLength) below 20")
    }
    guard bytes.count >= headerLength else {
      throw .truncated(protocol: "IPv4", needed: headerLength, available: bytes.count)
    }
    let totalLength = Int(bytes.bigEndianUInt16(at: 2))
    guard totalLength >= headerLength else {
      throw .malformed(
        protocol: "IPv4", reason: "total length \(totalLength) below header length \(headerLength)")
    }
    guard bytes.count >= totalLength else {
      throw .truncated(protocol: "IPv4", needed: totalLength, available: bytes.count)
    }
    let start = bytes.startIndex
    guard InternetChecksum.verifies(bytes[start..<start + headerLength]) else {
      throw .badChecksum(protocol: "IPv4")
    }
    let flagsAndOffset = bytes.bigEndianUInt16(at: 6)
    guard flagsAndOffset & reservedFlag == 0 else {
      throw .malformed(protocol: "IPv4", reason: "reserved flag set")
    }
    let header = IPv4Header(
      source: IPv4Address(bytes.bigEndianUInt32(at: 12)),
      destination: IPv4Address(bytes.bigEndianUInt32(at: 16)),
      payloadProtocol: IPProtocol(rawValue: bytes.byte(at: 9)),
      identification: bytes.bigEndianUInt16(at: 4),
      timeToLive: bytes.byte(at: 8),
      dontFragment: flagsAndOffset & dontFragmentFlag != 0,
      moreFragments: flagsAndOffset & moreFragmentsFlag != 0,
      fragmentOffset: flagsAndOffset & maximumFragmentOffset,
      differentiatedServicesCodePoint: bytes.byte(at: 1) >> 2,
      explicitCongestionNotification: bytes.byte(at: 1) & 0x03)
    return (header, bytes[(start + headerLength)..<(start + totalLength)])
  }

  /// Appends a 20-byte header (no options) with its total length and checksum, then the payload,
  /// which must fit the total length field.
  public func emit(payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
    emitHeader(payloadLength: payload.count, into: &buffer)
    buffer.append(contentsOf: payload)
  }

  /// Appends only the 20-byte header, for a payload of `payloadLength` bytes that the caller
  /// appends right after it (a TCP segment written in place, say).
  public func emitHeader(payloadLength: Int, into buffer: inout [UInt8]) {
    let totalLength = IPv4Header.length + payloadLength
    precondition(totalLength <= IPv4Header.maximumDatagramLength, "IPv4 payload too long")
    let headerStart = buffer.count
    var flagsAndOffset = fragmentOffset
    if dontFragment { flagsAndOffset |= IPv4Header.dontFragmentFlag }
    if moreFragments { flagsAndOffset |= IPv4Header.moreFragmentsFlag }
    buffer.appendFields(count: IPv4Header.length) { fields in
      fields.write(UInt8(0x45))  // Version 4, header length 5 words.
      fields.write(differentiatedServicesCodePoint << 2 | explicitCongestionNotification)
      fields.write(UInt16(totalLength))
      fields.write(identification)
      fields.write(flagsAndOffset)
      fields.write(timeToLive)
      fields.write(payloadProtocol.rawValue)
      fields.write(UInt16(0))  // The checksum, filled in below.
      fields.write(source.value)
      fields.write(destination.value)
    }
    let checksum = InternetChecksum.checksum(buffer[headerStart...])
    buffer.storeBigEndian(checksum, at: headerStart + 10)
  }
}
