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

  func testBucketsSummariseReadingsOnWholeMultiplesOfTheirWidth() throws {
    var index = SensorIndex()
    // Readings every 20 s from second 10 to 190 of `reading`'s origin, a whole multiple of
    // 50 s since the epoch: 50 s buckets start at its seconds 0, 50, 100 and 150.
    let readings = (0..<10).map { (step: Int64) -> Reading in
      reading("pot.soil", UInt64(step + 1), value: Double(step), atSecond: 10 + 20 * step)
    }
    index.insert(readings, applianceID: "pot", receivedAt: receivedAt)
    let all = try XCTUnwrap(
      index.buckets(
        of: "pot.soil", since: .minimum, until: .maximum, width: .seconds(50), limit: 100))
    XCTAssertFalse(all.isTruncated)
    XCTAssertEqual(
      all.buckets.map(\.start), [0, 50, 100, 150].map { reading("x.y", 1, atSecond: $0).time })
    XCTAssertEqual(all.buckets.map(\.count), [2, 3, 2, 3])
    XCTAssertEqual(all.buckets.map(\.mean), [0.5, 3, 5.5, 8])
    XCTAssertEqual(all.buckets.map(\.minimum), [0, 2, 5, 7])
    XCTAssertEqual(all.buckets.map(\.maximum), [1, 4, 6, 9])

    // The limit keeps the most recent buckets; the range cuts readings, not bucket edges.
    let recent = try XCTUnwrap(
      index.buckets(
        of: "pot.soil", since: readings[4].time, until: .maximum, width: .seconds(50), limit: 2))
    XCTAssertTrue(recent.isTruncated)
    XCTAssertEqual(recent.buckets.map(\.count), [2, 3])
    let window = try XCTUnwrap(
      index.buckets(
        of: "pot.soil", since: readings[4].time, until: readings[5].time, width: .seconds(50),
        limit: 2))
    XCTAssertFalse(window.isTruncated)
    XCTAssertEqual(window.buckets.map(\.mean), [4, 5])
    XCTAssertEqual(
      index.buckets(
        of: "pot.soil", since: .maximum, until: .maximum, width: .seconds(1), limit: 1)?.buckets,
      [])
    XCTAssertNil(
      index.buckets(
        of: "pot.nothing", since: .minimum, until: .maximum, width: .seconds(1), limit: 1))
  }

  func testBucketsBefore1970StartOnWholeMultiplesToo() throws {
    var index = SensorIndex()
    let early = Reading(
      sensorID: "pot.soil", quantity: "soil_moisture", unit: "%", value: 3,
      time: UTCTime(millisecondsSinceEpoch: -1500), sequence: 1)
    index.insert([early], applianceID: "pot", receivedAt: receivedAt)
    let found = try XCTUnwrap(
      index.buckets(of: "pot.soil", since: .minimum, until: .maximum, width: .seconds(1), limit: 1))
    XCTAssertEqual(found.buckets.map(\.start), [UTCTime(millisecondsSinceEpoch: -2000)])
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
