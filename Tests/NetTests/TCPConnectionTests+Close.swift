import Net
import Time
import XCTest

/// Closing connections against a hand-made peer: from either side, at once, halfway, with a
/// reset; TIME-WAIT; and handles that stop working.
final class TCPConnectionCloseTests: XCTestCase {
  /// Closes our side of an established connection first and lets the peer close its side:
  /// the connection ends in TIME-WAIT, handed to the TIME-WAIT table by `closeTCP`.
  private func closeIntoTimeWait(_ peer: inout TCPSegmentPeer) throws -> UInt32 {
    let (handle, _, iss) = try peer.establishPassive()
    try peer.interface.shutdownTCP(handle, now: peer.now)
    let fin = try peer.receivedOne()
    XCTAssertEqual(fin.flags, [.fin, .ack])
    XCTAssertEqual(fin.sequence, iss + 1)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .finWait1)
    peer.send(seq: 1001, ack: iss + 2, flags: .ack)
    XCTAssertTrue(peer.received().isEmpty)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .finWait2)
    peer.send(seq: 1001, ack: iss + 2, flags: .fin)
    let ack = try peer.receivedOne()
    XCTAssertEqual(ack.flags, .ack)
    XCTAssertEqual(ack.sequence, iss + 2)
    XCTAssertEqual(ack.acknowledgement, 1002)
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .timeWait)
    XCTAssertTrue(status.reachedEndOfStream)
    peer.interface.closeTCP(handle, now: peer.now)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 0)
    XCTAssertEqual(peer.interface.tcpTimeWaitCount, 1)
    XCTAssertNil(peer.interface.statusTCP(handle), "the handle is gone")
    return iss
  }

  /// RFC 9293 section 3.6, case 1 (figure 12's left side): FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT,
  /// and after 2 MSL (`timeWaitDuration`) nothing is left.
  func testCloseFromOurSideEndsInTimeWaitThenExpires() throws {
    var peer = TCPSegmentPeer { $0.tcp.timeWaitDuration = .seconds(30) }
    _ = try closeIntoTimeWait(&peer)
    XCTAssertTrue(peer.run(for: .milliseconds(29_999)).isEmpty)
    XCTAssertEqual(peer.interface.tcpTimeWaitCount, 1)
    XCTAssertTrue(peer.run(for: .milliseconds(1)).isEmpty)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.4 (TIME-WAIT, eighth step): a retransmitted FIN is acknowledged
  /// again and restarts the 2 MSL timeout. RFC 1337 (TIME-WAIT assassination): a reset is
  /// ignored and TIME-WAIT runs its course.
  func testTimeWaitAnswersARetransmittedFINAndIgnoresResets() throws {
    var peer = TCPSegmentPeer { $0.tcp.timeWaitDuration = .seconds(30) }
    let iss = try closeIntoTimeWait(&peer)
    _ = peer.run(for: .seconds(20))
    peer.send(seq: 1001, ack: iss + 2, flags: .fin)
    let again = try peer.receivedOne()
    XCTAssertEqual(again.flags, .ack)
    XCTAssertEqual(again.sequence, iss + 2)
    XCTAssertEqual(again.acknowledgement, 1002)
    peer.send(seq: 1002, flags: .rst, window: 0)
    peer.send(seq: 1002, ack: iss + 2, flags: .rst, window: 0)
    XCTAssertTrue(peer.received().isEmpty, "resets are not answered")
    XCTAssertEqual(peer.interface.tcpTimeWaitCount, 1, "resets do not end TIME-WAIT")
    // RFC 9293 section 3.10.7.4 (first check): an empty segment at RCV.NXT is acceptable and
    // needs no answer (else two ends in TIME-WAIT would trade ACKs); an old one gets an ACK.
    peer.send(seq: 1002, ack: iss + 2, flags: .ack)
    XCTAssertTrue(peer.received().isEmpty, "an acceptable ACK is not answered")
    peer.send(seq: 1001, ack: iss + 2, flags: .ack)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 1002)
    _ = peer.run(for: .seconds(29))
    XCTAssertEqual(peer.interface.tcpTimeWaitCount, 1, "the FIN restarted the 30 s")
    _ = peer.run(for: .seconds(1))
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.4 (TIME-WAIT may accept a new SYN, as RFC 6191 refines): a SYN
  /// beyond the old connection's sequence space opens a new connection on the same four-tuple;
  /// an older one only gets the old connection's ACK.
  func testNewSYNWithAHigherSequenceNumberReusesTheFourTuple() throws {
    var peer = TCPSegmentPeer()
    let iss = try closeIntoTimeWait(&peer)
    peer.send(seq: 500, flags: .syn)
    let old = try peer.receivedOne()
    XCTAssertEqual(old.flags, .ack)
    XCTAssertEqual(old.sequence, iss + 2)
    XCTAssertEqual(old.acknowledgement, 1002)
    peer.send(seq: 90_000, flags: .syn)
    let synAck = try peer.receivedOne()
    XCTAssertEqual(synAck.flags, [.syn, .ack])
    XCTAssertEqual(synAck.acknowledgement, 90_001)
    XCTAssertEqual(peer.interface.tcpTimeWaitCount, 0, "the new connection took the four-tuple")
    peer.send(seq: 90_001, ack: synAck.sequence + 1, flags: .ack)
    let handle = try XCTUnwrap(peer.interface.acceptTCP(try XCTUnwrap(peer.listener)))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.6, case 2: the peer closes first; we acknowledge its FIN at once
  /// (CLOSE-WAIT), the application sees the end of the stream, closes, and the last ACK frees
  /// the connection without TIME-WAIT.
  func testCloseFromThePeerSide() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .fin)
    let ack = try peer.receivedOne()
    XCTAssertEqual(ack.flags, .ack)
    XCTAssertEqual(ack.acknowledgement, 1002)
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closeWait)
    XCTAssertTrue(status.reachedEndOfStream)
    XCTAssertEqual(try peer.interface.sendTCP(handle, [4, 5], now: peer.now), 2, "still sending")
    XCTAssertEqual(try peer.receivedOne().payload, [4, 5])
    peer.interface.closeTCP(handle, now: peer.now)
    let fin = try peer.receivedOne()
    XCTAssertEqual(fin.flags, [.fin, .ack])
    XCTAssertEqual(fin.sequence, iss + 3)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 1, "LAST-ACK waits for the peer")
    peer.send(seq: 1002, ack: iss + 4, flags: .ack)
    XCTAssertTrue(peer.received().isEmpty)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.6 (half-close): after our FIN we go on reading; sending is refused.
  func testHalfCloseKeepsReading() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    try peer.interface.shutdownTCP(handle, now: peer.now)
    XCTAssertEqual(try peer.receivedOne().flags, [.fin, .ack])
    peer.send(seq: 1001, ack: iss + 2, flags: .psh, payload: Array("still talking".utf8))
    XCTAssertEqual(
      try peer.interface.receiveTCP(handle, upTo: 100, now: peer.now), Array("still talking".utf8))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .finWait2)
    XCTAssertThrowsError(try peer.interface.sendTCP(handle, [1], now: peer.now)) { error in
      XCTAssertEqual(error as? TCPSocketError, .sendingClosed)
    }
    let delayed = peer.run(for: .seconds(1))
    XCTAssertEqual(delayed.map { $0.acknowledgement }, [1014], "the data is acknowledged")
    peer.send(seq: 1014, ack: iss + 2, flags: .fin)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 1015)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .timeWait)
    peer.interface.closeTCP(handle, now: peer.now)
    _ = peer.run(for: peer.interface.configuration.tcp.timeWaitDuration)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.6, case 3 (figure 13): FINs cross; FIN-WAIT-1, CLOSING, TIME-WAIT.
  func testSimultaneousClose() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    try peer.interface.shutdownTCP(handle, now: peer.now)
    let fin = try peer.receivedOne()
    XCTAssertEqual(fin.flags, [.fin, .ack])
    peer.send(seq: 1001, ack: iss + 1, flags: .fin)
    let ack = try peer.receivedOne()
    XCTAssertEqual(ack.flags, .ack)
    XCTAssertEqual(ack.sequence, iss + 2)
    XCTAssertEqual(ack.acknowledgement, 1002)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .closing)
    peer.send(seq: 1002, ack: iss + 2, flags: .ack)
    XCTAssertTrue(peer.received().isEmpty)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .timeWait)
    peer.interface.closeTCP(handle, now: peer.now)
    XCTAssertEqual(peer.interface.tcpTimeWaitCount, 1)
    _ = peer.run(for: peer.interface.configuration.tcp.timeWaitDuration)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.4 and RFC 2525 section 2.17: closing with received data unread
  /// resets the connection instead of a FIN, so the peer learns it was not all taken.
  func testCloseWithUnreadDataSendsAReset() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: [1, 2, 3])
    peer.interface.closeTCP(handle, now: peer.now)
    let reset = try peer.receivedOne()
    XCTAssertTrue(reset.flags.contains(.rst))
    XCTAssertFalse(reset.flags.contains(.fin))
    XCTAssertEqual(reset.sequence, iss + 1)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.5 (ABORT): a reset at SND.NXT, and the connection is gone; its handle
  /// no longer works, not even once a new connection takes the same slot.
  func testAbortSendsAResetAndTheOldHandleStopsWorking() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [9, 9], now: peer.now)
    XCTAssertEqual(try peer.receivedOne().payload, [9, 9])
    peer.interface.abortTCP(handle, now: peer.now)
    let reset = try peer.receivedOne()
    XCTAssertEqual(reset.flags, .rst)
    XCTAssertEqual(reset.sequence, iss + 3)
    peer.assertTablesEmpty()
    let (newer, _, _) = try peer.establishPassive(from: 40_001)
    XCTAssertNil(peer.interface.statusTCP(handle))
    XCTAssertThrowsError(try peer.interface.sendTCP(handle, [1], now: peer.now)) { error in
      XCTAssertEqual(error as? TCPSocketError, .notOpen)
    }
    XCTAssertThrowsError(try peer.interface.receiveTCP(handle, upTo: 1, now: peer.now)) {
      error in XCTAssertEqual(error as? TCPSocketError, .notOpen)
    }
    XCTAssertThrowsError(try peer.interface.shutdownTCP(handle, now: peer.now))
    peer.interface.closeTCP(handle, now: peer.now)
    peer.interface.abortTCP(handle, now: peer.now)
    XCTAssertTrue(peer.received().isEmpty, "a stale handle reaches nothing")
    XCTAssertEqual(peer.interface.statusTCP(newer)?.state, .established)
    peer.abortAndCheckEmpty(newer)
  }

  /// RFC 9293 section 3.10.7.4 (TIME-WAIT) and RFC 1337, for a connection whose application
  /// still holds its handle: a retransmitted FIN is acknowledged and restarts 2 MSL; a reset,
  /// even exactly at RCV.NXT, does not end TIME-WAIT early.
  func testTimeWaitHeldByTheApplicationBehavesTheSame() throws {
    var peer = TCPSegmentPeer { $0.tcp.timeWaitDuration = .seconds(30) }
    let (handle, _, iss) = try peer.establishPassive()
    try peer.interface.shutdownTCP(handle, now: peer.now)
    _ = peer.received()
    peer.send(seq: 1001, ack: iss + 2, flags: .fin)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 1002)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .timeWait)
    _ = peer.run(for: .seconds(20))
    peer.send(seq: 1001, ack: iss + 2, flags: .fin)
    let again = try peer.receivedOne()
    XCTAssertEqual(again.sequence, iss + 2)
    XCTAssertEqual(again.acknowledgement, 1002)
    peer.send(seq: 1002, flags: .rst, window: 0)
    peer.send(seq: 1002, ack: iss + 2, flags: .ack)
    XCTAssertTrue(peer.received().isEmpty, "neither a reset nor an acceptable ACK is answered")
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .timeWait, "RFC 1337")
    XCTAssertNil(peer.interface.statusTCP(handle)?.error)
    _ = peer.run(for: .seconds(29))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .timeWait, "the FIN restarted it")
    _ = peer.run(for: .seconds(1))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .closed)
    XCTAssertNil(peer.interface.statusTCP(handle)?.error)
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.8.1: a FIN is retransmitted like data until acknowledged (LAST-ACK).
  func testFINIsRetransmittedInLastAck() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .fin)
    _ = peer.received()
    peer.interface.closeTCP(handle, now: peer.now)
    let fin = try peer.receivedOne()
    let again = peer.runNextTimer()
    XCTAssertEqual(again.map { $0.flags }, [[.fin, .ack]])
    XCTAssertEqual(again.first?.sequence, fin.sequence)
    peer.send(seq: 1002, ack: iss + 2, flags: .ack)
    peer.assertTablesEmpty()
  }

  /// An application that closes and walks away while the peer never closes its side: the
  /// orphan in FIN-WAIT-2 is given up after `timeWaitDuration` (as Linux's tcp_fin_timeout),
  /// so that it cannot hold a slot forever.
  func testOrphanInFinWait2IsFreedInTime() throws {
    var peer = TCPSegmentPeer { $0.tcp.timeWaitDuration = .seconds(30) }
    let (handle, _, iss) = try peer.establishPassive()
    peer.interface.closeTCP(handle, now: peer.now)
    XCTAssertEqual(try peer.receivedOne().flags, [.fin, .ack])
    peer.send(seq: 1001, ack: iss + 2, flags: .ack)
    XCTAssertEqual(peer.interface.tcpConnectionCount, 1)
    XCTAssertTrue(peer.run(for: .seconds(30)).isEmpty)
    peer.assertTablesEmpty()
  }

  /// RFC 9293 section 3.10.7.4 (FIN-WAIT-1, eighth step): a FIN that also acknowledges ours
  /// goes straight to TIME-WAIT.
  func testFINAcknowledgingOursGoesStraightToTimeWait() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    try peer.interface.shutdownTCP(handle, now: peer.now)
    _ = try peer.receivedOne()
    peer.send(seq: 1001, ack: iss + 2, flags: .fin)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 1002)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .timeWait)
    peer.interface.closeTCP(handle, now: peer.now)
    _ = peer.run(for: peer.interface.configuration.tcp.timeWaitDuration)
    peer.assertTablesEmpty()
  }
}
