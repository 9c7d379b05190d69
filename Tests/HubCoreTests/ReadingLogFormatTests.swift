import HubCore
import XCTest

final class ReadingLogFormatTests: XCTestCase {
  private let payloads: [[UInt8]] = [Array("first".utf8), [], Array("third record".utf8)]

  private func log(_ payloads: [[UInt8]]) -> [UInt8] {
    ReadingLogFormat.magic + payloads.flatMap { ReadingLogFormat.record(payload: $0) }
  }

  func testRecordLayoutIsLengthChecksumPayload() {
    // CRC-32 of "abc" is 0x352441C2.
    XCTAssertEqual(
      ReadingLogFormat.record(payload: Array("abc".utf8)),
      [3, 0, 0, 0, 0xC2, 0x41, 0x24, 0x35] + Array("abc".utf8))
  }

  func testScansWhatWasWritten() throws {
    let scan = try ReadingLogFormat.scan(log(payloads))
    XCTAssertEqual(scan.payloads.map(Array.init), payloads)
    XCTAssertEqual(scan.validLength, log(payloads).count)
    XCTAssertEqual(scan.tornTailLength, 0)
    XCTAssertEqual(try ReadingLogFormat.scan([]).validLength, 0)
  }

  func testEveryTruncationIsATornTailNotAnError() throws {
    let whole = log(payloads)
    let lastRecordStart = whole.count - ReadingLogFormat.record(payload: payloads[2]).count
    for length in (lastRecordStart + 1)..<whole.count {
      let scan = try ReadingLogFormat.scan(Array(whole[..<length]))
      XCTAssertEqual(scan.payloads.count, 2, "cut at \(length)")
      XCTAssertEqual(scan.validLength, lastRecordStart)
      XCTAssertEqual(scan.tornTailLength, length - lastRecordStart)
    }
    for length in 1..<ReadingLogFormat.magic.count {
      let scan = try ReadingLogFormat.scan(Array(whole[..<length]))
      XCTAssertEqual(scan.validLength, 0)
      XCTAssertEqual(scan.tornTailLength, length)
    }
  }

  func testDamagedLastRecordIsTornButDamageBeforeItIsCorruption() throws {
    var tail = log(payloads)
    tail[tail.count - 1] ^= 0xFF
    let scan = try ReadingLogFormat.scan(tail)
    XCTAssertEqual(scan.payloads.count, 2)
    XCTAssertGreaterThan(scan.tornTailLength, 0)

    var middle = log(payloads)
    let firstPayloadOffset = ReadingLogFormat.magic.count + ReadingLogFormat.recordHeaderLength
    middle[firstPayloadOffset] ^= 0x01
    XCTAssertThrowsError(try ReadingLogFormat.scan(middle)) { error in
      XCTAssertEqual(
        error as? ReadingLogError,
        .corruptRecord(offset: ReadingLogFormat.magic.count, reason: "checksum mismatch"))
    }
  }

  func testRejectsOtherFilesAndImpossibleLengths() {
    XCTAssertThrowsError(try ReadingLogFormat.scan(Array("{\"not\":\"a log\"}".utf8))) {
      XCTAssertEqual($0 as? ReadingLogError, .notALog)
    }
    let hugeLength = ReadingLogFormat.magic + [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0] + [1, 2, 3]
    XCTAssertThrowsError(try ReadingLogFormat.scan(hugeLength)) { error in
      guard case .corruptRecord(let offset, _) = error as? ReadingLogError else {
        return XCTFail("\(error)")
      }
      XCTAssertEqual(offset, 8)
    }
  }
}
