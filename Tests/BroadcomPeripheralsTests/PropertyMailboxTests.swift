import BoardSupport
import BroadcomPeripherals
import XCTest

/// The VideoCore's side of the mailbox: it takes a request's bus address, answers in the buffer
/// as the firmware does, and posts the same value back.
private final class FirmwareModel: RegisterBlock {
  let buffer: UnsafeMutablePointer<UInt32>
  let busAddress: UInt32
  var answers: [UInt32: [UInt32]] = [:]
  private var pending: UInt32?

  init(buffer: UnsafeMutablePointer<UInt32>, busAddress: UInt32) {
    self.buffer = buffer
    self.busAddress = busAddress
  }

  func read(_ offset: Int) -> UInt32 {
    switch offset {
    case 0x18: return pending == nil ? 1 << 30 : 0  // mailbox 0 empty?
    case 0x38: return 0  // mailbox 1 never full
    case 0x00:
      defer { pending = nil }
      return pending ?? 0
    default: return 0
    }
  }

  func write(_ offset: Int, _ value: UInt32) {
    XCTAssertEqual(offset, 0x20, "requests go to mailbox 1")
    XCTAssertEqual(value, busAddress | 8, "the buffer's bus address on the property channel")
    buffer[1] = 0x8000_0000
    var index = 2
    while buffer[index] != 0 {
      let valueWords = Int(buffer[index + 1]) / 4
      if let answer = answers[buffer[index]] {
        buffer[index + 2] = 0x8000_0000 | UInt32(answer.count * 4)
        for (offset, word) in answer.enumerated() { buffer[index + 3 + offset] = word }
      }
      index += 3 + valueWords
    }
    pending = value
  }
}

final class PropertyMailboxTests: XCTestCase {
  func testARequestsWordsFollowThePropertyInterface() {
    let message = PropertyMessage(tags: [.boardRevision, .clockRate(clockID: 4)])
    XCTAssertEqual(
      message.requestWords,
      [12 * 4, 0, 0x0001_0002, 4, 0, 0, 0x0003_0002, 8, 0, 4, 0, 0])
  }

  func testTheMailboxCarriesARequestAndReadsEachTagsAnswer() throws {
    let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    defer { buffer.deallocate() }
    let firmware = FirmwareModel(buffer: buffer, busAddress: 0xC000_8000)
    firmware.answers[0x0001_0002] = [0x00a0_2082]  // a Pi 3 Model B, revision 1.2
    firmware.answers[0x0003_0002] = [4, 250_000_000]
    var cleaned = 0
    var invalidated = 0
    let mailbox = PropertyMailbox(
      registers: firmware, buffer: buffer, bufferWords: 64, busAddress: 0xC000_8000,
      cleanCache: { _ in cleaned += 1 }, invalidateCache: { _ in invalidated += 1 })
    let values = try mailbox.request(
      PropertyMessage(tags: [.boardRevision, .clockRate(clockID: 4), .serialNumber]))
    XCTAssertEqual(values.count, 3)
    XCTAssertEqual(values[0], [0x00a0_2082])
    XCTAssertEqual(values[1], [4, 250_000_000])
    XCTAssertNil(values[2], "the firmware did not answer the serial number")
    XCTAssertEqual(
      [cleaned, invalidated], [1, 1], "the buffer goes out of and back into the cache")
  }

  func testARefusedBufferIsAnError() {
    let message = PropertyMessage(tags: [.boardModel])
    var answer = message.requestWords
    answer[1] = 0x8000_0001
    XCTAssertThrowsError(try message.responseValues(from: answer)) {
      XCTAssertEqual($0 as? PropertyMailboxError, .firmwareRefused(code: 0x8000_0001))
    }
    XCTAssertThrowsError(try message.responseValues(from: Array(answer.dropLast()))) {
      XCTAssertEqual($0 as? PropertyMailboxError, .malformedResponse)
    }
  }

  func testAMailboxThatNeverStopsAnsweringSomethingElseEndsTheWait() {
    // Found by PropertyMailboxFuzzTests: mailbox 0 is never empty and holds only values that
    // are not this request's answer (all zeros: channel 0, address 0). Skipping them counted no
    // poll, so the wait never ended.
    final class ChatteringMailbox: RegisterBlock {
      func read(_ offset: Int) -> UInt32 { 0 }
      func write(_ offset: Int, _ value: UInt32) {}
    }
    let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: 8)
    defer { buffer.deallocate() }
    let mailbox = PropertyMailbox(
      registers: ChatteringMailbox(), buffer: buffer, bufferWords: 8, busAddress: 0xC000_8000,
      cleanCache: { _ in }, invalidateCache: { _ in })
    XCTAssertThrowsError(try mailbox.request(PropertyMessage(tags: [.boardModel]))) {
      XCTAssertEqual($0 as? PropertyMailboxError, .noAnswer)
    }
  }

  func testTheVideoCoreSeesTheFirstGigabyteThroughItsUncachedAlias() {
    XCTAssertEqual(busAddress(ofPhysical: 0x0008_1000), 0xC008_1000)
  }
}
