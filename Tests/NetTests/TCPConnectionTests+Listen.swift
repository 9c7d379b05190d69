import Net
import Time
import XCTest

/// Listening ports and closed ports against a hand-made peer: the backlog, SYN cookies,
/// resets to listeners and the resets that answer segments for no connection.
final class TCPConnectionListenTests: XCTestCase {
  /// RFC 9293 section 3.10.7.2 and RFC 4987 section 3.6: SYNs beyond the backlog are answered
  /// with a SYN cookie and cost no memory; the ACK that returns a valid cookie creates an
  /// ESTABLISHED connection that accept hands out, data and all; a forged one is reset.
  func testSYNsBeyondTheBacklogGetCookies() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: 80, backlog: 2)
    for source: UInt16 in [40_001, 40_002] {
      peer.send(seq: 1000, flags: .syn, options: TCPOptions(maximumSegmentSize: 1460), from: source)
      XCTAssertEqual(try peer.receivedOne().flags, [.syn, .ack])
    }
    XCTAssertEqual(peer.interface.tcpConnectionCount, 2)
    XCTAssertEqual(peer.interface.counters.tcpSYNCookiesSent, 0)
    peer.send(seq: 7000, flags: .syn, options: TCPOptions(maximumSegmentSize: 1000), from: 40_003)
    let cookie = try peer.receivedOne()
    XCTAssertEqual(cookie.flags, [.syn, .ack])
    XCTAssertEqual(cookie.acknowledgement, 7001)
    XCTAssertEqual(cookie.header.options.maximumSegmentSize, 1460)
    XCTAssertEqual(peer.interface.counters.tcpSYNCookiesSent, 1)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 2, "a cookie holds no state")
    XCTAssertNil(peer.interface.acceptTCP(listener))

    peer.send(
      seq: 7001, ack: cookie.sequence + 1, flags: .psh, payload: Array("hello".utf8),
      from: 40_003)
    XCTAssertEqual(peer.interface.counters.tcpSYNCookiesAccepted, 1)
    let handle = try XCTUnwrap(peer.interface.acceptTCP(listener))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    XCTAssertEqual(
      try peer.interface.receiveTCP(handle, upTo: 10, now: peer.now), Array("hello".utf8))
    XCTAssertNil(peer.interface.acceptTCP(listener), "the others are still in SYN-RECEIVED")
    // The cookie encodes the peer's MSS of 1000 as the nearest table value below: 536.
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 1, count: 1500), now: peer.now)
    let data = peer.received().filter { !$0.payload.isEmpty }
    XCTAssertEqual(data.first?.payload.count, 536)
    XCTAssertEqual(data.first?.sequence, cookie.sequence + 1)

    peer.send(seq: 9001, ack: 0xDEAD_BEEF, flags: .ack, from: 40_004)
    let reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, .rst)
    XCTAssertEqual(reset.sequence, 0xDEAD_BEEF)
    XCTAssertEqual(reset.header.destinationPort, 40_004)
    XCTAssertEqual(peer.interface.counters.tcpSYNCookiesAccepted, 1)

    peer.interface.abortTCP(handle, now: peer.now)
    peer.interface.closeListener(listener, now: peer.now)
    let resets = peer.received()
    XCTAssertEqual(resets.count, 3, "one reset each: \(peer.describe(resets))")
    XCTAssertTrue(resets.allSatisfy { $0.flags.contains(.rst) })
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.2 (LISTEN, first check): a reset to a listener is ignored.
  func testResetToAListenerIsIgnored() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: 80)
    peer.send(seq: 1000, flags: .rst, window: 0)
    peer.send(seq: 1000, ack: 5000, flags: .rst, window: 0)
    XCTAssertTrue(peer.received().isEmpty)
    XCTAssertEqual(peer.interface.counters.tcpResetsSent, 0)
    peer.send(seq: 1000, flags: .syn)
    XCTAssertEqual(try peer.receivedOne().flags, [.syn, .ack], "still listening")
    peer.interface.closeListener(listener, now: peer.now)
    _ = peer.received()
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.1 (CLOSED): a segment for no connection is answered with
  /// <SEQ=SEG.ACK><CTL=RST> when it carries an ACK, else with
  /// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; a reset is not answered.
  func testSegmentToAClosedPortIsAnsweredWithAReset() throws {
    var peer = TCPSegmentPeer()
    peer.send(seq: 1000, flags: .syn, to: 81)
    var reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, [.rst, .ack])
    XCTAssertEqual(reset.sequence, 0)
    XCTAssertEqual(reset.acknowledgement, 1001)
    XCTAssertEqual(reset.header.sourcePort, 81)
    XCTAssertEqual(reset.header.destinationPort, peer.port)
    peer.send(seq: 2000, flags: [.psh, .fin], payload: [1, 2, 3, 4], to: 81)
    reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, [.rst, .ack])
    XCTAssertEqual(reset.acknowledgement, 2005, "four bytes and the FIN")
    peer.send(seq: 3000, ack: 5555, flags: .psh, payload: [1], to: 81)
    reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, .rst)
    XCTAssertEqual(reset.sequence, 5555)
    peer.send(seq: 3000, ack: 5555, flags: .rst, window: 0, to: 81)
    XCTAssertTrue(peer.received().isEmpty)
    XCTAssertEqual(peer.interface.counters.tcpNoSocket, 4)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.4 (SYN-RECEIVED, ACK bit): an ACK of something other than our
  /// SYN is answered with <SEQ=SEG.ACK><CTL=RST>, and the handshake can still complete.
  func testSYNReceivedAnswersABadAcknowledgementWithAReset() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: 80)
    peer.send(seq: 1000, flags: .syn)
    let synAck = try peer.receivedOne()
    peer.send(seq: 1001, ack: synAck.sequence + 50, flags: .ack)
    let reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, .rst)
    XCTAssertEqual(reset.sequence, synAck.sequence + 50)
    XCTAssertNil(peer.interface.acceptTCP(listener))
    peer.send(seq: 1001, ack: synAck.sequence + 1, flags: .ack)
    let handle = try XCTUnwrap(peer.interface.acceptTCP(listener))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.8.1: a SYN-ACK that is not acknowledged is retransmitted; a repeated
  /// SYN is answered with the same SYN-ACK.
  func testSYNACKIsRetransmittedAndARepeatedSYNAnswered() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: 80)
    peer.send(seq: 1000, flags: .syn)
    let synAck = try peer.receivedOne()
    let again = peer.runNextTimer()
    XCTAssertEqual(again.map { $0.sequence }, [synAck.sequence])
    XCTAssertEqual(again.first?.time, .zero + .seconds(1))
    peer.send(seq: 1000, flags: .syn)
    let answer = try peer.receivedOne()
    XCTAssertEqual(answer.flags, [.syn, .ack])
    XCTAssertEqual(answer.sequence, synAck.sequence)
    XCTAssertEqual(answer.acknowledgement, 1001)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 1, "the same connection")
    peer.interface.closeListener(listener, now: peer.now)
    _ = peer.received()
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.4 (SYN-RECEIVED, RST bit): a reset of a passive open sends the
  /// connection away quietly, and the listener goes on.
  func testResetInSYNReceivedDropsThePassiveOpen() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: 80)
    peer.send(seq: 1000, flags: .syn)
    _ = try peer.receivedOne()
    XCTAssertEqual(peer.interface.tcpConnectionCount, 1)
    peer.send(seq: 1001, flags: .rst, window: 0)
    XCTAssertTrue(peer.received().isEmpty)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 0)
    XCTAssertNil(peer.interface.acceptTCP(listener))
    XCTAssertTrue(peer.run(for: .seconds(100)).isEmpty, "no SYN-ACK retransmissions")
    peer.send(seq: 5000, flags: .syn)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 5001)
    peer.interface.closeListener(listener, now: peer.now)
    _ = peer.received()
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.2 (LISTEN, second check): any acknowledgement to a listener is
  /// bad, a SYN-ACK included, and is answered with <SEQ=SEG.ACK><CTL=RST>.
  func testAcknowledgementToAListenerIsReset() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: 80)
    peer.send(seq: 1000, ack: 4242, flags: .syn)
    let reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, .rst)
    XCTAssertEqual(reset.sequence, 4242)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 0)
    peer.interface.closeListener(listener, now: peer.now)
    peer.assertTablesEmpty()
  }
}
