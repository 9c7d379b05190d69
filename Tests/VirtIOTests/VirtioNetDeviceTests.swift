import VirtIO
import XCTest

/// Frames through the simulated card in both directions, on every kind of card (VIRTIO 1.1
/// sections 2.6 and 5.1.6).
final class VirtioNetDeviceTests: XCTestCase {
  func testAReceivedFrameComesOutWithoutItsVirtioHeader() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant)
      var driver = try fixture.makeDriver()
      var frame: [UInt8] = [0xEE]
      XCTAssertFalse(driver.receive(into: &frame), "nothing has arrived")
      XCTAssertEqual(frame, [0xEE])
      let sent = testFrame(7, byteCount: 1514)
      fixture.card.deliver(sent)
      XCTAssertTrue(driver.receive(into: &frame))
      XCTAssertEqual(frame, sent, "\(variant)")
      XCTAssertFalse(driver.receive(into: &frame))
      XCTAssertEqual(driver.receivedFrameCount, 1)
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }

  func testASentFrameGoesOutBehindAnAllZeroHeader() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant)
      var driver = try fixture.makeDriver()
      let frames = [testFrame(1, byteCount: 60), testFrame(2, byteCount: 1518)]
      for frame in frames { XCTAssertTrue(driver.transmit(frame: frame)) }
      XCTAssertEqual(fixture.card.sentFrames, frames, "\(variant)")
      XCTAssertEqual(fixture.card.notifications.filter { $0 == 1 }.count, 2)
      XCTAssertEqual(driver.transmittedFrameCount, 2)
      // The card checks the header is all zeros and split as the transport requires.
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }

  func testAFrameSliceIsSentAsItsBytes() throws {
    let fixture = CardFixture(.modern)
    var driver = try fixture.makeDriver()
    let frame = testFrame(3, byteCount: 100)
    XCTAssertTrue(driver.transmit(frame: frame[10..<90]))
    XCTAssertEqual(fixture.card.sentFrames, [Array(frame[10..<90])])
  }

  func testTheRingsWrapAroundOverThreeTimesTheirSize() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant, receiveBufferCount: 8, transmitBufferCount: 8)
      var driver = try fixture.makeDriver()
      let queueSize = fixture.card.queues[0].size
      var frame: [UInt8] = []
      var expectedSentFrames: [[UInt8]] = []
      for number in 0..<3 * queueSize + 5 {
        // A few frames at a time, so the rings are part full when they wrap.
        let burst = number % 3 + 1
        for offset in 0..<burst { fixture.card.deliver(testFrame(1000 * number + offset)) }
        for offset in 0..<burst {
          XCTAssertTrue(driver.receive(into: &frame))
          XCTAssertEqual(frame, testFrame(1000 * number + offset), "\(variant) \(number)")
          expectedSentFrames.append(testFrame(number + offset, byteCount: 64 + number))
          XCTAssertTrue(driver.transmit(frame: expectedSentFrames.last!))
        }
      }
      XCTAssertFalse(driver.receive(into: &frame))
      XCTAssertEqual(fixture.card.sentFrames, expectedSentFrames, "\(variant)")
      XCTAssertGreaterThan(Int(fixture.card.queues[0].usedIndex), 3 * queueSize)
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }

  func testTheSixteenBitRingIndicesWrap() throws {
    let fixture = CardFixture(.legacy, receiveBufferCount: 4, transmitBufferCount: 4)
    var driver = try fixture.makeDriver()
    var frame: [UInt8] = []
    let count = 65536 + 100
    for number in 0..<count {
      let sent = testFrame(number)
      fixture.card.deliver(sent)
      // One check per frame instead of three assertions keeps the 65,636 rounds quick.
      guard driver.receive(into: &frame), frame == sent, driver.transmit(frame: frame) else {
        return XCTFail("frame \(number) came out as \(frame)")
      }
    }
    XCTAssertEqual(fixture.card.queues[0].usedIndex, 100)
    XCTAssertEqual(fixture.card.queues[1].usedIndex, 100)
    XCTAssertEqual(fixture.card.sentFrames.count, count)
    XCTAssertEqual(fixture.card.sentFrames.last, testFrame(count - 1))
    XCTAssertEqual(fixture.card.violations, [])
  }

  func testFramesWaitForReceiveBuffersAndNoneIsLost() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant, receiveBufferCount: 4)
      var driver = try fixture.makeDriver()
      for number in 0..<10 { fixture.card.deliver(testFrame(number)) }
      XCTAssertEqual(fixture.card.waitingFrames.count, 6, "four buffers were offered")
      var frame: [UInt8] = []
      for number in 0..<10 {
        XCTAssertTrue(driver.receive(into: &frame))
        XCTAssertEqual(frame, testFrame(number), "\(variant)")
        // Each buffer offered again lets one waiting frame in, once the card is notified.
        XCTAssertEqual(fixture.card.waitingFrames.count, max(0, 6 - number - 1))
      }
      XCTAssertFalse(driver.receive(into: &frame))
      XCTAssertEqual(driver.receivedFrameCount, 10)
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }

  func testTransmitRefusesWhileTheCardHoldsEveryBufferAndResumesOnceItSends() throws {
    let fixture = CardFixture(.modern, transmitBufferCount: 4)
    fixture.card.completesTransmissionsImmediately = false
    var driver = try fixture.makeDriver()
    for number in 0..<4 { XCTAssertTrue(driver.transmit(frame: testFrame(number))) }
    XCTAssertFalse(driver.hasFreeTransmitBuffer())
    XCTAssertFalse(driver.transmit(frame: testFrame(4)))
    XCTAssertEqual(driver.transmittedFrameCount, 4)
    fixture.card.completeTransmissions()
    XCTAssertTrue(driver.hasFreeTransmitBuffer())
    XCTAssertTrue(driver.transmit(frame: testFrame(5)))
    fixture.card.completeTransmissions()
    XCTAssertEqual(fixture.card.sentFrames, [0, 1, 2, 3, 5].map { testFrame($0) })
    XCTAssertEqual(fixture.card.violations, [])
  }

  func testTheCardIsNotNotifiedWhileItSuppressesNotifications() throws {
    let fixture = CardFixture(.legacy)
    var driver = try fixture.makeDriver()
    fixture.card.completesTransmissionsImmediately = false
    fixture.card.suppressesNotifications = true
    let notificationsBefore = fixture.card.notifications
    for number in 0..<5 {
      fixture.card.deliver(testFrame(number))
      var frame: [UInt8] = []
      XCTAssertTrue(driver.receive(into: &frame))
      XCTAssertTrue(driver.transmit(frame: frame))
    }
    XCTAssertEqual(fixture.card.notifications, notificationsBefore)
    fixture.card.completeTransmissions()  // the card polls its rings instead
    XCTAssertEqual(fixture.card.sentFrames, (0..<5).map { testFrame($0) })
    fixture.card.suppressesNotifications = false
    XCTAssertTrue(driver.transmit(frame: testFrame(5)))
    XCTAssertEqual(fixture.card.notifications, notificationsBefore + [1])
  }

  func testInterruptsAreAcknowledged() throws {
    let fixture = CardFixture(.modern)
    let driver = try fixture.makeDriver()
    XCTAssertEqual(try driver.acknowledgeInterrupt(), [], "not this card's interrupt")
    fixture.card.deliver(testFrame(1))
    XCTAssertEqual(fixture.card.interruptStatus, 1)
    XCTAssertEqual(try driver.acknowledgeInterrupt(), .usedBuffer)
    XCTAssertEqual(fixture.card.interruptStatus, 0)
  }

  func testACardThatNeedsAResetSaysSoAndANewDriverBringsItBack() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant)
      let driver = try fixture.makeDriver()
      fixture.card.deliver(testFrame(1))
      fixture.card.raiseNeedsReset()
      XCTAssertThrowsError(try driver.acknowledgeInterrupt()) { error in
        XCTAssertEqual(error as? VirtioError, .deviceNeedsReset)
      }
      XCTAssertEqual(fixture.card.interruptStatus, 0, "both causes acknowledged")
      XCTAssertThrowsError(try driver.transport.checkStatus())
      _ = consume driver
      var newDriver = try fixture.makeDriver()
      XCTAssertNoThrow(try newDriver.transport.checkStatus())
      fixture.card.deliver(testFrame(2))
      var frame: [UInt8] = []
      XCTAssertTrue(newDriver.receive(into: &frame))
      XCTAssertEqual(frame, testFrame(2), "the frame before the reset is gone with it")
      XCTAssertTrue(newDriver.transmit(frame: frame))
      XCTAssertEqual(fixture.card.sentFrames, [testFrame(2)])
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }

  func testABufferTooShortForAFrameIsDroppedAndOfferedAgain() throws {
    let fixture = CardFixture(.modern, receiveBufferCount: 2)
    var driver = try fixture.makeDriver()
    fixture.card.deliver([1, 2, 3, 4, 5])
    fixture.card.deliver(testFrame(1))
    fixture.card.deliver(testFrame(2))
    var frame: [UInt8] = []
    XCTAssertTrue(driver.receive(into: &frame))
    XCTAssertEqual(frame, testFrame(1))
    XCTAssertTrue(driver.receive(into: &frame))
    XCTAssertEqual(frame, testFrame(2))
    XCTAssertFalse(driver.receive(into: &frame))
    XCTAssertEqual(driver.droppedFrameCount, 1)
    XCTAssertEqual(driver.receivedFrameCount, 2)
  }
}
