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
    XCTAssertEqual(scan.records.map(\.payload), payloads)
    XCTAssertEqual(scan.validLength, log(payloads).count)
    XCTAssertEqual(scan.tornTailLength, 0)
    XCTAssertEqual(try ReadingLogFormat.scan([]).validLength, 0)
  }

  func testEveryTruncationIsATornTailNotAnError() throws {
    let whole = log(payloads)
    let lastRecordStart = whole.count - ReadingLogFormat.record(payload: payloads[2]).count
    for length in (lastRecordStart + 1)..<whole.count {
      let scan = try ReadingLogFormat.scan(Array(whole[..<length]))
      XCTAssertEqual(scan.records.count, 2, "cut at \(length)")
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
    XCTAssertEqual(scan.records.count, 2)
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

  func testReadingInPiecesOfAnySizeFindsTheSameRecords() throws {
    var damagedTail = log(payloads)
    damagedTail[damagedTail.count - 2] ^= 0x40
    for file in [log(payloads), Array(log(payloads).dropLast(3)), damagedTail] {
      let whole = try ReadingLogFormat.scan(file)
      for pieceLength in [1, 2, 7, 8, 9, 64] {
        var reader = ReadingLogReader()
        var records: [ReadingLogRecord] = []
        var start = 0
        while start < file.count {
          records += try reader.read(file[start..<min(start + pieceLength, file.count)])
          start += pieceLength
        }
        XCTAssertEqual(records, whole.records, "pieces of \(pieceLength)")
        XCTAssertEqual(reader.validLength, whole.validLength)
        XCTAssertEqual(reader.tornTailLength, whole.tornTailLength)
      }
    }
    XCTAssertEqual(try ReadingLogFormat.scan(log(payloads)).records.map(\.offset), [8, 21, 29])
  }

  func testABadChecksumFollowedByMoreBytesIsCorruptionEvenAcrossPieces() throws {
    var file = log(payloads)
    file[ReadingLogFormat.magic.count + ReadingLogFormat.recordHeaderLength] ^= 0x01
    let firstRecordEnd = ReadingLogFormat.magic.count + 8 + payloads[0].count
    var reader = ReadingLogReader()
    XCTAssertEqual(try reader.read(file[..<firstRecordEnd]), [], "may still be a torn tail")
    XCTAssertEqual(reader.tornTailLength, firstRecordEnd - 8)
    XCTAssertThrowsError(try reader.read(file[firstRecordEnd...])) { error in
      XCTAssertEqual(
        error as? ReadingLogError, .corruptRecord(offset: 8, reason: "checksum mismatch"))
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
