import RecordLog
import XCTest

final class RecordLogFormatTests: XCTestCase {
  private let format = RecordLogFormat(magic: "TESTLOG1")
  private let payloads: [[UInt8]] = [Array("first".utf8), [], Array("third record".utf8)]

  private func log(_ payloads: [[UInt8]]) -> [UInt8] {
    format.magic + payloads.flatMap { RecordLogFormat.record(payload: $0) }
  }

  func testRecordLayoutIsLengthChecksumPayload() {
    // CRC-32 of "abc" is 0x352441C2.
    XCTAssertEqual(
      RecordLogFormat.record(payload: Array("abc".utf8)),
      [3, 0, 0, 0, 0xC2, 0x41, 0x24, 0x35] + Array("abc".utf8))
  }

  func testScansWhatWasWritten() throws {
    let scan = try format.scan(log(payloads))
    XCTAssertEqual(scan.records.map(\.payload), payloads)
    XCTAssertEqual(scan.validLength, log(payloads).count)
    XCTAssertEqual(scan.tornTailLength, 0)
    XCTAssertEqual(try format.scan([]).validLength, 0)
  }

  func testEveryTruncationIsATornTailNotAnError() throws {
    let whole = log(payloads)
    let lastRecordStart = whole.count - RecordLogFormat.record(payload: payloads[2]).count
    for length in (lastRecordStart + 1)..<whole.count {
      let scan = try format.scan(Array(whole[..<length]))
      XCTAssertEqual(scan.records.count, 2, "cut at \(length)")
      XCTAssertEqual(scan.validLength, lastRecordStart)
      XCTAssertEqual(scan.tornTailLength, length - lastRecordStart)
    }
    for length in 1..<format.magic.count {
      let scan = try format.scan(Array(whole[..<length]))
      XCTAssertEqual(scan.validLength, 0)
      XCTAssertEqual(scan.tornTailLength, length)
    }
  }

  func testDamagedLastRecordIsTornButDamageBeforeItIsCorruption() throws {
    var tail = log(payloads)
    tail[tail.count - 1] ^= 0xFF
    let scan = try format.scan(tail)
    XCTAssertEqual(scan.records.count, 2)
    XCTAssertGreaterThan(scan.tornTailLength, 0)

    var middle = log(payloads)
    let firstPayloadOffset = format.magic.count + RecordLogFormat.recordHeaderLength
    middle[firstPayloadOffset] ^= 0x01
    XCTAssertThrowsError(try format.scan(middle)) { error in
      XCTAssertEqual(
        error as? RecordLogError,
        .corruptRecord(offset: format.magic.count, reason: "checksum mismatch"))
    }
  }

  func testReadingInPiecesOfAnySizeFindsTheSameRecords() throws {
    var damagedTail = log(payloads)
    damagedTail[damagedTail.count - 2] ^= 0x40
    for file in [log(payloads), Array(log(payloads).dropLast(3)), damagedTail] {
      let whole = try format.scan(file)
      for pieceLength in [1, 2, 7, 8, 9, 64] {
        var reader = RecordLogReader(format: format)
        var records: [RecordLogRecord] = []
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
    XCTAssertEqual(try format.scan(log(payloads)).records.map(\.offset), [8, 21, 29])
  }

  func testABadChecksumFollowedByMoreBytesIsCorruptionEvenAcrossPieces() throws {
    var file = log(payloads)
    file[format.magic.count + RecordLogFormat.recordHeaderLength] ^= 0x01
    let firstRecordEnd = format.magic.count + 8 + payloads[0].count
    var reader = RecordLogReader(format: format)
    XCTAssertEqual(try reader.read(file[..<firstRecordEnd]), [], "may still be a torn tail")
    XCTAssertEqual(reader.tornTailLength, firstRecordEnd - 8)
    XCTAssertThrowsError(try reader.read(file[firstRecordEnd...])) { error in
      XCTAssertEqual(
        error as? RecordLogError, .corruptRecord(offset: 8, reason: "checksum mismatch"))
    }
  }

  func testRejectsOtherFilesAndImpossibleLengths() {
    XCTAssertThrowsError(try format.scan(Array("{\"not\":\"a log\"}".utf8))) {
      XCTAssertEqual($0 as? RecordLogError, .notALog(expectedMagic: "TESTLOG1"))
    }
    let hugeLength = format.magic + [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0] + [1, 2, 3]
    XCTAssertThrowsError(try format.scan(hugeLength)) { error in
      guard case .corruptRecord(let offset, _) = error as? RecordLogError else {
        return XCTFail("\(error)")
      }
      XCTAssertEqual(offset, 8)
    }
  }
}
