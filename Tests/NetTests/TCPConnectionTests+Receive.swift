import Net
import Time
import XCTest

/// The receiving side against a hand-made peer: delivery in order, reassembly with SACK,
/// trimming, the receive window and delayed acknowledgements.
final class TCPConnectionReceiveTests: XCTestCase {
  private func bytes(_ count: Int, from first: UInt8 = 0) -> [UInt8] {
    (0..<count).map { first &+ UInt8(truncatingIfNeeded: $0) }
  }

  /// RFC 9293 section 3.8.6.3 and RFC 5681 section 4.2: an ACK at once for every second full
  /// segment; a lone segment's ACK waits `delayedAcknowledgementTimeout` (under 0.5 s).
  func testDelayedAcknowledgement() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: bytes(1460))
    XCTAssertTrue(peer.received().isEmpty, "one segment: the ACK waits")
    peer.send(seq: 2461, ack: iss + 1, flags: .psh, payload: bytes(1460))
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 3921, "two full segments: at once")
    peer.send(seq: 3921, ack: iss + 1, flags: .psh, payload: bytes(100))
    XCTAssertTrue(peer.received().isEmpty)
    let start = peer.now
    let delayed = peer.run(for: .seconds(1))
    XCTAssertEqual(delayed.map { $0.acknowledgement }, [4021])
    XCTAssertEqual(delayed.first?.time.duration(since: start), .milliseconds(40))
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 5000, now: peer.now).count, 3020)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.10.7.4 (seventh step) and RFC 2018 sections 3 and 4: out-of-order
  /// data is held and acknowledged at once with SACK blocks, the block with the most recent
  /// segment first; the gap filling delivers everything in order.
  func testOutOfOrderDataIsHeldAndSACKed() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive(
      options: TCPOptions(maximumSegmentSize: 1460, sackPermitted: true))
    let data = bytes(400)
    func send(_ start: Int) {
      peer.send(
        seq: 1001 + UInt32(start), ack: iss + 1, flags: .psh,
        payload: Array(data[start..<start + 100]))
    }
    func block(_ left: UInt32, _ right: UInt32) -> TCPOptions.SACKBlock {
      TCPOptions.SACKBlock(leftEdge: SequenceNumber(left), rightEdge: SequenceNumber(right))
    }
    send(100)
    var ack = try peer.receivedOne()
    XCTAssertEqual(ack.acknowledgement, 1001)
    XCTAssertEqual(ack.header.options.sackBlocks, [block(1101, 1201)])
    send(300)
    ack = try peer.receivedOne()
    XCTAssertEqual(ack.acknowledgement, 1001)
    XCTAssertEqual(ack.header.options.sackBlocks, [block(1301, 1401), block(1101, 1201)])
    send(200)
    ack = try peer.receivedOne()
    XCTAssertEqual(ack.header.options.sackBlocks, [block(1101, 1401)])
    XCTAssertEqual(peer.interface.statusTCP(handle)?.readableBytes, 0)
    send(0)
    ack = try peer.receivedOne()
    XCTAssertEqual(ack.acknowledgement, 1401, "the gap filled: an ACK at once")
    XCTAssertEqual(ack.header.options.sackBlocks, [])
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 1000, now: peer.now), data)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.10.7.4: a duplicate is acknowledged at once and dropped; a segment
  /// partly before RCV.NXT is trimmed to its new bytes.
  func testDuplicatesAreDroppedAndOverlapsTrimmed() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: [1, 2, 3])
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: [1, 2, 3])
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 1004, "the duplicate's ACK")
    peer.send(seq: 1002, ack: iss + 1, flags: .psh, payload: [2, 3, 4, 5, 6])
    XCTAssertEqual(
      try peer.interface.receiveTCP(handle, upTo: 100, now: peer.now), [1, 2, 3, 4, 5, 6])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 sections 3.8.6.2.2 and 3.10.7.4: bytes beyond the window are trimmed off, a zero
  /// window takes nothing (even a probe's byte) and says so, and reading reopens it only by a
  /// worthwhile step: min(half the buffer, MSS), receiver silly window syndrome avoidance.
  func testReceiveWindowTrimsClosesAndReopensWithoutSillySteps() throws {
    var peer = TCPSegmentPeer { $0.tcp.receiveBufferSize = 1000 }
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: bytes(1200))
    let full = try peer.receivedOne()
    XCTAssertEqual(full.acknowledgement, 2001, "only the window's 1000 bytes are taken")
    XCTAssertEqual(full.header.window, 0)
    peer.send(seq: 2001, ack: iss + 1, flags: .psh, payload: [9])
    let probeAnswer = try peer.receivedOne()
    XCTAssertEqual(probeAnswer.acknowledgement, 2001)
    XCTAssertEqual(probeAnswer.header.window, 0)
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 100, now: peer.now).count, 100)
    XCTAssertTrue(peer.run(for: .seconds(1)).isEmpty, "100 bytes is a silly step")
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 400, now: peer.now).count, 400)
    let update = try peer.receivedOne()
    XCTAssertEqual(update.acknowledgement, 2001)
    XCTAssertEqual(update.header.window, 500, "min(1000 / 2, 1460) is worthwhile")
    peer.send(seq: 2001 + 600, ack: iss + 1, flags: .psh, payload: bytes(10))
    let beyond = try peer.receivedOne()
    XCTAssertEqual(beyond.acknowledgement, 2001, "wholly beyond the window: dropped")
    XCTAssertEqual(peer.interface.statusTCP(handle)?.readableBytes, 500)
    peer.send(seq: 2001, ack: iss + 1, flags: .psh, payload: bytes(700, from: 1))
    _ = peer.run(for: .seconds(1))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.readableBytes, 1000, "500 of 700 fitted")
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.4 (sequence numbers are compared modulo 2^32): a peer whose sequence
  /// numbers wrap during the connection is followed across the wrap.
  func testSequenceNumbersWrap() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: peer.listeningPort)
    peer.send(seq: 0xFFFF_FFF0, flags: .syn)
    let synAck = try peer.receivedOne()
    XCTAssertEqual(synAck.acknowledgement, 0xFFFF_FFF1)
    peer.send(seq: 0xFFFF_FFF1, ack: synAck.sequence + 1, flags: .ack)
    let handle = try XCTUnwrap(peer.interface.acceptTCP(listener))
    peer.send(seq: 0xFFFF_FFF1, ack: synAck.sequence + 1, flags: .psh, payload: bytes(40))
    peer.send(seq: 0x19, ack: synAck.sequence + 1, flags: .fin)
    XCTAssertEqual(try peer.receivedOne().acknowledgement, 0x1A, "40 bytes and the FIN")
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 100, now: peer.now), bytes(40))
    XCTAssertEqual(peer.interface.statusTCP(handle)?.reachedEndOfStream, true)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.10.7.4 (SYN-RECEIVED, then the text): the ACK completing the
  /// handshake may carry data, which is delivered.
  func testDataOnTheHandshakeACKIsDelivered() throws {
    var peer = TCPSegmentPeer()
    let listener = try peer.interface.listenTCP(port: peer.listeningPort)
    peer.send(seq: 1000, flags: .syn)
    let synAck = try peer.receivedOne()
    peer.send(seq: 1001, ack: synAck.sequence + 1, flags: .psh, payload: [1, 2, 3])
    let handle = try XCTUnwrap(peer.interface.acceptTCP(listener))
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 10, now: peer.now), [1, 2, 3])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 2018 section 3 and RFC 7323: with timestamps in every segment, at most three SACK
  /// blocks fit in the options; the most recent come first.
  func testAtMostThreeSACKBlocksWithTimestamps() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive(options: TCPSegmentPeer.fullOptions())
    var last: TCPSegmentPeer.Sent?
    for hole in 1...4 {
      peer.send(
        seq: 1001 + UInt32(hole * 200), ack: iss + 1, flags: .psh,
        options: TCPOptions(timestamps: .init(value: 200, echoReply: 0)), payload: bytes(100))
      last = try peer.receivedOne()
    }
    let blocks = try XCTUnwrap(last).header.options.sackBlocks
    XCTAssertEqual(blocks.map { $0.leftEdge.rawValue }, [1801, 1601, 1401])
    XCTAssertEqual(blocks.map { $0.rightEdge.rawValue }, [1901, 1701, 1501])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.8.6.3: an acknowledgement owed rides on outgoing data, and no separate
  /// ACK follows when the delayed-ACK timer would have fired.
  func testDelayedAcknowledgementRidesOnData() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: [1, 2])
    XCTAssertTrue(peer.received().isEmpty)
    _ = try peer.interface.sendTCP(handle, [7], now: peer.now)
    let data = try peer.receivedOne()
    XCTAssertEqual(data.acknowledgement, 1003)
    XCTAssertEqual(data.payload, [7])
    peer.send(seq: 1003, ack: iss + 2, flags: .ack)
    XCTAssertTrue(peer.run(for: .seconds(1)).isEmpty)
    peer.abortAndCheckEmpty(handle)
  }
}
