import Time

/// An ICMP echo reply received: the answer to `NetworkInterface.sendEchoRequest`.
public struct EchoReply: Hashable, Sendable {
  /// Who answered.
  public var source: IPv4Address
  /// The request's identifier, echoed.
  public var identifier: UInt16
  /// The request's sequence number, echoed.
  public var sequenceNumber: UInt16
  /// The request's data, echoed.
  public var data: [UInt8]

  /// A reply with these fields.
  public init(source: IPv4Address, identifier: UInt16, sequenceNumber: UInt16, data: [UInt8]) {
    self.source = source
    self.identifier = identifier
    self.sequenceNumber = sequenceNumber
    self.data = data
  }
}

extension NetworkInterface {
  /// The most data an echo request carries: a whole IPv4 datagram less the two headers.
  public static let maximumEchoDataLength =
    IPv4Header.maximumDatagramLength - IPv4Header.length - ICMPv4Message.headerLength

  /// Sends a ping (fragmented if it exceeds the MTU); false if there is no route to `destination`.
  @discardableResult
  public mutating func sendEchoRequest(
    to destination: IPv4Address, identifier: UInt16, sequenceNumber: UInt16, data: [UInt8],
    now: Instant
  ) -> Bool {
    precondition(data.count <= NetworkInterface.maximumEchoDataLength, "echo data too long")
    let message = ICMPv4Message.echoRequest(
      identifier: identifier, sequenceNumber: sequenceNumber, data: data[...])
    return sendICMP(message, to: destination, now: now)
  }

  /// The oldest echo reply received and not yet taken, if any.
  public mutating func receiveEchoReply() -> EchoReply? {
    echoReplies.isEmpty ? nil : echoReplies.removeFirst()
  }

  /// Handles an ICMP message: answers echo requests, keeps echo replies, hands errors to the
  /// socket they are about, counts the rest.
  mutating func receiveICMP(_ datagram: IPv4Datagram, now: Instant) {
    let message: ICMPv4Message
    do {
      message = try ICMPv4Message.parse(datagram.payload[...])
    } catch {
      if case .badChecksum = error {
        counters.icmpBadChecksum += 1
      } else {
        counters.icmpMalformed += 1
      }
      return
    }
    switch message {
    case .echoRequest(let identifier, let sequenceNumber, let data):
      // Like Linux (icmp_echo_ignore_broadcasts), answer only pings addressed to us alone.
      guard !isGroupOrBroadcast(datagram.header.destination) else {
        counters.icmpEchoRequestsIgnored += 1
        return
      }
      let reply = ICMPv4Message.echoReply(
        identifier: identifier, sequenceNumber: sequenceNumber, data: data)
      if sendICMP(reply, to: datagram.header.source, now: now) {
        counters.icmpEchoRequestsAnswered += 1
      }
    case .echoReply(let identifier, let sequenceNumber, let data):
      keepEchoReply(
        EchoReply(
          source: datagram.header.source, identifier: identifier, sequenceNumber: sequenceNumber,
          data: Array(data)))
    case .destinationUnreachable(let code, let nextHopMTU, let original):
      receiveICMPError(
        .destinationUnreachable(code), nextHopMTU: nextHopMTU, original: original,
        in: datagram, now: now)
    case .timeExceeded(let code, let original):
      receiveICMPError(
        .timeExceeded(code: code), nextHopMTU: 0, original: original, in: datagram, now: now)
    case .other:
      counters.icmpOtherReceived += 1
    }
  }

  private mutating func keepEchoReply(_ reply: EchoReply) {
    guard echoReplies.count < configuration.maximumQueuedEchoReplies else {
      counters.icmpEchoRepliesDropped += 1
      return
    }
    echoReplies.append(reply)
  }

  /// Tells the sender of `datagram` that no socket listens on its UDP port (RFC 792, RFC 1122
  /// section 3.2.2): never about a datagram sent to a broadcast or multicast address.
  mutating func sendPortUnreachable(about datagram: IPv4Datagram, now: Instant) {
    guard !isGroupOrBroadcast(datagram.header.destination) else { return }
    // The quote is the datagram's header and first 8 payload bytes; a reassembled datagram's
    // header is re-emitted (without options) to make it.
    var original: [UInt8] = []
    datagram.header.emit(payload: datagram.payload, into: &original)
    let message = ICMPv4Message.destinationUnreachable(
      code: .portUnreachable, nextHopMTU: 0, original: ICMPv4Message.quote(of: original[...]))
    sendICMP(message, to: datagram.header.source, now: now)
  }

  @discardableResult
  private mutating func sendICMP(
    _ message: ICMPv4Message, to destination: IPv4Address, now: Instant
  ) -> Bool {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(message.length)
    message.emit(into: &bytes)
    return sendDatagram(to: destination, payloadProtocol: .icmp, payload: bytes, now: now)
  }
}
