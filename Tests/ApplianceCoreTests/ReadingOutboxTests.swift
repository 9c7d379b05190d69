import ApplianceCore
import Readings
import RecordLog
import Time
import XCTest

private func reading(_ sequence: UInt64, sensor: String = "soil", value: Double? = nil) -> Reading {
  Reading(
    sensorID: "pot.\(sensor)", quantity: "soil_moisture", unit: "%",
    value: value ?? Double(sequence),
    time: UTCTime(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(sequence) * 1000),
    sequence: sequence)
}

/// The outbox rebuilt from a log file's bytes, as an appliance does at start.
private func rebuilt(from file: [UInt8], capacity: Int) throws -> (ReadingOutbox, RecordLogScan) {
  let scan = try RecordLogFormat.outboxLog.scan(file)
  var outbox = ReadingOutbox(capacity: capacity)
  for record in scan.records { try outbox.replay(record) }
  return (outbox, scan)
}

/// An outbox whose log is kept in memory, as a platform keeps it in a file.
private struct LoggedOutbox {
  var outbox: ReadingOutbox
  var log = RecordLogFormat.outboxLog.magic

  init(capacity: Int) {
    outbox = ReadingOutbox(capacity: capacity)
  }

  mutating func writeLog() {
    log += outbox.takeUnwrittenLog()
  }
}

final class ReadingOutboxTests: XCTestCase {
  func testRecordsRoundTripAndReadAsJSON() throws {
    let records: [OutboxRecord] = [
      .added(OutboxEntry(reading: reading(1))),
      .downsampled(earlierSequence: 1, merged: OutboxEntry(reading: reading(3), sampleCount: 2)),
      .delivered(throughSequence: 3),
      .rejected(throughSequence: 9),
    ]
    for record in records {
      XCTAssertEqual(try OutboxRecord(payload: record.payload()), record)
    }
    XCTAssertEqual(String(decoding: records[2].payload(), as: UTF8.self), #"{"delivered":3}"#)
    XCTAssertThrowsError(try OutboxRecord(payload: Array(#"{"forgotten":3}"#.utf8)))
    XCTAssertThrowsError(try OutboxRecord(payload: Array(#"{"delivered":0}"#.utf8)))
    XCTAssertThrowsError(try OutboxRecord(payload: Array(#"{"delivered":1,"rejected":2}"#.utf8)))
  }

  func testReplayRebuildsWhatWaits() throws {
    var logged = LoggedOutbox(capacity: 100)
    for sequence in 1...5 { logged.outbox.add(reading(UInt64(sequence)), protectedCount: 0) }
    logged.outbox.deliver(through: 2)
    logged.outbox.add(reading(6), protectedCount: 0)
    logged.outbox.reject(through: 3)
    logged.writeLog()
    let (outbox, scan) = try rebuilt(from: logged.log, capacity: 100)
    XCTAssertEqual(scan.tornTailLength, 0)
    XCTAssertEqual(outbox.entries, logged.outbox.entries)
    XCTAssertEqual(outbox.entries.map(\.reading.sequence), [4, 5, 6])
    XCTAssertEqual(outbox.lastSequence, 6)
    XCTAssertEqual(outbox.deliveredSequence, 2)
    XCTAssertEqual(outbox.logRecordCount, logged.outbox.logRecordCount)
  }

  func testAFullOutboxHalvesRawReadingsOldestFirstBeforeAveragingAverages() {
    var outbox = ReadingOutbox(capacity: 4)
    for sequence in 1...4 { outbox.add(reading(UInt64(sequence)), protectedCount: 0) }
    outbox.add(reading(5), protectedCount: 0)  // 1 goes into 2
    outbox.add(reading(6), protectedCount: 0)  // 3 goes into 4
    XCTAssertEqual(outbox.entries.map(\.reading.sequence), [2, 4, 5, 6])
    XCTAssertEqual(outbox.entries.map(\.sampleCount), [2, 2, 1, 1])
    outbox.add(reading(7), protectedCount: 0)  // 5 into 6: raw readings go before averages
    XCTAssertEqual(outbox.entries.map(\.sampleCount), [2, 2, 2, 1])
    outbox.add(reading(8), protectedCount: 0)  // 7 is the only raw one left with no partner
    XCTAssertEqual(outbox.entries.map(\.reading.sequence), [4, 6, 7, 8])
    XCTAssertEqual(outbox.entries.map(\.sampleCount), [4, 2, 1, 1])
    XCTAssertEqual(outbox.entries[0].reading.value, 2.5, "the mean of samples 1 to 4")
    XCTAssertEqual(outbox.downsampledCount, 4)
    XCTAssertEqual(outbox.entries.reduce(0) { $0 + $1.sampleCount }, 8, "no sample lost")
  }

  func testDownsamplingPairsOneSensorAndSparesTheBatchThatIsOut() {
    var outbox = ReadingOutbox(capacity: 6)
    let sensors = ["soil", "air", "soil", "air", "soil", "air"]
    for (index, sensor) in sensors.enumerated() {
      outbox.add(reading(UInt64(index + 1), sensor: sensor), protectedCount: 0)
    }
    outbox.add(reading(7, sensor: "soil"), protectedCount: 2)
    // 1 and 2 are in a request; the oldest raw reading after them is 3 (soil), merged into 5.
    XCTAssertEqual(outbox.entries.map(\.reading.sequence), [1, 2, 4, 5, 6, 7])
    XCTAssertEqual(outbox.entries[3].reading.sensorID, "pot.soil")
    XCTAssertEqual(outbox.entries[3].reading.value, 4)
    XCTAssertEqual(outbox.entries[3].sampleCount, 2)
  }

  /// A log that a crash cut at any byte rebuilds the outbox as it was after the last whole
  /// record: a prefix of the history, with no reading twice and none out of order.
  func testEveryTruncationRebuildsAPrefixOfTheHistory() throws {
    var logged = LoggedOutbox(capacity: 6)
    // After each change: the log's length and the outbox's entries.
    var history: [(length: Int, entries: [OutboxEntry])] = [(logged.log.count, [])]
    func changed() {
      logged.writeLog()
      history.append((logged.log.count, logged.outbox.entries))
    }
    var sequence: UInt64 = 0
    for round in 0..<4 {
      for sensor in ["soil", "air", "soil"] {
        sequence += 1
        logged.outbox.add(reading(sequence, sensor: sensor), protectedCount: round % 2)
        changed()
      }
      if round % 3 == 2 {
        logged.outbox.deliver(through: sequence - 4)
        changed()
      }
    }
    logged.outbox.reject(through: sequence - 1)
    changed()
    XCTAssertGreaterThan(logged.outbox.downsampledCount, 0, "the history includes merges")

    let file = logged.log
    for length in 0...file.count {
      let (outbox, scan) = try rebuilt(from: Array(file[..<length]), capacity: 6)
      XCTAssertEqual(scan.validLength + scan.tornTailLength, length)
      let sequences = outbox.entries.map(\.reading.sequence)
      XCTAssertEqual(sequences, sequences.sorted(), "in order, cut at \(length)")
      XCTAssertEqual(Set(sequences).count, sequences.count, "none twice, cut at \(length)")
      XCTAssertLessThanOrEqual(outbox.lastSequence, sequence)
      // Where the cut falls after a whole change, the outbox is exactly as it was then.
      if let change = history.last(where: { $0.length <= max(scan.validLength, 8) }),
        change.length == scan.validLength
      {
        XCTAssertEqual(outbox.entries, change.entries, "cut at \(length)")
      }
    }
  }

  func testDamageBeforeTheEndIsReportedWithItsOffset() throws {
    var logged = LoggedOutbox(capacity: 10)
    for sequence in 1...3 { logged.outbox.add(reading(UInt64(sequence)), protectedCount: 0) }
    logged.writeLog()
    var file = logged.log
    let firstPayload = RecordLogFormat.magicLength + RecordLogFormat.recordHeaderLength
    file[firstPayload + 3] ^= 0x20
    XCTAssertThrowsError(try rebuilt(from: file, capacity: 10)) { error in
      XCTAssertEqual(
        error as? RecordLogError,
        .corruptRecord(offset: RecordLogFormat.magicLength, reason: "checksum mismatch"))
    }
  }

  func testRecordsThatDoNotFitTheirPastAreRefused() throws {
    let magic = RecordLogFormat.outboxLog.magic
    let added = OutboxRecord.added(OutboxEntry(reading: reading(5))).logRecord()
    let backwards = OutboxRecord.added(OutboxEntry(reading: reading(4))).logRecord()
    XCTAssertThrowsError(try rebuilt(from: magic + added + backwards, capacity: 10)) { error in
      guard case .unreadablePayload(let offset, _) = error as? RecordLogError else {
        return XCTFail("\(error)")
      }
      XCTAssertEqual(offset, magic.count + added.count)
    }
    let strayMerge = OutboxRecord.downsampled(
      earlierSequence: 3, merged: OutboxEntry(reading: reading(5), sampleCount: 2))
    XCTAssertThrowsError(try rebuilt(from: magic + added + strayMerge.logRecord(), capacity: 10))
    XCTAssertThrowsError(try rebuilt(from: Array("LOAMLOG1".utf8), capacity: 10)) { error in
      XCTAssertEqual(error as? RecordLogError, .notALog(expectedMagic: "LOAMOBX1"))
    }
  }

  func testCompactionKeepsWhatWaitsOnceHistoryDominates() throws {
    var logged = LoggedOutbox(capacity: 100)
    var sequence: UInt64 = 0
    while !logged.outbox.needsCompaction {
      sequence += 1
      logged.outbox.add(
        reading(sequence, sensor: sequence % 2 == 0 ? "soil" : "air"), protectedCount: 0)
      if sequence % 10 == 0 { logged.outbox.deliver(through: sequence - 3) }
      logged.writeLog()
    }
    XCTAssertGreaterThanOrEqual(
      logged.outbox.logRecordCount, ReadingOutbox.compactionMinimumRecordCount)
    let waiting = logged.outbox.entries
    let compacted = logged.outbox.compact()
    XCTAssertLessThan(compacted.count, logged.log.count / 10)
    XCTAssertEqual(logged.outbox.logRecordCount, waiting.count)
    XCTAssertFalse(logged.outbox.needsCompaction)
    let (outbox, _) = try rebuilt(from: compacted, capacity: 100)
    XCTAssertEqual(outbox.entries, waiting)
    XCTAssertEqual(outbox.lastSequence, waiting.last?.reading.sequence)
  }
}
