extension TCPConnection {
  /// What a connection did with an ICMP error about one of its segments.
  enum ICMPErrorOutcome: Equatable {
    /// The quoted sequence number is not that of a segment in flight: a forgery, or news
    /// about data long acknowledged (RFC 5927 section 4.1). Nothing changed.
    case outsideWindow
    /// A hard error while opening: the connection ended with `.unreachable`.
    case aborted
    /// A soft error, kept for the application in `lastSoftError`.
    case softErrorNoted
    /// Fragmentation needed: the send MSS went down, and the first unacknowledged segment goes
    /// again at the new size.
    case segmentSizeLowered
    /// Fragmentation needed, but the MSS is already that small or at its floor, or the
    /// connection is not yet synchronized (a SYN is far smaller than any MTU).
    case segmentSizeUnchanged
  }

  /// The smallest send MSS a "fragmentation needed" message can bring: the size every host
  /// accepts (RFC 9293 section 3.7.1). Lower would only help an attacker who forges the message
  /// to make us send tiny segments (RFC 5927 section 7); our datagrams do not set DF, so a path
  /// with a smaller MTU fragments them instead.
  static let minimumPathSegmentSize = TCPConnection.defaultMaximumSegmentSize

  /// RFC 1191 section 7's table of common MTUs, largest first, for a "fragmentation needed"
  /// message from a router too old to fill in the next-hop MTU.
  static let pathMTUPlateaus = [32_000, 17_914, 8_166, 4_352, 2_002, 1_492, 1_006, 508, 296, 68]

  /// The latest soft ICMP error about the connection's segments (RFC 1122 section 4.2.3.9),
  /// until the peer acknowledges new data, which shows the path works again. When the
  /// connection times out, it tells the application why.
  var lastSoftError: ICMPv4ErrorReport? {
    guard let softError, softError.sendUnacknowledged == sendUnacknowledged else { return nil }
    return softError.report
  }

  /// Acts on an ICMP error quoting one of our segments: `quotedSequence` is its sequence
  /// number, `quotedLength` its datagram's total length, `nextHopMTU` the MTU a "fragmentation
  /// needed" message reports (0 from old routers).
  ///
  /// Only errors about a segment in flight count (RFC 5927 section 4.1). Protocol and port
  /// unreachable are hard errors and end an opening connection (RFC 1122 section 4.2.3.9); once
  /// synchronized they are taken as soft, since a blind attacker could otherwise reset any
  /// connection with one guessed message (RFC 5927 section 5.2). "Fragmentation needed" lowers
  /// the send MSS (RFC 1191 section 6.5). Everything else is soft: the connection carries on.
  mutating func receiveICMPError(
    _ report: ICMPv4ErrorReport, quotedSequence: SequenceNumber, quotedLength: Int,
    nextHopMTU: Int
  ) -> ICMPErrorOutcome {
    guard state != .closed, sendUnacknowledged <= quotedSequence, quotedSequence < sendMaximum
    else { return .outsideWindow }
    switch report.reason {
    case .destinationUnreachable(.fragmentationNeeded):
      return lowerSegmentSize(nextHopMTU: nextHopMTU, quotedLength: quotedLength)
    case .destinationUnreachable(.protocolUnreachable), .destinationUnreachable(.portUnreachable):
      guard state != .synSent else {
        end(with: .unreachable)
        return .aborted
      }
    default:
      break
    }
    softError = (report, sendUnacknowledged)
    return .softErrorNoted
  }

  /// Fits segments to the path MTU a "fragmentation needed" message reports, or, when it
  /// reports none or one no smaller than the datagram that did not fit, to the next plateau
  /// below that datagram's size (RFC 1191 section 5). The MSS never grows here.
  private mutating func lowerSegmentSize(nextHopMTU: Int, quotedLength: Int) -> ICMPErrorOutcome {
    guard state.isSynchronized else { return .segmentSizeUnchanged }
    let pathMTU =
      nextHopMTU >= IPv4Header.minimumMaximumTransmissionUnit && nextHopMTU < quotedLength
      ? nextHopMTU
      : TCPConnection.pathMTUPlateaus.first { $0 < quotedLength }
        ?? IPv4Header.minimumMaximumTransmissionUnit
    let segmentSize = max(
      pathMTU - IPv4Header.length - TCPHeader.minimumLength,
      TCPConnection.minimumPathSegmentSize)
    guard segmentSize < sendMaximumSegmentSize else { return .segmentSizeUnchanged }
    sendMaximumSegmentSize = segmentSize
    congestion.lowerMaximumSegmentSize(to: segmentSize)
    // The segment was dropped, not lost to congestion: send it again now, one segment, with
    // the window as it is (RFC 1191 section 6.5).
    if flightSize > 0 { retransmitFirstPending = true }
    return .segmentSizeLowered
  }
}
