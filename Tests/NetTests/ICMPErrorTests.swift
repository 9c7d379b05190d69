import Net
import Time
import XCTest

/// ICMP destination unreachable and time exceeded messages reaching the transport: hard errors
/// end an opening connection, soft ones are kept for the application, "fragmentation needed"
/// shrinks segments, UDP sockets record theirs, and forged or malformed ones change nothing
/// (RFC 1122 sections 3.2.2.1, 4.1.3.3 and 4.2.3.9; RFC 1191; RFC 5927).
final class ICMPErrorTests: XCTestCase {
  /// A router on the path, which reports the errors in these tests.
  let router = IPv4Address(192, 0, 2, 1)

  // MARK: TCP

  /// RFC 1122 section 4.2.3.9 and RFC 5927 section 5.2: port unreachable is a hard error in
  /// SYN-SENT and ends the open with `.unreachable`, once it quotes our SYN's sequence number.
  func testPortUnreachableWhileConnectingEndsTheConnection() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    peer.sendICMPError(.portUnreachable, quoting: syn.movedOn(by: 1), from: router)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synSent, "not our SYN's number")
    XCTAssertEqual(peer.interface.counters.icmpErrorsOutsideWindow, 1)

    peer.sendICMPError(.portUnreachable, quoting: syn, from: router)
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closed)
    XCTAssertEqual(status.error, .unreachable)
    XCTAssertEqual(peer.interface.counters.icmpTCPConnectionsAborted, 1)
    XCTAssertNil(peer.interface.transmit(), "an ICMP error is never answered")
    XCTAssertTrue(peer.run(for: .seconds(200)).isEmpty, "no SYN after the error")
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }

  /// RFC 1122 section 4.2.3.9: net and host unreachable and time exceeded are soft errors; the
  /// connection carries on and the status reports the latest until new data is acknowledged.
  /// Port unreachable, hard while opening, is soft once synchronized (RFC 5927 section 5.2).
  func testSoftErrorsWhileEstablishedKeepTheConnection() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 7, count: 100), now: peer.now)
    let data = try peer.receivedOne()
    peer.sendICMPError(.hostUnreachable, quoting: data, from: router)
    var status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .established)
    XCTAssertEqual(
      status.lastSoftError,
      ICMPv4ErrorReport(
        reason: .destinationUnreachable(.hostUnreachable), reporter: router,
        destination: peer.address, destinationPort: peer.port))

    peer.sendICMPError(.portUnreachable, quoting: data, from: router)
    peer.sendICMP(.timeExceeded(code: 0, original: peer.quote(of: data)), from: router)
    status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .established)
    XCTAssertNil(status.error)
    XCTAssertEqual(status.lastSoftError?.reason, .timeExceeded(code: 0))
    XCTAssertEqual(peer.interface.counters.icmpTCPSoftErrors, 3)
    XCTAssertNil(peer.interface.transmit(), "an ICMP error is never answered")

    peer.send(seq: 1001, ack: iss + 101, flags: .ack)
    XCTAssertNil(peer.interface.statusTCP(handle)?.lastSoftError, "the path works again")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 1122 section 4.2.3.9: a soft error does not end an open, but when the SYN finally
  /// times out, the application learns what the network said.
  func testSoftErrorIsReportedWhenTheConnectionTimesOut() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    peer.sendICMPError(.networkUnreachable, quoting: syn, from: router)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synSent)
    let retransmissions = peer.run(for: .seconds(200))
    XCTAssertEqual(retransmissions.count, 6, "the SYN keeps going")
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closed)
    XCTAssertEqual(status.error, .timedOut)
    XCTAssertEqual(status.lastSoftError?.reason, .destinationUnreachable(.networkUnreachable))
    XCTAssertEqual(status.lastSoftError?.reporter, router)
  }

  /// RFC 5927 section 4.1: an error quoting a sequence number outside SND.UNA..<SND.MAX is
  /// about no segment in flight (acknowledged data, or a blind guess) and changes nothing.
  func testQuotedSequenceNumberOutsideTheFlightIsIgnored() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 1, count: 100), now: peer.now)
    let acknowledged = try peer.receivedOne()
    peer.send(seq: 1001, ack: iss + 101, flags: .ack)
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 2, count: 100), now: peer.now)
    let inFlight = try peer.receivedOne()
    let beyond = inFlight.movedOn(by: 100)  // SND.MAX itself

    for quoted in [acknowledged, beyond] {
      peer.sendICMPError(.hostUnreachable, quoting: quoted, from: router)
      peer.sendICMPError(.fragmentationNeeded, nextHopMTU: 600, quoting: quoted, from: router)
    }
    XCTAssertEqual(peer.interface.counters.icmpErrorsOutsideWindow, 4)
    XCTAssertEqual(peer.interface.counters.icmpTCPSoftErrors, 0)
    XCTAssertEqual(peer.interface.counters.icmpPathMTUReductions, 0)
    XCTAssertNil(peer.interface.statusTCP(handle)?.lastSoftError)
    XCTAssertTrue(peer.received().isEmpty, "no retransmission")

    peer.send(seq: 1001, ack: iss + 201, flags: .ack)
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 3, count: 2920), now: peer.now)
    XCTAssertEqual(peer.received().map { $0.payload.count }, [1460, 1460], "MSS unchanged")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 1191 section 6.5: "fragmentation needed" with a next-hop MTU of 1000 makes segments
  /// 960 bytes; the dropped segment goes again at once at that size, and later data follows it.
  func testFragmentationNeededLowersTheSegmentSize() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 4, count: 2920), now: peer.now)
    let first = peer.received()
    XCTAssertEqual(first.map { $0.payload.count }, [1460, 1460])
    peer.sendICMPError(.fragmentationNeeded, nextHopMTU: 1000, quoting: first[0], from: router)
    let again = try peer.receivedOne()
    XCTAssertEqual(again.sequence, iss + 1)
    XCTAssertEqual(again.payload.count, 960, "MTU 1000 less the IPv4 and TCP headers")
    XCTAssertEqual(peer.interface.counters.icmpPathMTUReductions, 1)
    XCTAssertNil(peer.interface.statusTCP(handle)?.lastSoftError, "not a soft error")

    peer.sendICMPError(.fragmentationNeeded, nextHopMTU: 1200, quoting: first[1], from: router)
    XCTAssertTrue(peer.received().isEmpty, "a larger MTU never raises the size")
    XCTAssertEqual(peer.interface.counters.icmpPathMTUUnchanged, 1)

    peer.send(seq: 1001, ack: iss + 2921, flags: .ack)
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 5, count: 1920), now: peer.now)
    XCTAssertEqual(peer.received().map { $0.payload.count }, [960, 960])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 1191 section 5: an old router leaves the MTU field 0, and the next plateau below the
  /// quoted datagram's length (1500 -> 1492) is used; an MTU below 576 stops at the 536-byte
  /// MSS, less the timestamps option when in use (RFC 5927 section 7).
  func testFragmentationNeededWithoutAnMTUUsesThePlateauAndAFloor() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive(options: TCPSegmentPeer.fullOptions())
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 6, count: 1448), now: peer.now)
    let full = try peer.receivedOne()
    XCTAssertEqual(full.payload.count, 1448, "1460 less 12 bytes of timestamps")
    peer.sendICMPError(.fragmentationNeeded, nextHopMTU: 0, quoting: full, from: router)
    XCTAssertEqual(try peer.receivedOne().payload.count, 1492 - 40 - 12)
    peer.sendICMPError(.fragmentationNeeded, nextHopMTU: 296, quoting: full, from: router)
    let smallest = try peer.receivedOne()
    XCTAssertEqual(smallest.sequence, iss + 1)
    XCTAssertEqual(smallest.payload.count, 536 - 12)
    XCTAssertEqual(peer.interface.counters.icmpPathMTUReductions, 2)
    peer.abortAndCheckEmpty(handle)
  }

  // MARK: UDP

  /// RFC 1122 section 4.1.3.3: the socket that sent a datagram learns of the port unreachable
  /// that came back, and keeps the datagrams it had queued; an error quoting a port with no
  /// socket is counted and dropped.
  func testUDPPortUnreachableIsRecordedOnTheSocket() throws {
    var peer = TCPSegmentPeer()
    let socket = try peer.interface.bindUDP(port: 5000)
    var waiting: [UInt8] = []
    UDPHeader(sourcePort: 53, destinationPort: 5000).emit(
      payload: [1, 2, 3], source: peer.address, destination: peer.interfaceAddress,
      into: &waiting)
    peer.sendDatagram(.udp, payload: waiting, from: peer.address)
    XCTAssertNil(peer.interface.lastUDPError(socket))

    try peer.interface.sendUDP(
      from: socket, to: peer.address, port: 6000, payload: [9, 9], now: peer.now)
    let sent = try peer.transmittedDatagram()
    let quote = ICMPv4Message.quote(of: sent[...])
    peer.sendICMP(
      .destinationUnreachable(code: .portUnreachable, nextHopMTU: 0, original: quote),
      from: peer.address)
    XCTAssertEqual(
      peer.interface.lastUDPError(socket),
      ICMPv4ErrorReport(
        reason: .destinationUnreachable(.portUnreachable), reporter: peer.address,
        destination: peer.address, destinationPort: 6000))
    XCTAssertEqual(peer.interface.counters.icmpUDPErrors, 1)
    XCTAssertEqual(peer.interface.receiveUDP(socket)?.payload, [1, 2, 3], "queue kept")
    XCTAssertNil(peer.interface.transmit(), "an ICMP error is never answered")

    peer.interface.closeUDP(socket)
    peer.sendICMP(
      .destinationUnreachable(code: .portUnreachable, nextHopMTU: 0, original: quote),
      from: peer.address)
    XCTAssertEqual(peer.interface.counters.icmpErrorsUnmatched, 1)
    XCTAssertEqual(peer.interface.counters.icmpUDPErrors, 1)
  }

  // MARK: Bad input

  /// Truncated and malformed quotations, and errors about datagrams that are not ours, are
  /// counted and change nothing; none is answered.
  func testMalformedAndForeignQuotationsAreCountedAndIgnored() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    let quote = Array(peer.quote(of: syn))

    peer.sendICMP(
      .destinationUnreachable(code: .portUnreachable, nextHopMTU: 0, original: quote[..<27]),
      from: router)
    XCTAssertEqual(peer.interface.counters.icmpMalformed, 1, "shorter than header and 8 bytes")

    var malformed: [[UInt8]] = []
    malformed.append(quote.replacing(at: 0, with: 0x65))  // IP version 6
    malformed.append(quote.replacing(at: 0, with: 0x44))  // header length 16
    malformed.append(quote.replacing(at: 0, with: 0x46))  // options claimed, 8 bytes missing
    malformed.append(quote.replacing(at: 7, with: 0x10))  // a later fragment
    malformed.append(quote.replacing(at: 2, with: 0).replacing(at: 3, with: 27))  // total length
    for bytes in malformed {
      peer.sendICMPError(.portUnreachable, original: bytes[...], from: router)
    }
    XCTAssertEqual(peer.interface.counters.icmpErrorQuotationMalformed, malformed.count)

    var foreign: [[UInt8]] = []
    foreign.append(quote.replacing(at: 15, with: 99))  // another source address
    foreign.append(quote.replacing(at: 9, with: IPProtocol.icmp.rawValue))
    foreign.append(quote.replacing(at: 21, with: quote[21] &+ 1))  // another local port
    for bytes in foreign {
      peer.sendICMPError(.portUnreachable, original: bytes[...], from: router)
    }
    peer.sendICMP(
      .destinationUnreachable(code: .portUnreachable, nextHopMTU: 0, original: quote[...]),
      from: router, to: IPv4Address(192, 0, 2, 255))
    XCTAssertEqual(peer.interface.counters.icmpErrorsUnmatched, foreign.count + 1)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synSent)
    XCTAssertNil(peer.interface.statusTCP(handle)?.lastSoftError)
    XCTAssertNil(peer.interface.transmit(), "an ICMP error is never answered")
    peer.abortAndCheckEmpty(handle)
  }

  /// The quoted header's fields, and ports read after its options.
  func testQuotationParsesTheHeaderAndTransportBytes() throws {
    let bytes: [UInt8] = [
      0x46, 0x00, 0x05, 0xDC, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
      192, 0, 2, 11, 198, 51, 100, 7,
      0x01, 0x01, 0x01, 0x00,  // options: NOP NOP NOP EOL
      0xC0, 0x00, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78,
    ]
    let quotation = try ICMPv4Quotation.parse(bytes[...])
    XCTAssertEqual(
      quotation,
      ICMPv4Quotation(
        source: IPv4Address(192, 0, 2, 11), destination: IPv4Address(198, 51, 100, 7),
        payloadProtocol: .tcp, totalLength: 1500, sourcePort: 49_152, destinationPort: 80,
        transportWord: 0x1234_5678))
    XCTAssertEqual(quotation.sequenceNumber, SequenceNumber(0x1234_5678))
    XCTAssertThrowsError(try ICMPv4Quotation.parse(bytes.dropLast())) { error in
      XCTAssertEqual(
        error as? WireError, .truncated(protocol: "ICMPv4 quotation", needed: 32, available: 31))
    }
  }
}

extension TCPSegmentPeer {
  /// The start of the datagram that carried `segment` from the interface, as a router quotes
  /// it: the IPv4 header and the first 8 bytes of the TCP header.
  func quote(of segment: Sent) -> ArraySlice<UInt8> {
    var tcp: [UInt8] = []
    segment.header.emit(
      payload: segment.payload, source: interfaceAddress, destination: address, into: &tcp)
    var datagram: [UInt8] = []
    IPv4Header(source: interfaceAddress, destination: address, payloadProtocol: .tcp)
      .emit(payload: tcp, into: &datagram)
    return ICMPv4Message.quote(of: datagram[...])
  }

  /// Sends a destination unreachable message quoting `segment`.
  mutating func sendICMPError(
    _ code: ICMPv4Message.UnreachableCode, nextHopMTU: UInt16 = 0, quoting segment: Sent,
    from reporter: IPv4Address
  ) {
    sendICMPError(code, nextHopMTU: nextHopMTU, original: quote(of: segment), from: reporter)
  }

  /// Sends a destination unreachable message quoting `original`.
  mutating func sendICMPError(
    _ code: ICMPv4Message.UnreachableCode, nextHopMTU: UInt16 = 0,
    original: ArraySlice<UInt8>, from reporter: IPv4Address
  ) {
    sendICMP(
      .destinationUnreachable(code: code, nextHopMTU: nextHopMTU, original: original),
      from: reporter)
  }

  /// Sends an ICMP message from `reporter` (through the peer's link) to `destination`, by
  /// default the interface.
  mutating func sendICMP(
    _ message: ICMPv4Message, from reporter: IPv4Address, to destination: IPv4Address? = nil
  ) {
    var bytes: [UInt8] = []
    message.emit(into: &bytes)
    sendDatagram(.icmp, payload: bytes, from: reporter, to: destination)
  }

  /// Delivers an IPv4 datagram carrying `payload` from `source` over the peer's link.
  mutating func sendDatagram(
    _ payloadProtocol: IPProtocol, payload: [UInt8], from source: IPv4Address,
    to destination: IPv4Address? = nil
  ) {
    var datagram: [UInt8] = []
    IPv4Header(
      source: source, destination: destination ?? interfaceAddress,
      payloadProtocol: payloadProtocol
    ).emit(payload: payload, into: &datagram)
    let broadcast = destination.map { $0 != interfaceAddress } ?? false
    var frame: [UInt8] = []
    EthernetHeader(
      destination: broadcast ? .broadcast : interfaceMAC, source: mac, etherType: .ipv4
    ).emit(payload: datagram, into: &frame)
    interface.receive(frame: frame, now: now)
  }

  /// The IPv4 datagram in the one frame the interface has queued.
  mutating func transmittedDatagram(
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> [UInt8] {
    let frame = try XCTUnwrap(interface.transmit(), file: file, line: line)
    XCTAssertNil(interface.transmit(), "one frame", file: file, line: line)
    return Array(try EthernetHeader.parse(frame[...]).payload)
  }
}

extension TCPSegmentPeer.Sent {
  /// The same segment with its sequence number `distance` further on.
  fileprivate func movedOn(by distance: UInt32) -> Self {
    var moved = header
    moved.sequenceNumber = header.sequenceNumber + distance
    return Self(header: moved, payload: payload, time: time)
  }
}

extension [UInt8] {
  /// A copy with the byte at `index` replaced.
  fileprivate func replacing(at index: Int, with byte: UInt8) -> [UInt8] {
    var copy = self
    copy[index] = byte
    return copy
  }
}
