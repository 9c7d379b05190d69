import Time

extension NetworkInterface {
  /// The latest ICMP error about a datagram the socket sent (RFC 1122 section 4.1.3.3: UDP
  /// passes every ICMP error to the application); nil if none came or the handle is not open.
  /// Datagrams the socket has queued are kept.
  public func lastUDPError(_ handle: UDPSocketHandle) -> ICMPv4ErrorReport? {
    udpSockets.socket(handle)?.lastError
  }

  /// Hands a destination unreachable or time exceeded message (in `datagram`) to the socket
  /// that sent the datagram it quotes, found by the quoted addresses and ports. Nothing is ever
  /// sent in answer: an ICMP error never gets one (RFC 1122 section 3.2.2).
  mutating func receiveICMPError(
    _ reason: ICMPv4ErrorReport.Reason, nextHopMTU: UInt16, original: ArraySlice<UInt8>,
    in datagram: IPv4Datagram, now: Instant
  ) {
    let quotation: ICMPv4Quotation
    do {
      quotation = try ICMPv4Quotation.parse(original)
    } catch {
      counters.icmpErrorQuotationMalformed += 1
      return
    }
    // A router sends errors to the datagram's source alone; one to a broadcast or group
    // address is not about anything we sent.
    guard !isGroupOrBroadcast(datagram.header.destination), quotation.source == address else {
      counters.icmpErrorsUnmatched += 1
      return
    }
    let report = ICMPv4ErrorReport(
      reason: reason, reporter: datagram.header.source, destination: quotation.destination,
      destinationPort: quotation.destinationPort)
    switch quotation.payloadProtocol {
    case .tcp:
      deliverTCPError(report, quotation: quotation, nextHopMTU: Int(nextHopMTU), now: now)
    case .udp:
      guard let slot = udpSockets.slot(boundTo: quotation.sourcePort) else {
        counters.icmpErrorsUnmatched += 1
        return
      }
      udpSockets.recordError(report, inSlot: slot)
      counters.icmpUDPErrors += 1
    default:
      counters.icmpErrorsUnmatched += 1
    }
  }

  /// Gives the error to the connection with the quoted four-tuple, then sends what that
  /// changed (a retransmission at a smaller size) and frees a connection it ended.
  private mutating func deliverTCPError(
    _ report: ICMPv4ErrorReport, quotation: ICMPv4Quotation, nextHopMTU: Int, now: Instant
  ) {
    let endpoints = TCPEndpoints(
      localAddress: quotation.source, localPort: quotation.sourcePort,
      remoteAddress: quotation.destination, remotePort: quotation.destinationPort)
    guard let slot = tcpSockets.slotByEndpoints[endpoints] else {
      counters.icmpErrorsUnmatched += 1
      return
    }
    let outcome = tcpSockets.slots[slot]!.connection.receiveICMPError(
      report, quotedSequence: quotation.sequenceNumber, quotedLength: quotation.totalLength,
      nextHopMTU: nextHopMTU)
    switch outcome {
    case .outsideWindow:
      counters.icmpErrorsOutsideWindow += 1
      return
    case .aborted: counters.icmpTCPConnectionsAborted += 1
    case .softErrorNoted: counters.icmpTCPSoftErrors += 1
    case .segmentSizeLowered: counters.icmpPathMTUReductions += 1
    case .segmentSizeUnchanged: counters.icmpPathMTUUnchanged += 1
    }
    flushTCP(slot, now: now)
  }
}
