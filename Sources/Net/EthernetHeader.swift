/// The header of an Ethernet II frame (DIX, RFC 894): destination and source MAC addresses and
/// the EtherType of the payload. The frame check sequence is the device's business and never
/// appears here.
///
/// VLAN-tagged frames (802.1Q, 802.1ad) and IEEE 802.3 frames with a length field are refused
/// with `.unsupported`: the stack lives on one untagged segment.
public struct EthernetHeader: Hashable, Sendable {
  /// Where the frame goes.
  public var destination: MACAddress
  /// Who sent it.
  public var source: MACAddress
  /// What the payload is.
  public var etherType: EtherType

  /// The header's size on the wire: two addresses and the EtherType.
  public static let length = 14
  /// The smallest frame Ethernet carries, without its 4-byte frame check sequence; shorter frames
  /// are padded with zeros, which is why upper layers must trust their own length fields.
  public static let minimumFrameLength = 60

  /// A header with these fields.
  public init(destination: MACAddress, source: MACAddress, etherType: EtherType) {
    self.destination = destination
    self.source = source
    self.etherType = etherType
  }

  /// Reads a frame's header; the payload is the rest of the frame, padding included.
  public static func parse(
    _ bytes: ArraySlice<UInt8>
  ) throws(WireError) -> (header: EthernetHeader, payload: ArraySlice<UInt8>) {
    guard bytes.count >= length else {
      throw .truncated(protocol: "Ethernet", needed: length, available: bytes.count)
    }
    let start = bytes.startIndex
    let etherType = EtherType(rawValue: bytes.bigEndianUInt16(at: 12))
    if etherType.rawValue < EtherType.minimumValue {
      throw .unsupported(protocol: "Ethernet", reason: "IEEE 802.3 length field, not Ethernet II")
    }
    if etherType.isVLANTag {
      throw .unsupported(protocol: "Ethernet", reason: "VLAN-tagged frame")
    }
    let header = EthernetHeader(
      destination: MACAddress(bytes[start..<start + 6]),
      source: MACAddress(bytes[start + 6..<start + 12]),
      etherType: etherType)
    return (header, bytes[(start + length)...])
  }

  /// Appends the header and the payload, then zeros up to the minimum frame length.
  public func emit(payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
    emit(into: &buffer) { $0.append(contentsOf: payload) }
  }

  /// Appends the header, lets `writePayload` append the payload right after it (an IPv4
  /// header and its data, say, so that a frame is built in one buffer with one copy of the
  /// data), then pads a short frame to the minimum.
  public func emit(into buffer: inout [UInt8], payload writePayload: (inout [UInt8]) -> Void) {
    let frameStart = buffer.count
    buffer.appendFields(count: EthernetHeader.length) { fields in
      fields.write(destination)
      fields.write(source)
      fields.write(etherType.rawValue)
    }
    writePayload(&buffer)
    let padding = EthernetHeader.minimumFrameLength - (buffer.count - frameStart)
    if padding > 0 { buffer.append(contentsOf: repeatElement(0, count: padding)) }
  }
}
