import Net
import XCTest

final class TCPCongestionControlTests: XCTestCase {
  private let segment = 1000

  /// A sender with 10 segments in flight from sequence 1000 up to 11000.
  private func sender() -> TCPCongestionControl {
    TCPCongestionControl(maximumSegmentSize: segment)
  }

  private func duplicateAcknowledgements(
    _ count: Int, to control: inout TCPCongestionControl, at acknowledgement: UInt32 = 1000,
    highestSent: UInt32 = 11000, sack: Bool = false
  ) -> [TCPCongestionControl.Action] {
    (0..<count).map { _ in
      control.duplicateAcknowledgement(
        acknowledgement: SequenceNumber(acknowledgement),
        highestSent: SequenceNumber(highestSent),
        flightSize: Int(highestSent - acknowledgement), sackRecovery: sack)
    }
  }

  func testInitialWindowFollowsRFC6928() {
    XCTAssertEqual(TCPCongestionControl(maximumSegmentSize: 1460).congestionWindow, 14600)
    XCTAssertEqual(TCPCongestionControl(maximumSegmentSize: 1000).congestionWindow, 10000)
    XCTAssertEqual(TCPCongestionControl(maximumSegmentSize: 500).congestionWindow, 5000)
    XCTAssertEqual(TCPCongestionControl(maximumSegmentSize: 9000).congestionWindow, 18000)
    XCTAssertEqual(sender().slowStartThreshold, TCPCongestionControl.maximumWindow)
    XCTAssertFalse(sender().isInRecovery)
  }

  func testSlowStartGrowsByBytesAcknowledgedUpToTwoSegments() {
    var control = sender()
    XCTAssertEqual(
      control.acknowledged(bytes: 1000, acknowledgement: SequenceNumber(2000), flightSize: 0),
      .none)
    XCTAssertEqual(control.congestionWindow, 11000)
    _ = control.acknowledged(bytes: 300, acknowledgement: SequenceNumber(2300), flightSize: 0)
    XCTAssertEqual(control.congestionWindow, 11300)
    // A stretch ACK of five segments counts as two (RFC 3465, L = 2 * SMSS).
    _ = control.acknowledged(bytes: 5000, acknowledgement: SequenceNumber(7300), flightSize: 0)
    XCTAssertEqual(control.congestionWindow, 13300)
  }

  /// Reaches congestion avoidance with cwnd = ssthresh = 10000 through a timeout.
  private func senderInCongestionAvoidance() -> TCPCongestionControl {
    var control = sender()
    control.retransmissionTimeout(highestSent: SequenceNumber(21000), flightSize: 20000)
    XCTAssertEqual(control.slowStartThreshold, 10000)
    XCTAssertEqual(control.congestionWindow, 1000)
    var acknowledgement: UInt32 = 1000
    for _ in 0..<9 {
      acknowledgement += 3000
      _ = control.acknowledged(
        bytes: 3000, acknowledgement: SequenceNumber(acknowledgement), flightSize: 0)
    }
    XCTAssertEqual(control.congestionWindow, 10000, "one segment per ACK after a timeout")
    return control
  }

  func testCongestionAvoidanceGrowsOneSegmentPerWindowAcknowledged() {
    var control = senderInCongestionAvoidance()
    var acknowledgement: UInt32 = 50000
    func acknowledgeSegments(_ count: Int) {
      for _ in 0..<count {
        acknowledgement += 1000
        _ = control.acknowledged(
          bytes: 1000, acknowledgement: SequenceNumber(acknowledgement), flightSize: 0)
      }
    }
    acknowledgeSegments(9)
    XCTAssertEqual(control.congestionWindow, 10000)
    acknowledgeSegments(1)
    XCTAssertEqual(control.congestionWindow, 11000)
    acknowledgeSegments(10)
    XCTAssertEqual(control.congestionWindow, 11000)
    acknowledgeSegments(1)
    XCTAssertEqual(control.congestionWindow, 12000)
  }

  func testRepeatedTimeoutKeepsTheThreshold() {
    var control = sender()
    control.retransmissionTimeout(highestSent: SequenceNumber(21000), flightSize: 20000)
    control.retransmissionTimeout(highestSent: SequenceNumber(21000), flightSize: 4000)
    XCTAssertEqual(control.slowStartThreshold, 10000)
    XCTAssertEqual(control.congestionWindow, 1000)
    _ = control.acknowledged(bytes: 1000, acknowledgement: SequenceNumber(2000), flightSize: 4000)
    control.retransmissionTimeout(highestSent: SequenceNumber(21000), flightSize: 3000)
    XCTAssertEqual(control.slowStartThreshold, 2000, "never below two segments")
  }

  func testFastRetransmitOnExactlyTheThirdDuplicateAcknowledgement() {
    var control = sender()
    XCTAssertEqual(duplicateAcknowledgements(2, to: &control), [.none, .none])
    XCTAssertEqual(control.congestionWindow, 10000)
    XCTAssertFalse(control.isInRecovery)
    XCTAssertEqual(duplicateAcknowledgements(1, to: &control), [.enteredRecovery])
    XCTAssertEqual(control.slowStartThreshold, 5000)
    XCTAssertEqual(control.congestionWindow, 8000, "ssthresh + 3 * SMSS")
    XCTAssertEqual(control.recoveryPoint, SequenceNumber(11000))
    XCTAssertEqual(control.duplicateAcknowledgements, 3)
  }

  func testNewRenoInflatesPartialAcknowledgementsDeflateAndFullOneExits() {
    var control = sender()
    _ = duplicateAcknowledgements(3, to: &control)
    XCTAssertEqual(duplicateAcknowledgements(2, to: &control), [.none, .none])
    XCTAssertEqual(control.congestionWindow, 10000)
    // Partial ACK of three segments: 10000 - 3000 + 1000.
    XCTAssertEqual(
      control.acknowledged(bytes: 3000, acknowledgement: SequenceNumber(4000), flightSize: 7000),
      .retransmitFirstUnacknowledged)
    XCTAssertEqual(control.congestionWindow, 8000)
    XCTAssertEqual(control.duplicateAcknowledgements, 0)
    // Less than a segment acknowledged: nothing added back.
    XCTAssertEqual(
      control.acknowledged(bytes: 500, acknowledgement: SequenceNumber(4500), flightSize: 6500),
      .retransmitFirstUnacknowledged)
    XCTAssertEqual(control.congestionWindow, 7500)
    XCTAssertTrue(control.isInRecovery)
    XCTAssertEqual(
      control.acknowledged(bytes: 6500, acknowledgement: SequenceNumber(11000), flightSize: 0),
      .exitedRecovery)
    XCTAssertFalse(control.isInRecovery)
    XCTAssertNil(control.recoveryPoint)
    XCTAssertEqual(control.congestionWindow, 2000, "min(ssthresh, max(FlightSize, SMSS) + SMSS)")
  }

  func testFullAcknowledgementWithDataInFlightRestoresTheThreshold() {
    var control = sender()
    _ = duplicateAcknowledgements(3, to: &control)
    XCTAssertEqual(
      control.acknowledged(bytes: 10500, acknowledgement: SequenceNumber(11500), flightSize: 6000),
      .exitedRecovery)
    XCTAssertEqual(control.congestionWindow, 5000)
  }

  func testSACKRecoveryNeitherInflatesNorDeflates() {
    var control = sender()
    XCTAssertEqual(duplicateAcknowledgements(3, to: &control, sack: true).last, .enteredRecovery)
    XCTAssertTrue(control.isSACKRecovery)
    XCTAssertEqual(control.congestionWindow, 5000)
    XCTAssertEqual(control.slowStartThreshold, 5000)
    _ = duplicateAcknowledgements(4, to: &control, sack: true)
    XCTAssertEqual(control.congestionWindow, 5000)
    XCTAssertEqual(
      control.acknowledged(bytes: 3000, acknowledgement: SequenceNumber(4000), flightSize: 7000),
      .none)
    XCTAssertEqual(control.congestionWindow, 5000)
    XCTAssertEqual(
      control.acknowledged(bytes: 7000, acknowledgement: SequenceNumber(11000), flightSize: 4000),
      .exitedRecovery)
    XCTAssertEqual(control.congestionWindow, 5000)
  }

  /// RFC 6582 section 4: duplicate ACKs for data sent before a timeout do not start a fast
  /// retransmit; once the acknowledgement passes `recover`, they do again.
  func testNoFastRetransmitForDuplicatesBelowRecoverAfterTimeout() {
    var control = sender()
    control.retransmissionTimeout(highestSent: SequenceNumber(11000), flightSize: 10000)
    XCTAssertEqual(control.lastLossPoint, SequenceNumber(11000))
    XCTAssertEqual(duplicateAcknowledgements(5, to: &control), Array(repeating: .none, count: 5))
    XCTAssertFalse(control.isInRecovery)
    XCTAssertEqual(control.slowStartThreshold, 5000)
    XCTAssertEqual(control.congestionWindow, 1000)
    _ = control.acknowledged(bytes: 11000, acknowledgement: SequenceNumber(12000), flightSize: 0)
    let actions = duplicateAcknowledgements(
      3, to: &control, at: 12000, highestSent: 20000)
    XCTAssertEqual(actions, [.none, .none, .enteredRecovery])
    XCTAssertEqual(control.recoveryPoint, SequenceNumber(20000))
  }

  func testDuplicatesAtTheEndOfTheLastRecoveryDoNotStartAnother() {
    var control = sender()
    _ = duplicateAcknowledgements(3, to: &control)
    _ = control.acknowledged(bytes: 10000, acknowledgement: SequenceNumber(11000), flightSize: 0)
    let actions = duplicateAcknowledgements(3, to: &control, at: 11000, highestSent: 15000)
    XCTAssertEqual(actions, [.none, .none, .none])
    XCTAssertFalse(control.isInRecovery)
  }

  func testEnterRecoveryOnlyOnce() {
    var control = sender()
    let enter = {
      (control: inout TCPCongestionControl) -> TCPCongestionControl.Action in
      control.enterRecovery(
        acknowledgement: SequenceNumber(1000), highestSent: SequenceNumber(11000),
        flightSize: 10000, sackRecovery: true)
    }
    XCTAssertEqual(enter(&control), .enteredRecovery)
    XCTAssertEqual(enter(&control), .none)
    XCTAssertEqual(control.slowStartThreshold, 5000)
  }

  func testRestartAfterIdleShrinksToTheInitialWindow() {
    var control = sender()
    var acknowledgement: UInt32 = 0
    for _ in 0..<10 {
      acknowledgement += 1000
      _ = control.acknowledged(
        bytes: 1000, acknowledgement: SequenceNumber(acknowledgement), flightSize: 0)
    }
    XCTAssertEqual(control.congestionWindow, 20000)
    control.restartAfterIdle(idle: .milliseconds(500), retransmissionTimeout: .seconds(1))
    XCTAssertEqual(control.congestionWindow, 20000)
    control.restartAfterIdle(idle: .seconds(2), retransmissionTimeout: .seconds(1))
    XCTAssertEqual(control.congestionWindow, 10000)
    control.retransmissionTimeout(highestSent: SequenceNumber(20000), flightSize: 4000)
    control.restartAfterIdle(idle: .seconds(2), retransmissionTimeout: .seconds(1))
    XCTAssertEqual(control.congestionWindow, 1000, "never grows the window")
  }
}
