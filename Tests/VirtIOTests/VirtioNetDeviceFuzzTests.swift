import BoardSupport
import Randomness
import VirtIO
import XCTest

/// The simulated card's registers with some reads answered wrongly, as a faulty or hostile
/// device might answer them: zeros, all ones, a bit flipped, DEVICE_NEEDS_RESET, anything.
/// Writes reach the card unchanged.
private final class GarblingRegisters: RegisterBlock {
  let card: SimulatedVirtioNetDevice
  let probability: Double
  var random: SeededRandom
  /// Every configuration-space byte the driver read, as it read it.
  private(set) var configurationBytes: [UInt8] = []

  init(card: SimulatedVirtioNetDevice, probability: Double, seed: UInt64) {
    self.card = card
    self.probability = probability
    random = SeededRandom(seed: seed)
  }

  func read(_ offset: Int) -> UInt32 {
    let value = card.read(offset)
    guard random.chance(probability) else { return value }
    return [
      0, 1, 2, 0x40, 0xFFFF_FFFF, value ^ 1 << UInt32(random.next(below: 32)), value &+ 1,
      UInt32.random(in: 0...UInt32.max, using: &random),
    ].randomElement(using: &random)!
  }

  func readByte(_ offset: Int) -> UInt8 {
    var byte = card.readByte(offset)
    if random.chance(probability) { byte = UInt8.random(in: 0...255, using: &random) }
    configurationBytes.append(byte)
    return byte
  }

  func write(_ offset: Int, _ value: UInt32) { card.write(offset, value) }
}

/// Seeded fuzzing of what a virtio network card tells its driver: the used lengths and heads it
/// writes after filling or sending a buffer (any length, a head outside the queue, a used index
/// running ahead), what it writes over the descriptor tables, and its registers and
/// configuration space. Frames stay whole and inside their buffers, a card that breaks a queue
/// is told apart and brought back by a reset, and garbled registers end in the error they call
/// for or in a driver that keeps its bounds.
final class VirtioNetDeviceFuzzTests: XCTestCase {
  func testUsedLengthsAndHeadsTheCardMisreportsNeverEscapeTheBuffers() throws {
    var random = SeededRandom(seed: 0x7172_0003)
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant, receiveBufferCount: 4, transmitBufferCount: 4)
      var driver = try fixture.makeDriver()
      var frame: [UInt8] = []
      var resets = 0
      for step in 0..<300 {
        let context = "\(variant), step \(step)"
        let sent = testFrame(step, byteCount: Int.random(in: 16...1518, using: &random))
        let header = driver.headerByteCount
        fixture.card.deliver(sent)
        let dropped = driver.droppedFrameCount
        switch random.next(below: 10) {
        case 0, 1:
          // Any length: frames are whole Ethernet frames inside the buffer, or dropped.
          let length = [
            0, 1, header - 1, header, header + 13, header + 14, header + 1518, header + 1519,
            0xFFFF_FFFF, Int.random(in: 0...0xFFFF_FFFF, using: &random),
          ].randomElement(using: &random)!
          Self.patchLastUsedElement(fixture, queue: 0, field: 4, to: UInt32(length))
          if (header + 14...header + 1518).contains(length) {
            XCTAssertTrue(driver.receive(into: &frame), context)
            XCTAssertEqual(frame.count, length - header, context)
            XCTAssertEqual(frame.prefix(sent.count), sent.prefix(frame.count), context)
          } else {
            XCTAssertFalse(driver.receive(into: &frame), context)
            XCTAssertEqual(driver.droppedFrameCount, dropped + 1, context)
          }
        case 2, 3:
          // A head outside the queue, a used index running ahead, or a transmit head outside
          // its queue: the queue breaks, and a new driver brings the card back.
          let queue: Int
          switch random.next(below: 3) {
          case 0:
            queue = 0
            let size = UInt32(fixture.card.queues[0].size)
            Self.patchLastUsedElement(
              fixture, queue: 0, field: 0, to: UInt32.random(in: size...UInt32.max, using: &random))
          case 1:
            queue = 0
            Self.setUsedIndex(
              fixture, queue: 0,
              to: fixture.card.queues[0].usedIndex &+ UInt16.random(in: 5...0x8000, using: &random))
          default:
            queue = 1
            XCTAssertTrue(driver.receive(into: &frame), context)
            XCTAssertTrue(driver.transmit(frame: frame), context)
            Self.patchLastUsedElement(fixture, queue: 1, field: 0, to: 0xFFFF_FFFF)
            XCTAssertTrue(driver.hasFreeTransmitBuffer(), context)
            for _ in 0..<4 { _ = driver.transmit(frame: sent) }
            XCTAssertFalse(driver.hasFreeTransmitBuffer(), "\(context): the transmit queue broke")
          }
          XCTAssertFalse(driver.receive(into: &frame), context)
          XCTAssertThrowsError(try driver.acknowledgeInterrupt()) {
            XCTAssertEqual($0 as? VirtioError, .brokenQueue(queue: queue), context)
          }
          driver = try fixture.makeDriver()
          resets += 1
        default:
          XCTAssertTrue(driver.receive(into: &frame), context)
          XCTAssertEqual(frame, sent, context)
        }
        XCTAssertFalse(driver.receive(into: &frame), "\(context): one frame a step")
      }
      XCTAssertGreaterThan(resets, 30, "\(variant)")
    }
  }

  func testACardWritingOverItsDescriptorTablesGetsNoFrameFromOutsideABuffer() throws {
    var random = SeededRandom(seed: 0x7172_0006)
    for variant in CardVariant.allCases {
      let fixture = CardFixture(variant, receiveBufferCount: 4, transmitBufferCount: 4)
      var driver = try fixture.makeDriver()
      let receiveBuffers = Self.receiveBufferOffsets(fixture)
      var frame: [UInt8] = []
      for step in 0..<300 {
        let context = "\(variant), step \(step)"
        Self.writeOverDescriptors(fixture, pointingInto: receiveBuffers, using: &random)
        fixture.card.deliver(testFrame(step, byteCount: Int.random(in: 16...1518, using: &random)))
        while driver.receive(into: &frame) {
          // Whatever the card wrote where, the frame is the bytes after the header in one of
          // the driver's own receive buffers.
          XCTAssertTrue((14...1518).contains(frame.count), context)
          let start = driver.headerByteCount
          XCTAssertTrue(
            receiveBuffers.contains {
              frame.elementsEqual(fixture.memory.bytes[$0 + start..<$0 + start + frame.count])
            }, context)
        }
        // Neither queue is misled: the used rings stay right, every sent buffer comes back.
        XCTAssertNoThrow(try driver.acknowledgeInterrupt(), context)
        XCTAssertTrue(driver.transmit(frame: testFrame(step)), context)
      }
      XCTAssertGreaterThan(driver.receivedFrameCount, 200, "\(variant)")
    }
  }

  func testGarbledRegistersGiveTheirErrorOrADriverThatKeepsItsBounds() {
    var random = SeededRandom(seed: 0x7172_0004)
    var drivers = 0
    for round in 0..<400 {
      let variant = CardVariant.allCases.randomElement(using: &random)!
      let fixture = CardFixture(variant, receiveBufferCount: 4, transmitBufferCount: 4)
      let registers = GarblingRegisters(
        card: fixture.card, probability: [0.01, 0.05, 0.2].randomElement(using: &random)!,
        seed: random.next())
      let context = "round \(round), \(variant)"
      do throws(VirtioError) {
        var driver = try VirtioNetDevice(
          registers: registers, barrier: NoBarrier(), memory: fixture.memory.region,
          configuration: .init(receiveBufferCount: 4, transmitBufferCount: 4))
        drivers += 1
        // The MAC address is the configuration space's first six bytes as last read.
        if let macAddress = driver.macAddress {
          XCTAssertEqual(macAddress.array, Array(registers.configurationBytes.suffix(6)), context)
        }
        var frame: [UInt8] = []
        for number in 0..<8 {
          fixture.card.deliver(testFrame(number))
          _ = try? driver.acknowledgeInterrupt()
          while driver.receive(into: &frame) {
            XCTAssertTrue((14...1518).contains(frame.count), context)
          }
          if driver.hasFreeTransmitBuffer() { driver.transmit(frame: testFrame(number)) }
        }
      } catch {
        switch error {
        case .notVirtio(let magicValue): XCTAssertNotEqual(magicValue, 0x7472_6976, context)
        case .unsupportedVersion(let version): XCTAssertFalse([1, 2].contains(version), context)
        case .wrongDeviceType(let deviceID): XCTAssertFalse([0, 1].contains(deviceID), context)
        case .queueTooSmall(_, let maximumSize, let neededSize):
          XCTAssertLessThan(maximumSize, neededSize, context)
        case .brokenQueue: XCTFail("\(context): no queue breaks before it is used")
        default: break
        }
      }
    }
    XCTAssertGreaterThan(drivers, 100, "the garbling leaves drivers to exercise")
  }

  // MARK: - Writing over the card's rings

  /// Where the receive buffers start in the memory: the addresses of the chains the driver
  /// offered at start, read before anything wrote over them.
  private static func receiveBufferOffsets(_ fixture: CardFixture) -> [Int] {
    let queue = fixture.card.queues[0]
    return (0..<fixture.configuration.receiveBufferCount).map { slot in
      let head: UInt16 = load(fixture, at: queue.availableRing + 4 + 2 * UInt64(slot))
      let address: UInt64 = load(fixture, at: queue.descriptorTable + 16 * UInt64(head))
      return Int(address - TestDeviceMemory.physicalAddress)
    }
  }

  /// Overwrites one to four fields of descriptors of either queue, held by the card or free, as
  /// a faulty card might: any flags and lengths, links to the descriptor itself, another or one
  /// outside the table, and addresses at the start of a receive buffer or outside the memory.
  /// The card then reads and writes where its table says, but only ever inside the buffers, so
  /// the rings stay as the driver and card keep them.
  private static func writeOverDescriptors(
    _ fixture: CardFixture, pointingInto receiveBuffers: [Int], using random: inout SeededRandom
  ) {
    for _ in 0..<Int.random(in: 1...4, using: &random) {
      let queue = fixture.card.queues[Int(random.next(below: 2))]
      let descriptor = UInt16(random.next(below: UInt64(queue.size)))
      let address = queue.descriptorTable + 16 * UInt64(descriptor)
      switch random.next(below: 4) {
      case 0:
        let outside = [0, TestDeviceMemory.physicalAddress + UInt64(fixture.memory.bytes.count)]
        let inside = receiveBuffers.map { TestDeviceMemory.physicalAddress + UInt64($0) }
        store(fixture, (outside + inside).randomElement(using: &random)!, at: address)
      case 1: store(fixture, UInt32.random(in: 0...UInt32.max, using: &random), at: address + 8)
      case 2: store(fixture, UInt16.random(in: 0...UInt16.max, using: &random), at: address + 12)
      default:
        let next = [
          descriptor, UInt16(random.next(below: UInt64(queue.size))), UInt16(queue.size), 0xFFFF,
        ].randomElement(using: &random)!
        store(fixture, next, at: address + 14)
      }
    }
  }

  private static func load<Value: FixedWidthInteger>(
    _ fixture: CardFixture, at address: UInt64
  ) -> Value {
    Value(
      littleEndian: fixture.memory.bytes.loadUnaligned(
        fromByteOffset: Int(address - TestDeviceMemory.physicalAddress), as: Value.self))
  }

  private static func store<Value: FixedWidthInteger>(
    _ fixture: CardFixture, _ value: Value, at address: UInt64
  ) {
    fixture.memory.bytes.storeBytes(
      of: value.littleEndian, toByteOffset: Int(address - TestDeviceMemory.physicalAddress),
      as: Value.self)
  }

  /// The memory offset of queue `queue`'s used ring, where the card placed it.
  private static func usedRingOffset(_ fixture: CardFixture, queue: Int) -> Int {
    Int(fixture.card.queues[queue].usedRing - TestDeviceMemory.physicalAddress)
  }

  /// Overwrites field `field` (0: the head, 4: the length) of the used element the card wrote
  /// last in queue `queue`.
  private static func patchLastUsedElement(
    _ fixture: CardFixture, queue: Int, field: Int, to value: UInt32
  ) {
    let state = fixture.card.queues[queue]
    let slot = Int(state.usedIndex &- 1) % state.size
    fixture.memory.bytes.storeBytes(
      of: value.littleEndian,
      toByteOffset: usedRingOffset(fixture, queue: queue) + 4 + 8 * slot + field,
      as: UInt32.self)
  }

  private static func setUsedIndex(_ fixture: CardFixture, queue: Int, to index: UInt16) {
    fixture.memory.bytes.storeBytes(
      of: index.littleEndian, toByteOffset: usedRingOffset(fixture, queue: queue) + 2,
      as: UInt16.self)
  }
}
