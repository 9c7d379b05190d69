/// An ICMPv4 message (RFC 792): the kinds the stack answers or acts on, and the rest as raw
/// bytes.
///
/// ICMP carries nothing after itself, so `parse` returns the message alone (its data fields are
/// slices of the input, not copies) and `emit` takes no payload. The checksum covers the whole
/// message and is verified on parse and computed on emit. An echo with a non-zero code, which
/// RFC 792 does not define, parses as `.other`.
public enum ICMPv4Message: Hashable, Sendable {
  /// A ping (type 8); the reply must echo the identifier, sequence number and data.
  case echoRequest(identifier: UInt16, sequenceNumber: UInt16, data: ArraySlice<UInt8>)
  /// The answer to a ping (type 0).
  case echoReply(identifier: UInt16, sequenceNumber: UInt16, data: ArraySlice<UInt8>)
  /// A datagram could not be delivered (type 3). `nextHopMTU` is the link MTU that a
  /// `.fragmentationNeeded` message reports (RFC 1191), zero for the other codes. `original`
  /// quotes the offending datagram: its IP header and at least the first 8 bytes of its payload.
  case destinationUnreachable(
    code: UnreachableCode, nextHopMTU: UInt16, original: ArraySlice<UInt8>)
  /// A datagram's time to live ran out in transit (code 0) or its fragments were not all
  /// received in time (code 1) (type 11); `original` quotes it as above.
  case timeExceeded(code: UInt8, original: ArraySlice<UInt8>)
  /// Any other message: its type, code and the bytes after the checksum.
  case other(type: UInt8, code: UInt8, rest: ArraySlice<UInt8>)

  /// Why a datagram could not be delivered: the code of a destination unreachable message.
  public struct UnreachableCode: RawRepresentable, Hashable, Sendable {
    /// The code as it appears on the wire.
    public var rawValue: UInt8

    /// The code with this value.
    public init(rawValue: UInt8) {
      self.rawValue = rawValue
    }

    /// No route to the network.
    public static let networkUnreachable = UnreachableCode(rawValue: 0)
    /// The host did not answer ARP, or no route to it.
    public static let hostUnreachable = UnreachableCode(rawValue: 1)
    /// The host does not speak the datagram's protocol.
    public static let protocolUnreachable = UnreachableCode(rawValue: 2)
    /// No UDP socket is bound to the destination port.
    public static let portUnreachable = UnreachableCode(rawValue: 3)
    /// The datagram needed fragmenting to go on but had DF set (path MTU discovery, RFC 1191).
    public static let fragmentationNeeded = UnreachableCode(rawValue: 4)
  }

  /// The type numbers this enum names.
  enum MessageType {
    static let echoReply: UInt8 = 0
    static let destinationUnreachable: UInt8 = 3
    static let echoRequest: UInt8 = 8
    static let timeExceeded: UInt8 = 11
  }

  /// The header every message starts with: type, code, checksum and four type-specific bytes.
  public static let headerLength = 8
  /// The shortest quote of an original datagram: a 20-byte IPv4 header and 8 bytes of payload.
  public static let minimumQuoteLength = IPv4Header.length + 8

  /// The start of `datagram` that an error message about it quotes: its IP header and the first
  /// 8 bytes of its payload (RFC 792), enough for the sender to find the transport socket.
  /// `datagram` must already have parsed as IPv4.
  public static func quote(of datagram: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    precondition(!datagram.isEmpty, "quote of an IPv4 datagram")
    let headerLength = Int(datagram.first! & 0x0F) * 4
    return datagram.prefix(headerLength + 8)
  }
}
