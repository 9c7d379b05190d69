import Net
import Time
import XCTest

/// Opening connections, passively and actively, against a hand-made peer: the three-way
/// handshake, option negotiation, SYN retransmission, refusal and simultaneous open.
final class TCPConnectionHandshakeTests: XCTestCase {
  /// RFC 9293 section 3.5 (three-way handshake), RFC 6691 (MSS), RFC 7323 sections 2 and 3
  /// (window scale, timestamps), RFC 2018 section 2 (SACK-permitted): the SYN-ACK answers each
  /// option offered, its own window unscaled; afterwards both scales apply.
  func testPassiveOpenNegotiatesEveryOptionOffered() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: peer.listeningPort)
    peer.send(seq: 1000, flags: .syn, options: TCPSegmentPeer.fullOptions(timestamp: 100))
    let synAck = try peer.receivedOne()
    XCTAssertEqual(synAck.flags, [.syn, .ack])
    XCTAssertEqual(synAck.acknowledgement, 1001)
    XCTAssertEqual(synAck.header.options.maximumSegmentSize, 1460)
    XCTAssertEqual(synAck.header.options.windowScale, 1, "64 KiB of buffer needs a shift of 1")
    XCTAssertTrue(synAck.header.options.sackPermitted)
    XCTAssertEqual(synAck.header.options.timestamps?.echoReply, 100)
    XCTAssertEqual(synAck.header.window, 65_535, "a SYN's window is never scaled")
    XCTAssertNil(peer.interface.acceptTCP(listener), "not before the handshake completes")
    let theirValue = try XCTUnwrap(synAck.header.options.timestamps?.value)
    // The peer's window of 10 is 10 << 7 = 1280 bytes once scaled.
    peer.send(
      seq: 1001, ack: synAck.sequence + 1, flags: .ack, window: 10,
      options: TCPOptions(timestamps: .init(value: 101, echoReply: theirValue)))
    XCTAssertTrue(peer.received().isEmpty)
    let handle = try XCTUnwrap(peer.interface.acceptTCP(listener))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    XCTAssertEqual(
      try peer.interface.sendTCP(handle, [UInt8](repeating: 7, count: 2000), now: peer.now), 2000)
    let data = try peer.receivedOne()
    XCTAssertEqual(data.sequence, synAck.sequence + 1)
    XCTAssertEqual(data.payload.count, 1280, "the peer's scale applies after the SYN")
    // Our window shifted right by 1. The SYN-ACK announced an edge 65,535 bytes on; one more
    // byte is no worthwhile step (RFC 9293 section 3.8.6.2.2), and 65,535 >> 1 rounds down.
    XCTAssertEqual(data.header.window, 32_767)
    XCTAssertEqual(data.header.options.timestamps?.echoReply, 101)
    XCTAssertEqual(data.header.options.windowScale, nil, "window scale only on a SYN")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.7.1 (536 bytes without an MSS option), RFC 7323 sections 2.2 and 3.2
  /// and RFC 2018 section 2: a peer that offers nothing gets no options but our MSS back, and
  /// segments of at most 536 bytes.
  func testPassiveOpenWithoutOptionsUsesTheDefaults() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: peer.listeningPort)
    peer.send(seq: 1000, flags: .syn)
    let synAck = try peer.receivedOne()
    XCTAssertEqual(synAck.header.options, TCPOptions(maximumSegmentSize: 1460))
    peer.send(seq: 1001, ack: synAck.sequence + 1, flags: .ack)
    let handle = try XCTUnwrap(peer.interface.acceptTCP(listener))
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 1, count: 1000), now: peer.now)
    let first = try peer.receivedOne()
    XCTAssertEqual(first.payload.count, 536, "Nagle holds the 464 bytes left")
    XCTAssertEqual(first.header.options, TCPOptions())
    XCTAssertEqual(first.header.window, 65_535, "unscaled: 64 KiB clamped to 16 bits")
    peer.send(seq: 1001, ack: first.sequence + 536, flags: .ack)
    XCTAssertEqual(try peer.receivedOne().payload.count, 464)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.5, RFC 7323 section 2.2: our SYN offers every option; the window of the
  /// peer's SYN-ACK is taken unscaled even though both sides scale afterwards.
  func testActiveOpenOffersOptionsAndTakesTheSYNWindowUnscaled() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    XCTAssertEqual(syn.flags, .syn)
    XCTAssertEqual(syn.header.destinationPort, 80)
    XCTAssertEqual(syn.header.options.maximumSegmentSize, 1460)
    XCTAssertEqual(syn.header.options.windowScale, 1)
    XCTAssertTrue(syn.header.options.sackPermitted)
    let ourValue = try XCTUnwrap(syn.header.options.timestamps?.value)
    XCTAssertEqual(syn.header.options.timestamps?.echoReply, 0)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synSent)
    var options = TCPSegmentPeer.fullOptions(timestamp: 7)
    options.timestamps?.echoReply = ourValue
    peer.send(
      seq: 5000, ack: syn.sequence + 1, flags: .syn, window: 1000, options: options, from: 80,
      to: syn.header.sourcePort)
    let ack = try peer.receivedOne()
    XCTAssertEqual(ack.flags, .ack)
    XCTAssertEqual(ack.sequence, syn.sequence + 1)
    XCTAssertEqual(ack.acknowledgement, 5001)
    XCTAssertEqual(ack.header.options.timestamps?.echoReply, 7)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 2, count: 3000), now: peer.now)
    let data = try peer.receivedOne()
    XCTAssertEqual(data.payload.count, 1000, "1000 bytes, not 1000 << 7")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.8.1 and RFC 6298 sections 2.1 and 5.5: the SYN is repeated after 1 s,
  /// then 2, 4, 8 ... s, and after `maximumSYNRetransmissions` the open fails as timed out.
  func testActiveOpenRetransmitsTheSYNWithBackoffThenTimesOut() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    var syns = peer.received()
    for _ in 0..<20 where peer.interface.statusTCP(handle)?.state == .synSent {
      syns += peer.runNextTimer()
    }
    XCTAssertEqual(syns.count, 7, "the SYN and 6 retransmissions: \(peer.describe(syns))")
    XCTAssertTrue(syns.allSatisfy { $0.flags == .syn && $0.sequence == syns[0].sequence })
    let gaps = zip(syns.dropFirst(), syns).map { $0.time.duration(since: $1.time) }
    XCTAssertEqual(gaps, [1, 2, 4, 8, 16, 32].map { Duration.seconds($0) })
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closed)
    XCTAssertEqual(status.error, .timedOut)
    // 1 + 2 + ... + 32 s to the last SYN, then its timeout, capped at the 60 s maximum RTO.
    XCTAssertEqual(peer.now.duration(since: .zero), .seconds(123))
    XCTAssertThrowsError(try peer.interface.sendTCP(handle, [1], now: peer.now)) { error in
      XCTAssertEqual(error as? TCPSocketError, .connection(.timedOut))
    }
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.3 (SYN-SENT, RST bit): a reset acknowledging our SYN refuses the
  /// connection; one without ACK, or with an ACK of something else, is dropped.
  func testActiveOpenRefusedByAReset() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    let local = syn.header.sourcePort
    peer.send(seq: 0, flags: .rst, window: 0, from: 80, to: local)
    peer.send(seq: 0, ack: syn.sequence + 9, flags: .rst, window: 0, from: 80, to: local)
    XCTAssertTrue(peer.received().isEmpty, "a reset is never answered")
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synSent)
    peer.send(seq: 0, ack: syn.sequence + 1, flags: .rst, window: 0, from: 80, to: local)
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closed)
    XCTAssertEqual(status.error, .refused)
    XCTAssertTrue(peer.run(for: .seconds(200)).isEmpty, "no SYN after the refusal")
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.3 (SYN-SENT, ACK bit): an ACK outside ISS < SEG.ACK =< SND.NXT is
  /// answered with <SEQ=SEG.ACK><CTL=RST> and the open goes on.
  func testSYNSentAnswersABadAcknowledgementWithAReset() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    let local = syn.header.sourcePort
    peer.send(seq: 5000, ack: syn.sequence + 1000, flags: .syn, from: 80, to: local)
    let reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, .rst)
    XCTAssertEqual(reset.sequence, syn.sequence + 1000)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synSent)
    peer.send(seq: 6000, ack: syn.sequence + 1, flags: .syn, from: 80, to: local)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 6001)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.5, figure 8: SYNs cross; each side answers with a SYN-ACK and enters
  /// ESTABLISHED on the other's SYN-ACK.
  func testSimultaneousOpen() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    let local = syn.header.sourcePort
    // Line 3: the peer's SYN crosses ours.
    peer.send(
      seq: 300, flags: .syn, options: TCPOptions(maximumSegmentSize: 1460), from: 80, to: local)
    let synAck = try peer.receivedOne()
    XCTAssertEqual(synAck.flags, [.syn, .ack], "line 5")
    XCTAssertEqual(synAck.sequence, syn.sequence)
    XCTAssertEqual(synAck.acknowledgement, 301)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .synReceived)
    // Line 6: the peer's SYN-ACK.
    peer.send(
      seq: 300, ack: syn.sequence + 1, flags: .syn,
      options: TCPOptions(maximumSegmentSize: 1460), from: 80, to: local)
    let answer = peer.received()
    XCTAssertFalse(answer.contains { $0.flags.contains(.rst) || $0.flags.contains(.syn) })
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    // Data flows both ways.
    peer.send(
      seq: 301, ack: syn.sequence + 1, flags: .psh, payload: [1, 2, 3], from: 80, to: local)
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 10, now: peer.now), [1, 2, 3])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 7323 section 2.2: window scaling needs both SYNs to carry the option; when the peer's
  /// SYN-ACK has none, neither side scales (our window field is then the plain byte count),
  /// and no timestamps or SACK are used either (RFC 7323 section 3.2, RFC 2018 section 2).
  func testActiveOpenWithoutPeerOptionsScalesNothing() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    peer.send(
      seq: 5000, ack: syn.sequence + 1, flags: .syn, window: 2000, from: 80,
      to: syn.header.sourcePort)
    let ack = try peer.receivedOne()
    XCTAssertEqual(ack.header.window, 65_535, "unscaled: 64 KiB clamped to 16 bits")
    XCTAssertEqual(ack.header.options, TCPOptions(), "no timestamps")
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 1, count: 600), now: peer.now)
    XCTAssertEqual(try peer.receivedOne().payload.count, 536, "the default MSS")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.10.5 (ABORT in SYN-SENT): the connection is deleted without a reset,
  /// since the peer knows nothing of it yet.
  func testAbortInSYNSentSendsNothing() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    XCTAssertEqual(try peer.receivedOne().flags, .syn)
    peer.interface.abortTCP(handle, now: peer.now)
    XCTAssertTrue(peer.run(for: .seconds(10)).isEmpty)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.2 (SEND in SYN-SENT): data queued before the open completes goes
  /// out once it does, the first data segment carrying the handshake's ACK.
  func testDataQueuedInSYNSentGoesWithTheHandshake() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    XCTAssertEqual(try peer.interface.sendTCP(handle, [1, 2, 3], now: peer.now), 3)
    XCTAssertTrue(peer.received().isEmpty, "no data before the handshake")
    peer.send(
      seq: 5000, ack: syn.sequence + 1, flags: .syn, options: TCPOptions(maximumSegmentSize: 1460),
      from: 80, to: syn.header.sourcePort)
    let data = try peer.receivedOne()
    XCTAssertEqual(data.sequence, syn.sequence + 1)
    XCTAssertEqual(data.acknowledgement, 5001)
    XCTAssertEqual(data.payload, [1, 2, 3])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.10.4 (CLOSE in SYN-RECEIVED): the FIN waits until the handshake
  /// completes, then goes (here after a simultaneous open).
  func testCloseInSYNReceivedSendsTheFINOnceEstablished() throws {
    var peer = TCPSegmentPeer()
    let handle = try peer.interface.connectTCP(to: peer.address, port: 80, now: peer.now)
    let syn = try peer.receivedOne()
    let local = syn.header.sourcePort
    peer.send(seq: 300, flags: .syn, from: 80, to: local)
    XCTAssertEqual(try peer.receivedOne().flags, [.syn, .ack])
    try peer.interface.shutdownTCP(handle, now: peer.now)
    XCTAssertTrue(peer.received().isEmpty, "no FIN before our SYN is acknowledged")
    peer.send(seq: 301, ack: syn.sequence + 1, flags: .ack, from: 80, to: local)
    let fin = try peer.receivedOne()
    XCTAssertEqual(fin.flags, [.fin, .ack])
    XCTAssertEqual(fin.sequence, syn.sequence + 1)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .finWait1)
    peer.abortAndCheckEmpty(handle)
  }
}
