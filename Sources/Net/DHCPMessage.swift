/// A DHCP message (RFC 2131 section 2): the BOOTP header, the magic cookie, then options
/// (RFC 2132). It travels as the whole payload of a UDP datagram, client port 68 to server
/// port 67, so unlike the other wire formats it has no payload of its own.
///
/// Only Ethernet hardware addresses are handled (htype 1, hlen 6). The `sname` and `file`
/// fields are not kept, but they are searched for options when the overload option (52) says
/// they hold some. An option that appears twice is rejected, not concatenated: RFC 3396 long
/// options are not supported, and none of the options the client reads needs them.
public struct DHCPMessage: Equatable, Sendable {
  /// Which way a message goes (the `op` field).
  public enum Operation: UInt8, Sendable {
    /// BOOTREQUEST: client to server.
    case request = 1
    /// BOOTREPLY: server to client.
    case reply = 2
  }

  /// `op`: a request from a client or a reply from a server.
  public var operation: Operation
  /// `hops`: relay agents passed; clients send zero.
  public var hops: UInt8 = 0
  /// `xid`: the random number a client picks for one exchange, echoed in the replies.
  public var transactionID: UInt32
  /// `secs`: seconds since the client began the exchange.
  public var secondsElapsed: UInt16 = 0
  /// The broadcast bit of `flags`: the client cannot yet receive unicast IP, so replies must be
  /// broadcast.
  public var isBroadcast = false
  /// `ciaddr`: the client's address, when it has one and can answer ARP for it.
  public var clientAddress = IPv4Address.any
  /// `yiaddr`: "your" address, the one a server offers or grants.
  public var yourAddress = IPv4Address.any
  /// `siaddr`: the next server in a boot sequence (not the DHCP server's identifier).
  public var nextServerAddress = IPv4Address.any
  /// `giaddr`: the relay agent that forwarded the message, if any.
  public var relayAgentAddress = IPv4Address.any
  /// `chaddr`: the client's Ethernet address.
  public var clientHardwareAddress: MACAddress
  /// The options after the magic cookie.
  public var options = DHCPOptions()

  /// Size of the fixed BOOTP fields before the magic cookie.
  static let fixedFieldsLength = 236
  /// The magic cookie 99.130.83.99 that marks the options as DHCP's (RFC 2132 section 2).
  static let magicCookie: [UInt8] = [99, 130, 83, 99]
  /// The smallest BOOTP message (RFC 1542 section 2.1); shorter ones are padded, since some
  /// relay agents and servers drop anything smaller.
  public static let minimumLength = 300
  private static let broadcastFlag: UInt16 = 0x8000
  private static let ethernetHardwareType: UInt8 = 1

  /// A message with the given header fields and no options.
  public init(
    operation: Operation, transactionID: UInt32, clientHardwareAddress: MACAddress
  ) {
    self.operation = operation
    self.transactionID = transactionID
    self.clientHardwareAddress = clientHardwareAddress
  }

  /// Reads a message from a UDP payload, checking every length before it reads.
  public static func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> DHCPMessage {
    let headerLength = fixedFieldsLength + magicCookie.count
    guard bytes.count >= headerLength else {
      throw .truncated(protocol: "DHCP", needed: headerLength, available: bytes.count)
    }
    let field = Fields(bytes: bytes)
    guard let operation = Operation(rawValue: field.byte(0)) else {
      throw .malformed(protocol: "DHCP", reason: "op \(field.byte(0)) is neither 1 nor 2")
    }
    guard field.byte(1) == ethernetHardwareType, field.byte(2) == 6 else {
      throw .unsupported(protocol: "DHCP", reason: "hardware type \(field.byte(1)) is not Ethernet")
    }
    guard bytes[field.range(236, 4)].elementsEqual(magicCookie) else {
      throw .unsupported(protocol: "DHCP", reason: "no magic cookie (plain BOOTP)")
    }
    var message = DHCPMessage(
      operation: operation, transactionID: field.word(4),
      clientHardwareAddress: MACAddress(bytes[field.range(28, 6)]))
    message.hops = field.byte(3)
    message.secondsElapsed = UInt16(field.word(8) >> 16)
    message.isBroadcast = UInt16(truncatingIfNeeded: field.word(8)) & broadcastFlag != 0
    message.clientAddress = IPv4Address(field.word(12))
    message.yourAddress = IPv4Address(field.word(16))
    message.nextServerAddress = IPv4Address(field.word(20))
    message.relayAgentAddress = IPv4Address(field.word(24))
    let overload = try message.options.parse(bytes[field.range(headerLength, nil)])
    // Overloaded options continue in `file` (1), `sname` (2) or both (3), in that order.
    if overload == 1 || overload == 3 {
      _ = try message.options.parse(bytes[field.range(108, 128)])
    }
    if overload == 2 || overload == 3 { _ = try message.options.parse(bytes[field.range(44, 64)]) }
    return message
  }

  /// Appends the message, padded with zeros to `minimumLength`.
  public func emit(into buffer: inout [UInt8]) {
    let start = buffer.count
    buffer.append(operation.rawValue)
    buffer.append(DHCPMessage.ethernetHardwareType)
    buffer.append(6)
    buffer.append(hops)
    appendWord(transactionID, to: &buffer)
    let flags = isBroadcast ? DHCPMessage.broadcastFlag : 0
    appendWord(UInt32(secondsElapsed) << 16 | UInt32(flags), to: &buffer)
    for address in [clientAddress, yourAddress, nextServerAddress, relayAgentAddress] {
      appendWord(address.value, to: &buffer)
    }
    buffer.append(contentsOf: clientHardwareAddress.array)
    // The rest of chaddr (16 bytes in all), then sname and file, all zero.
    buffer.append(contentsOf: repeatElement(0, count: 10 + 64 + 128))
    assert(buffer.count - start == DHCPMessage.fixedFieldsLength)
    buffer.append(contentsOf: DHCPMessage.magicCookie)
    options.emit(into: &buffer)
    let length = buffer.count - start
    if length < DHCPMessage.minimumLength {
      buffer.append(
        contentsOf: repeatElement(DHCPOptionCode.pad, count: DHCPMessage.minimumLength - length))
    }
  }

  /// The message's bytes.
  public var bytes: [UInt8] {
    var buffer: [UInt8] = []
    emit(into: &buffer)
    return buffer
  }
}

/// Reads fixed fields at offsets from the start of a slice already checked to be long enough.
private struct Fields {
  let bytes: ArraySlice<UInt8>

  func byte(_ offset: Int) -> UInt8 { bytes[bytes.startIndex + offset] }

  func word(_ offset: Int) -> UInt32 {
    bytes[range(offset, 4)].reduce(0) { $0 << 8 | UInt32($1) }
  }

  /// `count` bytes from `offset`, or to the end when `count` is nil.
  func range(_ offset: Int, _ count: Int?) -> Range<Int> {
    let start = bytes.startIndex + offset
    return start..<(count.map { start + $0 } ?? bytes.endIndex)
  }
}

private func appendWord(_ value: UInt32, to buffer: inout [UInt8]) {
  buffer.append(contentsOf: IPv4Address(value).octets)
}
