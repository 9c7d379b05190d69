import Time

extension NetworkInterface {
  /// The most payload one UDP datagram carries over IPv4: 65,535 less the two headers.
  public static let maximumUDPPayloadLength =
    IPv4Header.maximumDatagramLength - IPv4Header.length - UDPHeader.length

  /// Opens a UDP socket bound to `port` on this interface.
  public mutating func bindUDP(port: UInt16) throws(UDPSocketError) -> UDPSocketHandle {
    try udpSockets.bind(port: port)
  }

  /// Closes a socket; datagrams it had not received are dropped.
  public mutating func closeUDP(_ handle: UDPSocketHandle) {
    udpSockets.close(handle)
  }

  /// Sends `payload` from the socket's port to `address`:`port`, fragmented if it exceeds the
  /// MTU. Delivery is not promised: a datagram lost later (ARP unanswered) is only counted.
  /// Before the interface has an address it can only broadcast, from 0.0.0.0, as DHCP does.
  /// `timeToLive` is the IP TTL: mDNS sends 255 so that receivers can tell link-local traffic.
  public mutating func sendUDP(
    from handle: UDPSocketHandle, to address: IPv4Address, port: UInt16, payload: [UInt8],
    timeToLive: UInt8 = IPv4Header.defaultTimeToLive, now: Instant
  ) throws(UDPSocketError) {
    guard let socket = udpSockets.socket(handle) else { throw .notOpen }
    guard payload.count <= NetworkInterface.maximumUDPPayloadLength else {
      throw .payloadTooLarge(payload.count)
    }
    guard port != 0 else { throw .invalidPort }
    let source = self.address ?? .any
    let header = UDPHeader(sourcePort: socket.port, destinationPort: port)
    guard
      sendDatagram(
        to: address, payloadProtocol: .udp, payloadLength: UDPHeader.length + payload.count,
        timeToLive: timeToLive, now: now,
        writePayload: {
          header.emit(payload: payload, source: source, destination: address, into: &$0)
        })
    else {
      throw .noRoute(address)
    }
  }

  /// The oldest datagram the socket received and has not yet handed out, if any.
  public mutating func receiveUDP(_ handle: UDPSocketHandle) -> UDPDatagram? {
    udpSockets.receive(handle)
  }

  /// How many datagrams the socket dropped because its queue was full.
  public func droppedDatagramCount(_ handle: UDPSocketHandle) -> Int {
    udpSockets.socket(handle)?.droppedCount ?? 0
  }

  /// Handles a whole UDP datagram: queues it for the socket bound to its port, or answers port
  /// unreachable when none is.
  mutating func receiveUDP(_ datagram: IPv4Datagram, now: Instant) {
    let header: UDPHeader
    let payload: ArraySlice<UInt8>
    do {
      (header, payload) = try UDPHeader.parse(
        datagram.payload[...], source: datagram.header.source,
        destination: datagram.header.destination)
    } catch {
      if case .badChecksum = error {
        counters.udpBadChecksum += 1
      } else {
        counters.udpMalformed += 1
      }
      return
    }
    guard let slot = udpSockets.slot(boundTo: header.destinationPort) else {
      counters.udpNoSocket += 1
      sendPortUnreachable(about: datagram, now: now)
      return
    }
    let received = UDPDatagram(
      source: datagram.header.source, sourcePort: header.sourcePort,
      destination: datagram.header.destination, payload: Array(payload))
    if !udpSockets.deliver(received, toSlot: slot) { counters.udpQueueFull += 1 }
  }
}
