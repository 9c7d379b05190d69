import Time

/// A whole IPv4 datagram: one just received (a slice of the frame, not a copy) or reassembled
/// on its way up, or one on its way out, held by the ARP cache while its next hop is resolved
/// and fragmented only when it is emitted.
struct IPv4Datagram: Sendable {
  var header: IPv4Header
  var payload: ArraySlice<UInt8>
}

extension NetworkInterface {
  /// Handles an IPv4 datagram or fragment: checks it, reassembles it and hands it to ICMP or UDP.
  mutating func receiveIPv4(_ bytes: ArraySlice<UInt8>, now: Instant) {
    let header: IPv4Header
    let payload: ArraySlice<UInt8>
    do {
      (header, payload) = try IPv4Header.parse(bytes)
    } catch {
      if case .badChecksum = error {
        counters.ipv4BadChecksum += 1
      } else {
        counters.ipv4Malformed += 1
      }
      return
    }
    guard isOurs(header.destination) else {
      counters.ipv4NotForUs += 1
      return
    }
    guard !isGroupOrBroadcast(header.source) else {
      counters.ipv4InvalidSource += 1
      return
    }
    guard header.isFragment else {
      // The common case: a whole datagram, handed up as it lies in the frame.
      deliver(IPv4Datagram(header: header, payload: payload), now: now)
      return
    }
    switch reassembler.accept(header, payload: payload, now: now) {
    case .complete(let whole, let wholePayload):
      deliver(IPv4Datagram(header: whole, payload: wholePayload[...]), now: now)
    case .incomplete:
      break
    case .dropped:
      counters.ipv4FragmentsDropped += 1
    }
  }

  /// Hands a whole datagram to its protocol.
  private mutating func deliver(_ datagram: IPv4Datagram, now: Instant) {
    switch datagram.header.payloadProtocol {
    case .icmp: receiveICMP(datagram, now: now)
    case .udp: receiveUDP(datagram, now: now)
    case .tcp: receiveTCPSegment(datagram, now: now)
    default: counters.ipv4UnsupportedProtocol += 1
    }
  }

  /// Whether a datagram to `destination` is for this host: our address, our subnet's
  /// broadcast, the limited broadcast or a group we joined. Before the interface has an
  /// address, only broadcasts (as DHCP needs).
  // Always inlined, as is `isGroupOrBroadcast`: called on a large struct held in a variable,
  // a function that is not would be passed a copy of all of it.
  @inline(__always) private func isOurs(_ destination: IPv4Address) -> Bool {
    if destination == .broadcast { return true }
    if destination.isMulticast { return multicastGroups.contains(destination) }
    guard let routes = configuration.routes else { return false }
    return destination == routes.subnet.address || destination == routes.subnet.broadcast
  }

  /// Whether `address` names many hosts, so that it cannot be a source nor get an ICMP error.
  @inline(__always) func isGroupOrBroadcast(_ address: IPv4Address) -> Bool {
    if address == .broadcast || address.isMulticast { return true }
    return address == configuration.routes?.subnet.broadcast
  }

  /// Sends a datagram of `payloadProtocol` from our address to `destination`: resolves the next
  /// hop, waits for ARP if needed, and fragments to the MTU. False (and counted) if there is no
  /// route; a datagram lost later (ARP queue full, never answered) is only counted. Without an
  /// address only the limited broadcast is reachable, from 0.0.0.0 (RFC 1122 3.2.1.3, for DHCP).
  @discardableResult
  mutating func sendDatagram(
    to destination: IPv4Address, payloadProtocol: IPProtocol, payload: [UInt8],
    timeToLive: UInt8 = IPv4Header.defaultTimeToLive, now: Instant
  ) -> Bool {
    let routes = configuration.routes
    guard let nextHop = routes?.nextHop(for: destination) ?? broadcastWithoutAddress(destination)
    else {
      counters.noRoute += 1
      return false
    }
    let header = nextHeader(
      source: routes?.subnet.address ?? .any, destination: destination,
      payloadProtocol: payloadProtocol, timeToLive: timeToLive)
    let datagram = IPv4Datagram(header: header, payload: payload[...])
    if destination.isMulticast {
      emitFrames(of: datagram, to: NetworkInterface.macAddress(ofGroup: destination))
    } else if destination == .broadcast || destination == routes?.subnet.broadcast {
      emitFrames(of: datagram, to: .broadcast)
    } else {
      resolveAndEmit(datagram, nextHop: nextHop, now: now)
    }
    return true
  }

  /// Sends a datagram whose `payloadLength` bytes of payload `writePayload` appends to a
  /// buffer, as `sendDatagram(to:payloadProtocol:payload:)` does. In the common case (unicast,
  /// one frame, a next hop whose MAC address is known) the frame is built in one buffer with the
  /// payload written straight into it, so its data is copied once; otherwise the payload is made
  /// first and takes the general way (ARP, fragments).
  @discardableResult
  mutating func sendDatagram(
    to destination: IPv4Address, payloadProtocol: IPProtocol, payloadLength: Int,
    timeToLive: UInt8 = IPv4Header.defaultTimeToLive, now: Instant,
    writePayload: (inout [UInt8]) -> Void
  ) -> Bool {
    if IPv4Header.length + payloadLength <= configuration.maximumTransmissionUnit,
      transmitQueue.count < configuration.maximumQueuedFrames, !isGroupOrBroadcast(destination),
      let routes = configuration.routes, let nextHop = routes.nextHop(for: destination),
      let mac = arpCache.lookup(nextHop, now: now)
    {
      let header = nextHeader(
        source: routes.subnet.address, destination: destination,
        payloadProtocol: payloadProtocol, timeToLive: timeToLive)
      var frame = makeFrameBuffer(
        capacity: EthernetHeader.length + IPv4Header.length + payloadLength)
      EthernetHeader(destination: mac, source: configuration.macAddress, etherType: .ipv4)
        .emit(into: &frame) { buffer in
          header.emitHeader(payloadLength: payloadLength, into: &buffer)
          writePayload(&buffer)
        }
      transmitQueue.append(frame)
      return true
    }
    var payload: [UInt8] = []
    payload.reserveCapacity(payloadLength)
    writePayload(&payload)
    return sendDatagram(
      to: destination, payloadProtocol: payloadProtocol, payload: payload,
      timeToLive: timeToLive, now: now)
  }

  /// The header of the next datagram sent, with its identification.
  private mutating func nextHeader(
    source: IPv4Address, destination: IPv4Address, payloadProtocol: IPProtocol,
    timeToLive: UInt8
  ) -> IPv4Header {
    defer { nextIdentification &+= 1 }
    return IPv4Header(
      source: source, destination: destination, payloadProtocol: payloadProtocol,
      identification: nextIdentification, timeToLive: timeToLive)
  }

  /// The limited broadcast address, when `destination` is it and the interface has no address.
  private func broadcastWithoutAddress(_ destination: IPv4Address) -> IPv4Address? {
    configuration.routes == nil && destination == .broadcast ? destination : nil
  }

  private mutating func resolveAndEmit(
    _ datagram: IPv4Datagram, nextHop: IPv4Address, now: Instant
  ) {
    switch arpCache.resolve(datagram, nextHop: nextHop, now: now) {
    case .resolved(let mac): emitFrames(of: datagram, to: mac)
    case .sendRequest: sendARPRequest(for: nextHop)
    case .waiting: break
    case .dropped: counters.arpQueueFull += 1
    }
  }

  /// Queues the datagram's frames, fragmented to the MTU; all or none of them, since a
  /// datagram missing a fragment is lost anyway.
  mutating func emitFrames(of datagram: IPv4Datagram, to mac: MACAddress) {
    let fragments: [IPv4Fragment]
    do {
      fragments = try datagram.header.fragments(
        of: datagram.payload, maximumTransmissionUnit: configuration.maximumTransmissionUnit)
    } catch {
      // Only a datagram with DF set fails, and this interface never sets DF.
      preconditionFailure("\(error)")
    }
    guard transmitQueue.count + fragments.count <= configuration.maximumQueuedFrames else {
      counters.transmitQueueFull += fragments.count
      return
    }
    let ethernet = EthernetHeader(
      destination: mac, source: configuration.macAddress, etherType: .ipv4)
    for fragment in fragments {
      var frame = makeFrameBuffer(
        capacity: EthernetHeader.length + IPv4Header.length + fragment.payload.count)
      ethernet.emit(into: &frame) { fragment.header.emit(payload: fragment.payload, into: &$0) }
      transmitQueue.append(frame)
    }
  }
}
