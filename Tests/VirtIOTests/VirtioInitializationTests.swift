import BoardSupport
import Net
import VirtIO
import XCTest

/// Probing, the status handshake and feature negotiation against the simulated card
/// (VIRTIO 1.1 sections 2.1, 2.2, 3.1.1 and 4.2.3).
final class VirtioInitializationTests: XCTestCase {
  func testAnAddressWithoutTheMagicValueHoldsNoVirtioDevice() {
    let fixture = CardFixture(.modern)
    fixture.card.magicValue = 0xDEAD_BEEF
    XCTAssertEqual(fixture.initializationError(), .notVirtio(magicValue: 0xDEAD_BEEF))
    XCTAssertEqual(fixture.card.statusWrites, [])
  }

  func testAnUnknownTransportVersionIsRefused() {
    /// A device that shows the magic value and version 3.
    struct VersionThreeDevice: RegisterBlock {
      func read(_ offset: Int) -> UInt32 { offset == 0 ? 0x7472_6976 : 3 }
      func write(_ offset: Int, _ value: UInt32) { XCTFail("no writes to an unknown device") }
    }
    XCTAssertThrowsError(try VirtioMMIOTransport(registers: VersionThreeDevice())) { error in
      XCTAssertEqual(error as? VirtioError, .unsupportedVersion(3))
    }
  }

  func testAnEmptySlotIsLeftAloneAfterItsDeviceID() {
    let fixture = CardFixture(.legacy)
    fixture.card.deviceID = 0
    XCTAssertEqual(fixture.initializationError(), .emptySlot)
    XCTAssertEqual(fixture.card.registerReads, [0x000, 0x004, 0x008])
    XCTAssertEqual(fixture.card.statusWrites, [])
  }

  func testADeviceOfAnotherTypeIsRefusedBeforeAnyStatusWrite() {
    let fixture = CardFixture(.modern)
    fixture.card.deviceID = 2  // a block device
    XCTAssertEqual(fixture.initializationError(), .wrongDeviceType(deviceID: 2))
    XCTAssertEqual(fixture.card.statusWrites, [])
  }

  func testTheStatusHandshakeFollowsEachTransportsOrder() throws {
    // Reset, ACKNOWLEDGE, DRIVER, then FEATURES_OK on the modern transport only, DRIVER_OK.
    let expected: [CardVariant: [UInt32]] = [
      .legacy: [0, 1, 3, 7], .legacyWithoutAnyLayout: [0, 1, 3, 7], .modern: [0, 1, 3, 11, 15],
    ]
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant)
      let driver = try fixture.makeDriver()
      XCTAssertEqual(fixture.card.statusWrites, expected[variant], "\(variant)")
      XCTAssertEqual(driver.transport.version, variant.version)
      XCTAssertEqual(driver.transport.vendorID, 0x554D_4551)
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }

  func testTheModernDriverAcceptsOnlyTheMACAddressAndVersion1() throws {
    let fixture = CardFixture(.modern)
    let driver = try fixture.makeDriver()
    XCTAssertEqual(driver.features, [.networkMACAddress, .version1])
    XCTAssertEqual(fixture.card.acceptedFeatures, [.networkMACAddress, .version1])
    XCTAssertEqual(driver.headerByteCount, 12)
    XCTAssertEqual(driver.macAddress, MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, 0x56))
  }

  func testTheLegacyDriverAcceptsAnyLayoutButNeverVersion1() throws {
    let fixture = CardFixture(.legacy)
    fixture.card.offeredFeatures.insert(.version1)  // a confused device; 32 bits are read
    let driver = try fixture.makeDriver()
    XCTAssertEqual(driver.features, [.networkMACAddress, .anyLayout])
    XCTAssertEqual(driver.headerByteCount, 10)
    XCTAssertEqual(fixture.card.violations, [])
  }

  func testACardWithoutItsOwnAddressLeavesTheChoiceToThePlatform() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant)
      fixture.card.offeredFeatures.remove(.networkMACAddress)
      var driver = try fixture.makeDriver()
      XCTAssertNil(driver.macAddress)
      XCTAssertFalse(fixture.card.acceptedFeatures.contains(.networkMACAddress))
      XCTAssertFalse(fixture.card.registerReads.contains { $0 >= 0x100 }, "no config read")
      // The card works all the same.
      fixture.card.deliver(testFrame(1))
      var frame: [UInt8] = []
      XCTAssertTrue(driver.receive(into: &frame))
      XCTAssertEqual(frame, testFrame(1))
      XCTAssertEqual(fixture.card.violations, [])
    }
  }

  func testAModernCardWithoutVersion1IsRefusedAndMarkedFailed() {
    let fixture = CardFixture(.modern)
    fixture.card.offeredFeatures.remove(.version1)
    XCTAssertEqual(fixture.initializationError(), .requiredFeaturesMissing(.version1))
    XCTAssertTrue(fixture.card.deviceStatus.contains(.failed))
    XCTAssertFalse(fixture.card.deviceStatus.contains(.driverOK))
  }

  func testACardThatRefusesTheFeaturesIsMarkedFailed() {
    let fixture = CardFixture(.modern)
    fixture.card.refusesFeatures = true
    XCTAssertEqual(fixture.initializationError(), .featuresRefused)
    XCTAssertEqual(fixture.card.statusWrites, [0, 1, 3, 11, 3 | 128])
  }

  func testAQueueTooSmallForTheBuffersIsReported() {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant, receiveBufferCount: 16)
      fixture.card.queueNumMax = 8
      // Without ANY_LAYOUT each legacy buffer takes two descriptors.
      let neededSize = variant == .legacyWithoutAnyLayout ? 32 : 16
      XCTAssertEqual(
        fixture.initializationError(),
        .queueTooSmall(queue: 0, maximumSize: 8, neededSize: neededSize))
      XCTAssertTrue(fixture.card.deviceStatus.contains(.failed), "\(variant)")
    }
  }

  func testAMissingQueueIsReported() {
    let fixture = CardFixture(.legacy)
    fixture.card.queueNumMax = 0
    XCTAssertEqual(fixture.initializationError(), .queueUnavailable(queue: 0))
    XCTAssertTrue(fixture.card.deviceStatus.contains(.failed))
  }

  func testAResetThatNeverCompletesIsReported() {
    let fixture = CardFixture(.modern)
    fixture.card.isStuckInReset = true
    XCTAssertEqual(fixture.initializationError(), .resetDidNotComplete)
    XCTAssertEqual(fixture.card.statusWrites, [0])
  }

  func testACardWhoseStatusForgetsTheHandshakeDoesNotTrapTheDriver() throws {
    // Found by VirtioNetDeviceFuzzTests: a legacy network card whose status register reads 0
    // whatever was written to it. finishInitialization asserted that the status showed
    // ACKNOWLEDGE and DRIVER, a check of the device's word that stopped debug builds.
    struct ForgetfulDevice: RegisterBlock {
      func read(_ offset: Int) -> UInt32 {
        switch offset {
        case 0x000: return 0x7472_6976
        case 0x004, 0x008: return 1  // the legacy transport, a network card
        default: return 0
        }
      }
      func write(_ offset: Int, _ value: UInt32) {}
    }
    let transport = try VirtioMMIOTransport(registers: ForgetfulDevice())
    XCTAssertEqual(try transport.beginInitialization(supported: [], required: []), [])
    XCTAssertNoThrow(try transport.finishInitialization())
  }

  func testTheMACAddressIsReadAgainWhenTheConfigurationChangesMeanwhile() throws {
    let fixture = CardFixture(.modern)
    fixture.card.changesConfigurationDuringFirstRead = true
    let driver = try fixture.makeDriver()
    XCTAssertEqual(driver.macAddress, MACAddress(0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF))
    XCTAssertEqual(fixture.card.registerReads.filter { $0 == 0x0FC }.count, 4)
  }

  func testTheDefaultDriverNeedsSixtyFourKibibytes() {
    typealias Driver = VirtioNetDevice<SimulatedVirtioNetDevice, NoBarrier>
    // Two queues of 32 entries (8 KiB each, the used ring on its own page) and 32 buffers of
    // 1536 bytes.
    XCTAssertEqual(Driver.requiredMemoryByteCount(configuration: .init()), 65536)
    // A queue of 512 entries: the table and available ring on three pages, the used ring on two.
    XCTAssertEqual(
      Driver.requiredMemoryByteCount(
        configuration: .init(receiveBufferCount: 256, transmitBufferCount: 1)),
      5 * 4096 + 2 * 4096 + 257 * 1536)
  }

  func testTheDriverGivesTheDevicePhysicalAddressesInItsMemory() throws {
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant)
      _ = try fixture.makeDriver()
      let physicalStart = TestDeviceMemory.physicalAddress
      let physicalEnd = physicalStart + UInt64(fixture.memory.bytes.count)
      for queue in fixture.card.queues {
        XCTAssertEqual(queue.size, 16 * (variant == .legacyWithoutAnyLayout ? 2 : 1))
        XCTAssertEqual(queue.descriptorTable % 4096, 0)
        for address in [queue.descriptorTable, queue.availableRing, queue.usedRing] {
          XCTAssertTrue((physicalStart..<physicalEnd).contains(address), "\(variant)")
        }
      }
      XCTAssertEqual(fixture.card.violations, [], "\(variant)")
    }
  }
}
