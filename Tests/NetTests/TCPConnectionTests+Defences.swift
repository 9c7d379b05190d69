import Net
import Time
import XCTest

/// RFC 5961's defences against blind in-window attacks, and RFC 7323's PAWS, against a
/// hand-made peer.
final class TCPConnectionDefenceTests: XCTestCase {
  /// RFC 5961 section 3.2: a reset inside the window but not at RCV.NXT gets a challenge ACK
  /// and the connection lives; one exactly at RCV.NXT resets it.
  func testResetInTheWindowGetsAChallengeACKAndAnExactOneResets() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1101, flags: .rst, window: 0)
    let challenge = try peer.receivedOne()
    XCTAssertEqual(challenge.flags, .ack)
    XCTAssertEqual(challenge.sequence, iss + 1)
    XCTAssertEqual(challenge.acknowledgement, 1001)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.send(seq: 1001, flags: .rst, window: 0)
    XCTAssertTrue(peer.received().isEmpty, "a reset is not answered")
    let status = try XCTUnwrap(peer.interface.statusTCP(handle))
    XCTAssertEqual(status.state, .closed)
    XCTAssertEqual(status.error, .reset)
    XCTAssertThrowsError(try peer.interface.sendTCP(handle, [1], now: peer.now)) { error in
      XCTAssertEqual(error as? TCPSocketError, .connection(.reset))
    }
    peer.interface.closeTCP(handle, now: peer.now)
    peer.assertTablesEmpty()
  }

  /// RFC 5961 section 7: challenge ACKs are limited per second, so that a storm of forged
  /// resets gets a handful of replies; the next second brings a fresh allowance.
  func testChallengeACKsAreLimitedPerSecond() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, _) = try peer.establishPassive()
    let allowance = peer.interface.configuration.tcp.maximumChallengeAcknowledgementsPerSecond
    for offset in 0..<UInt32(allowance * 3) {
      peer.send(seq: 1101 + offset, flags: .rst, window: 0)
    }
    XCTAssertEqual(peer.received().count, allowance)
    _ = peer.run(for: .seconds(1))
    peer.send(seq: 1200, flags: .rst, window: 0)
    XCTAssertEqual(peer.received().count, 1, "a new second, a new allowance")
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 5961 section 3.2 and RFC 9293 section 3.10.7.4 (first check): a reset outside the
  /// window is dropped without an answer.
  func testResetOutsideTheWindowIsIgnored() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    peer.send(seq: 1000, flags: .rst, window: 0)
    peer.send(seq: 1001 + 70_000, flags: .rst, window: 0)
    peer.send(seq: 1000, ack: iss + 1, flags: .rst, window: 0)
    XCTAssertTrue(peer.received().isEmpty)
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 5961 section 4.2: a SYN in a synchronized state, in the window or not, gets a
  /// challenge ACK and never resets the connection.
  func testSYNInEstablishedGetsAChallengeACK() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    for sequence: UInt32 in [1001, 1500, 500_000] {
      peer.send(seq: sequence, flags: .syn, options: TCPOptions(maximumSegmentSize: 1460))
      let challenge = try peer.receivedOne()
      XCTAssertEqual(challenge.flags, .ack, "SYN at \(sequence)")
      XCTAssertEqual(challenge.sequence, iss + 1)
      XCTAssertEqual(challenge.acknowledgement, 1001)
    }
    XCTAssertEqual(peer.interface.statusTCP(handle)?.state, .established)
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: [7])
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 9, now: peer.now), [7])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 9293 section 3.10.7.4 (fifth check) and RFC 5961 section 5.2: a segment that
  /// acknowledges data never sent, or lies more than MAX.SND.WND behind SND.UNA, is answered
  /// with an ACK and dropped, data and all.
  func testAcknowledgementOfUnsentDataIsAnsweredAndDropped() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive()
    for ack in [iss + 1000, iss + 1 - 100_000] {
      peer.send(seq: 1001, ack: ack, flags: .psh, payload: [1, 2, 3])
      let answer = try peer.receivedOne()
      XCTAssertEqual(answer.flags, .ack)
      XCTAssertEqual(answer.sequence, iss + 1)
      XCTAssertEqual(answer.acknowledgement, 1001, "the data was not taken")
    }
    XCTAssertEqual(peer.interface.statusTCP(handle)?.readableBytes, 0)
    peer.send(seq: 1001, ack: iss + 1, flags: .psh, payload: [1, 2, 3])
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 9, now: peer.now), [1, 2, 3])
    peer.abortAndCheckEmpty(handle)
  }

  /// RFC 7323 section 5.3 (PAWS): a segment whose timestamp is older than TS.Recent is dropped
  /// and acknowledged, the ACK echoing TS.Recent.
  func testPAWSRejectsAnOldTimestamp() throws {
    var peer = TCPSegmentPeer()
    let (handle, _, iss) = try peer.establishPassive(options: TCPSegmentPeer.fullOptions())
    peer.send(
      seq: 1001, ack: iss + 1, flags: .psh,
      options: TCPOptions(timestamps: .init(value: 200, echoReply: 0)), payload: [1, 2])
    peer.send(
      seq: 1003, ack: iss + 1, flags: .psh,
      options: TCPOptions(timestamps: .init(value: 150, echoReply: 0)), payload: [3, 4])
    let answer = try peer.receivedOne()
    XCTAssertEqual(answer.acknowledgement, 1003, "the old segment's bytes are not taken")
    XCTAssertEqual(answer.header.options.timestamps?.echoReply, 200)
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 9, now: peer.now), [1, 2])
    peer.send(
      seq: 1003, ack: iss + 1, flags: .psh,
      options: TCPOptions(timestamps: .init(value: 201, echoReply: 0)), payload: [3, 4])
    XCTAssertEqual(try peer.interface.receiveTCP(handle, upTo: 9, now: peer.now), [3, 4])
    peer.abortAndCheckEmpty(handle)
  }
}
