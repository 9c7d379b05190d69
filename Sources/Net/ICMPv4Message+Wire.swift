extension ICMPv4Message {
  /// Reads a message, verifying its checksum. Error messages must quote at least a 20-byte
  /// IPv4 header and 8 bytes of its payload.
  public static func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ICMPv4Message {
    guard bytes.count >= headerLength else {
      throw .truncated(protocol: "ICMPv4", needed: headerLength, available: bytes.count)
    }
    guard InternetChecksum.verifies(bytes) else { throw .badChecksum(protocol: "ICMPv4") }
    let type = bytes.byte(at: 0)
    let code = bytes.byte(at: 1)
    let body = bytes.dropFirst(headerLength)
    switch (type, code) {
    case (MessageType.echoRequest, 0):
      return .echoRequest(
        identifier: bytes.bigEndianUInt16(at: 4), sequenceNumber: bytes.bigEndianUInt16(at: 6),
        data: body)
    case (MessageType.echoReply, 0):
      return .echoReply(
        identifier: bytes.bigEndianUInt16(at: 4), sequenceNumber: bytes.bigEndianUInt16(at: 6),
        data: body)
    case (MessageType.destinationUnreachable, _):
      try checkQuote(body)
      return .destinationUnreachable(
        code: UnreachableCode(rawValue: code), nextHopMTU: bytes.bigEndianUInt16(at: 6),
        original: body)
    case (MessageType.timeExceeded, _):
      try checkQuote(body)
      return .timeExceeded(code: code, original: body)
    default:
      return .other(type: type, code: code, rest: bytes.dropFirst(4))
    }
  }

  private static func checkQuote(_ original: ArraySlice<UInt8>) throws(WireError) {
    guard original.count >= minimumQuoteLength else {
      throw .truncated(
        protocol: "ICMPv4", needed: headerLength + minimumQuoteLength,
        available: headerLength + original.count)
    }
  }

  /// The message's size on the wire.
  public var length: Int {
    switch self {
    case .echoRequest(_, _, let data), .echoReply(_, _, let data):
      return ICMPv4Message.headerLength + data.count
    case .destinationUnreachable(_, _, let original), .timeExceeded(_, let original):
      return ICMPv4Message.headerLength + original.count
    case .other(_, _, let rest):
      return 4 + rest.count
    }
  }

  /// Appends the message with its checksum.
  public func emit(into buffer: inout [UInt8]) {
    let messageStart = buffer.count
    switch self {
    case .echoRequest(let identifier, let sequenceNumber, let data):
      appendHeader(MessageType.echoRequest, 0, identifier, sequenceNumber, into: &buffer)
      buffer.append(contentsOf: data)
    case .echoReply(let identifier, let sequenceNumber, let data):
      appendHeader(MessageType.echoReply, 0, identifier, sequenceNumber, into: &buffer)
      buffer.append(contentsOf: data)
    case .destinationUnreachable(let code, let nextHopMTU, let original):
      appendHeader(
        MessageType.destinationUnreachable, code.rawValue, 0, nextHopMTU, into: &buffer)
      buffer.append(contentsOf: original)
    case .timeExceeded(let code, let original):
      appendHeader(MessageType.timeExceeded, code, 0, 0, into: &buffer)
      buffer.append(contentsOf: original)
    case .other(let type, let code, let rest):
      buffer.appendFields(count: 4) { fields in
        fields.write(type)
        fields.write(code)
        fields.write(UInt16(0))  // the checksum, filled in below
      }
      buffer.append(contentsOf: rest)
    }
    let checksum = InternetChecksum.checksum(buffer[messageStart...])
    buffer.storeBigEndian(checksum, at: messageStart + 2)
  }

  /// Type, code, a zero checksum for now, and the four type-specific bytes as two words.
  private func appendHeader(
    _ type: UInt8, _ code: UInt8, _ firstWord: UInt16, _ secondWord: UInt16,
    into buffer: inout [UInt8]
  ) {
    buffer.appendFields(count: 8) { fields in
      fields.write(type)
      fields.write(code)
      fields.write(UInt16(0))  // the checksum, filled in below
      fields.write(firstWord)
      fields.write(secondWord)
    }
  }
}
