import Net
import Time
import XCTest

/// The sending side against a hand-made peer: Nagle, zero window probing, retransmission
/// timeouts, fast retransmit and keepalive.
final class TCPConnectionSendTests: XCTestCase {
  /// RFC 9293 section 3.7.4 (Nagle, RFC 896): a short segment waits while data is
  /// unacknowledged, and goes when the ACK comes; with `nagle = false` it goes at once.
  func testNagleHoldsASmallSegmentWhileDataIsUnacknowledged() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [1], now: peer.now)
    XCTAssertEqual(try peer.receivedOne().payload, [1], "nothing in flight: it goes")
    _ = try peer.interface.sendTCP(handle, [2], now: peer.now)
    _ = try peer.interface.sendTCP(handle, [3], now: peer.now)
    XCTAssertTrue(peer.received().isEmpty, "held while the first byte is unacknowledged")
    peer.send(seq: 1001, ack: iss + 2, flags: .ack)
    let next = try peer.receivedOne()
    XCTAssertEqual(next.sequence, iss + 2)
    XCTAssertEqual(next.payload, [2, 3], "held bytes coalesce")
    peer.abortAndCheckEmpty(handle)

    var eager = TCPSegmentPeer { $0.tcp.nagle = false }
    let (other, _, _) = try eager.establishPassive()
    _ = try eager.interface.sendTCP(other, [1], now: eager.now)
    _ = try eager.interface.sendTCP(other, [2], now: eager.now)
    XCTAssertEqual(eager.received().map { $0.payload }, [[1], [2]])
    eager.abortAndCheckEmpty(other)
  }

  /// RFC 9293 section 3.8.6.1 and RFC 1122 section 4.2.2.17: behind a zero window the sender
  /// probes after an RTO, backing off exponentially, and sends as soon as the window opens.
  func testZeroWindowProbingWithBackoffAndResumption() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive(window: 0)
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 5, count: 100), now: peer.now)
    XCTAssertTrue(peer.received().isEmpty, "the window is shut")
    var probes: [TCPSegmentPeer.Sent] = []
    for _ in 0..<4 {
      let sent = peer.runNextTimer()
      probes += sent
      for _ in sent { peer.send(seq: 1001, ack: iss + 1, flags: .ack, window: 0) }
      XCTAssertTrue(peer.received().isEmpty, "the answer opens nothing")
    }
    // RTO is at its 200 ms minimum (the handshake took no time), doubled per probe.
    XCTAssertEqual(
      probes.map { $0.time.duration(since: .zero) },
      [200, 600, 1400, 3000].map { Duration.milliseconds($0) })
    for probe in probes {
      XCTAssertEqual(probe.flags, .ack)
      XCTAssertEqual(probe.acknowledgement, 1001)
      XCTAssertLessThanOrEqual(probe.payload.count, 1)
    }
    peer.send(seq: 1001, ack: iss + 1, flags: .ack, window: 1000)
    let data = try peer.receivedOne()
    XCTAssertEqual(data.sequence, iss + 1)
    XCTAssertEqual(data.payload.count, 100, "the window opened: the data goes")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 6298 sections 5.4 to 5.6: an unacknowledged segment is retransmitted after RTO, the
  /// timer doubling each time; after `maximumRetransmissions` the connection times out.
  func testRetransmissionTimeoutBacksOffThenGivesUp() throws {
    var peer = TCPSegmentPeer { $0.tcp.maximumRetransmissions = 3 }
    let (handle, _, iss) = try peer.establishPassive()
    let start = peer.now
    _ = try peer.interface.sendTCP(handle, [1, 2, 3], now: peer.now)
    var sent = peer.received()
    for _ in 0..<10 where peer.interface.statusTCP(handle)?.state == .established {
      sent += peer.runNextTimer()
    }
    XCTAssertEqual(sent.count, 4, "the segment and 3 retransmissions: \(peer.describe(sent))")
    XCTAssertTrue(sent.allSatisfy { $0.sequence == iss + 1 && $0.payload == [1, 2, 3] })
    // The handshake measured a round trip of 0, so RTO starts at its 200 ms minimum.
    XCTAssertEqual(
      sent.map { $0.time.duration(since: start) },
      [0, 200, 600, 1400].map { Duration.milliseconds($0) })
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.error, .timedOut)
    XCTAssertEqual(peer.now.duration(since: start), .milliseconds(3000))
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }

  /// RFC 6298 section 5.3: an ACK of new data restarts the timer, and backoff is forgotten.
  func testAcknowledgementStopsRetransmission() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [1, 2, 3], now: peer.now)
    _ = peer.received()
    let retransmission = peer.runNextTimer()
    XCTAssertEqual(retransmission.map { $0.payload }, [[1, 2, 3]])
    peer.send(seq: 1001, ack: iss + 4, flags: .ack)
    XCTAssertTrue(peer.run(for: .seconds(300)).isEmpty, "all acknowledged: silence")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 5681 section 3.2: the third duplicate ACK retransmits the missing segment at once,
  /// before any timeout.
  func testFastRetransmitOnTheThirdDuplicateACK() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 3, count: 3 * 1460), now: peer.now)
    let flight = peer.received()
    XCTAssertEqual(flight.map { $0.payload.count }, [1460, 1460, 1460])
    // The first is lost; each later one draws a duplicate ACK.
    peer.send(seq: 1001, ack: iss + 1, flags: .ack)
    peer.send(seq: 1001, ack: iss + 1, flags: .ack)
    XCTAssertTrue(peer.received().isEmpty, "two duplicates are not enough")
    peer.send(seq: 1001, ack: iss + 1, flags: .ack)
    let retransmission = try peer.receivedOne()
    XCTAssertEqual(retransmission.sequence, iss + 1)
    XCTAssertEqual(retransmission.payload.count, 1460)
    XCTAssertEqual(retransmission.time, .zero, "no timer involved")
    peer.send(seq: 1001, ack: iss + 1 + 3 * 1460, flags: .ack)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.unacknowledgedBytes, 0)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 6675 section 4, NextSeg rule 4: the last segment of a flight is lost along with the
  /// first. Fast recovery repairs the first; when its ACK comes, nothing would reveal the
  /// tail's loss but the timer, so one rescue retransmission sends it at once.
  func testRescueRetransmissionRepairsALostTail() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive(
      options: TCPOptions(maximumSegmentSize: 1460, sackPermitted: true))
    _ = try peer.interface.sendTCP(handle, [UInt8](repeating: 5, count: 5 * 1460), now: peer.now)
    XCTAssertEqual(peer.received().map { $0.payload.count }, [1460, 1460, 1460, 1460, 1460])
    // Segments 2 to 4 arrive; 1 and 5 are lost. Three duplicate ACKs SACK what came.
    let start = iss + 1
    for end in [2, 3, 4] {
      let block = TCPOptions.SACKBlock(
        leftEdge: SequenceNumber(start + 1460),
        rightEdge: SequenceNumber(start + UInt32(end) * 1460))
      peer.send(seq: 1001, ack: start, flags: .ack, options: TCPOptions(sackBlocks: [block]))
    }
    let repair = try peer.receivedOne()
    XCTAssertEqual(repair.sequence, start, "fast retransmit of the first")
    // Its ACK covers 1 to 4; segment 5 goes again at once, with no timer.
    peer.send(seq: 1001, ack: start + 4 * 1460, flags: .ack)
    let rescue = try peer.receivedOne()
    XCTAssertEqual(rescue.sequence, start + 4 * 1460)
    XCTAssertEqual(rescue.payload.count, 1460)
    XCTAssertEqual(rescue.time, .zero, "no retransmission timeout involved")
    peer.send(seq: 1001, ack: start + 5 * 1460, flags: .ack)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.unacknowledgedBytes, 0)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.8.4 and RFC 1122 section 4.2.3.6: an idle connection is probed after
  /// `idle` with a segment the peer must acknowledge; an answer keeps it, and `probes`
  /// unanswered probes `interval` apart end it as timed out.
  func testKeepaliveProbesAndTimesOut() throws {
    var peer = TCPSegmentPeer {
      $0.tcp.keepalive = TCPKeepalive(idle: .seconds(10), interval: .seconds(2), probes: 3)
    }
    let (handle, _, iss) = try peer.establishPassive()
    let first = peer.run(for: .seconds(10))
    XCTAssertEqual(first.count, 1)
    XCTAssertEqual(first.first?.sequence, iss, "one below SND.NXT, drawing an ACK")
    XCTAssertEqual(first.first?.acknowledgement, 1001)
    XCTAssertEqual(first.first?.payload, [])
    peer.send(seq: 1001, ack: iss + 1, flags: .ack)
    let unanswered = peer.run(for: .seconds(20))
    XCTAssertEqual(
      unanswered.map { $0.time.duration(since: .zero) }, [20, 22, 24].map { Duration.seconds($0) })
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closed)
    XCTAssertEqual(status.error, .timedOut)
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }
}
