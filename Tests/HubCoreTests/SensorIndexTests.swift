import HubCore
import Readings
import Time
import XCTest

func reading(
  _ sensor: String, _ sequence: UInt64, value: Double = 1, atSecond second: Int64 = 0
) -> Reading {
  Reading(
    sensorID: sensor, quantity: "soil_moisture", unit: "%", value: value,
    time: UTCTime(millisecondsSinceEpoch: 1_795_000_000_000 + second * 1000), sequence: sequence)
}

final class SensorIndexTests: XCTestCase {
  private let receivedAt = UTCTime(millisecondsSinceEpoch: 1_795_000_100_000)

  func testABatchSentTwiceIsStoredOnce() {
    var index = SensorIndex()
    let batch = ReadingBatch(
      applianceID: "pot", readings: [reading("pot.soil", 1), reading("pot.soil", 2, atSecond: 1)])
    let first = index.sortOut(batch)
    XCTAssertEqual(first.accepted.count, 2)
    XCTAssertEqual(first.acknowledgedSequence, 2)
    index.insert(first.accepted, applianceID: "pot", receivedAt: receivedAt)

    let again = index.sortOut(batch)
    XCTAssertEqual(again.accepted, [])
    XCTAssertEqual(again.duplicateCount, 2)
    XCTAssertEqual(again.acknowledgedSequence, 2)
    XCTAssertEqual(index.readingCount, 2)
  }

  func testOverlappingBatchStoresOnlyTheNewPart() {
    var index = SensorIndex()
    let first = index.sortOut(
      ReadingBatch(applianceID: "pot", readings: [reading("pot.soil", 5)]))
    index.insert(first.accepted, applianceID: "pot", receivedAt: receivedAt)
    let overlap = index.sortOut(
      ReadingBatch(
        applianceID: "pot",
        readings: [reading("pot.soil", 4), reading("pot.soil", 5), reading("pot.soil", 9)]))
    XCTAssertEqual(overlap.accepted.map(\.sequence), [9])
    XCTAssertEqual(overlap.duplicateCount, 2)
    // Other appliances have their own sequences.
    XCTAssertEqual(
      index.sortOut(ReadingBatch(applianceID: "fridge", readings: [reading("fridge.voc", 1)]))
        .accepted.count, 1)
  }

  func testRangeQueriesKeepTheMostRecentAndSayWhenTruncated() throws {
    var index = SensorIndex()
    let readings = (1...10).map {
      reading("pot.soil", UInt64($0), value: Double($0), atSecond: Int64($0))
    }
    index.insert(readings, applianceID: "pot", receivedAt: receivedAt)
    let all = try XCTUnwrap(
      index.readings(of: "pot.soil", since: .minimum, until: .maximum, limit: 100))
    XCTAssertEqual(all.readings.map(\.value), (1...10).map(Double.init))
    XCTAssertFalse(all.isTruncated)

    let recent = try XCTUnwrap(
      index.readings(of: "pot.soil", since: .minimum, until: .maximum, limit: 3))
    XCTAssertEqual(recent.readings.map(\.value), [8, 9, 10])
    XCTAssertTrue(recent.isTruncated)

    let window = try XCTUnwrap(
      index.readings(
        of: "pot.soil", since: readings[2].time, until: readings[4].time, limit: 100))
    XCTAssertEqual(window.readings.map(\.value), [3, 4, 5])
    XCTAssertNil(index.readings(of: "pot.nothing", since: .minimum, until: .maximum, limit: 1))
  }

  func testReadingsStaySortedByTimeWhenAClockStepsBack() throws {
    var index = SensorIndex()
    index.insert(
      [
        reading("pot.soil", 1, value: 1, atSecond: 10),
        reading("pot.soil", 2, value: 2, atSecond: 5),
      ],
      applianceID: "pot", receivedAt: receivedAt)
    let all = try XCTUnwrap(
      index.readings(of: "pot.soil", since: .minimum, until: .maximum, limit: 10))
    XCTAssertEqual(all.readings.map(\.value), [2, 1])
    XCTAssertEqual(index.sensors["pot.soil"]?.latest?.value, 1)
  }

  func testMemoryPerSensorIsBoundedButCountsStayTrue() {
    var index = SensorIndex(maximumReadingsPerSensor: 4)
    index.insert(
      (1...10).map { reading("pot.soil", UInt64($0), atSecond: Int64($0)) }, applianceID: "pot",
      receivedAt: receivedAt)
    XCTAssertEqual(index.sensors["pot.soil"]?.readings.count, 4)
    XCTAssertEqual(index.sensors["pot.soil"]?.readingCount, 10)
    XCTAssertEqual(index.readingCount, 10)
  }
}
