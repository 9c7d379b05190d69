import Time

extension NetworkInterface {
  /// Handles an ARP packet (RFC 826's "packet reception" algorithm): a sender already in the
  /// cache is updated ("merge"); a packet whose target is our address also adds its sender, and
  /// a request for our address is answered. Datagrams waiting for the sender go out at once.
  mutating func receiveARP(_ bytes: ArraySlice<UInt8>, now: Instant) {
    let packet: ARPPacket
    do {
      packet = try ARPPacket.parse(bytes)
    } catch {
      counters.arpMalformed += 1
      return
    }
    guard let address else { return }
    let sender = packet.senderProtocolAddress
    if sender == address {
      // Someone else claims our address (RFC 5227 section 2.4); never learn our own address.
      if packet.senderHardwareAddress != configuration.macAddress {
        counters.arpAddressConflicts += 1
      }
      return
    }
    let isForUs = packet.targetProtocolAddress == address
    let merge = arpCache.lookup(sender, now: now) != nil
    // 0.0.0.0 is a probe's sender (RFC 5227): it has no address yet, so there is none to learn.
    if (isForUs || merge) && sender != .any {
      let released = arpCache.learn(sender, isAt: packet.senderHardwareAddress, now: now)
      for datagram in released { emitFrames(of: datagram, to: packet.senderHardwareAddress) }
    }
    if isForUs && packet.operation == .request { reply(to: packet) }
  }

  /// Answers a request for our address, straight to the asker.
  private mutating func reply(to request: ARPPacket) {
    let answer = ARPPacket(
      operation: .reply, senderHardwareAddress: configuration.macAddress,
      senderProtocolAddress: request.targetProtocolAddress,
      targetHardwareAddress: request.senderHardwareAddress,
      targetProtocolAddress: request.senderProtocolAddress)
    counters.arpRepliesSent += 1
    sendARP(answer, to: request.senderHardwareAddress)
  }

  /// Broadcasts "who has `target`? Tell us."
  mutating func sendARPRequest(for target: IPv4Address) {
    guard let address else { return }
    let request = ARPPacket(
      operation: .request, senderHardwareAddress: configuration.macAddress,
      senderProtocolAddress: address, targetHardwareAddress: MACAddress(0, 0, 0, 0, 0, 0),
      targetProtocolAddress: target)
    counters.arpRequestsSent += 1
    sendARP(request, to: .broadcast)
  }

  /// Broadcasts a gratuitous ARP request for our own `address`: sender and target both ours.
  mutating func announce(_ address: IPv4Address) {
    sendARPRequest(for: address)
  }

  private mutating func sendARP(_ packet: ARPPacket, to destination: MACAddress) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(ARPPacket.length)
    packet.emit(into: &bytes)
    enqueueFrame(to: destination, etherType: .arp, payload: bytes)
  }
}
