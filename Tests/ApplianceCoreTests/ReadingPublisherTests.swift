import ApplianceCore
import HTTP
import JSON
import Readings
import Time
import XCTest

private func reading(_ sequence: UInt64) -> Reading {
  Reading(
    sensorID: "pot.soil", quantity: "soil_moisture", unit: "%", value: Double(sequence),
    time: UTCTime(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(sequence)), sequence: sequence)
}

private func acknowledgement(_ sequence: UInt64) -> HTTPClientResponse {
  HTTPClientResponse(
    status: .ok, body: Array(#"{"accepted":1,"duplicates":0,"acknowledged_seq":\#(sequence)}"#.utf8)
  )
}

private func sequences(in request: HTTPClientRequest) throws -> [UInt64] {
  let batch = try ReadingBatch(jsonBytes: request.body)
  XCTAssertEqual(batch.applianceID, "pot")
  return batch.readings.map(\.sequence)
}

extension ReadingPublisher {
  /// The next request, after writing the log as a platform does.
  fileprivate mutating func loggedRequest(now: Instant) -> HTTPClientRequest? {
    _ = takeUnwrittenLog()
    return nextRequest(now: now)
  }
}

final class ReadingPublisherTests: XCTestCase {
  private var configuration: PublisherConfiguration {
    var configuration = PublisherConfiguration()
    configuration.maximumBatchReadings = 4
    return configuration
  }

  /// A publisher over an empty outbox of `capacity` readings, whose log bytes are taken (as a
  /// platform writes them) after each change.
  private func publisher(capacity: Int = 10, seed: UInt64 = 1) -> ReadingPublisher {
    ReadingPublisher(
      applianceID: "pot", outbox: ReadingOutbox(capacity: capacity), configuration: configuration,
      seed: seed)
  }

  func testSendsInBatchesAndDropsOnlyWhatIsAcknowledged() throws {
    var publisher = publisher()
    for sequence in 1...6 { publisher.enqueue(reading(UInt64(sequence))) }
    let first = try XCTUnwrap(publisher.loggedRequest(now: .zero))
    XCTAssertEqual(first.method, .post)
    XCTAssertEqual(first.target, "/api/v1/readings")
    XCTAssertEqual(try sequences(in: first), [1, 2, 3, 4])
    XCTAssertNil(publisher.loggedRequest(now: .zero), "one request at a time")

    // The hub stored only part of it (say, a concurrent retry had stored up to 2).
    XCTAssertEqual(
      publisher.handleResponse(acknowledgement(2), now: .zero),
      .acknowledged(count: 2, acknowledgedSequence: 2))
    let second = try XCTUnwrap(publisher.loggedRequest(now: .zero))
    XCTAssertEqual(try sequences(in: second), [3, 4, 5, 6])
    _ = publisher.handleResponse(acknowledgement(6), now: .zero)
    XCTAssertTrue(publisher.outbox.entries.isEmpty)
    XCTAssertNil(publisher.deadline)
  }

  func testBacksOffExponentiallyWithJitterAndKeepsTheReadings() throws {
    var publisher = ReadingPublisher(
      applianceID: "pot", outbox: ReadingOutbox(capacity: 10_000), seed: 7)
    publisher.enqueue(reading(1))
    var now = Instant.zero
    var previousDelay = Duration.zero
    for attempt in 1...10 {
      XCTAssertNotNil(publisher.loggedRequest(now: now), "attempt \(attempt)")
      guard case .willRetry(_, let delay) = publisher.handleFailure("refused", now: now) else {
        return XCTFail("a failure must retry")
      }
      let nominal = min(Duration.seconds(1 << (attempt - 1)), .seconds(60))
      XCTAssertLessThanOrEqual(delay, nominal)
      XCTAssertGreaterThanOrEqual(delay, nominal * 0.8)
      if attempt > 1, nominal < .seconds(60) { XCTAssertGreaterThan(delay, previousDelay) }
      previousDelay = delay
      XCTAssertNil(publisher.loggedRequest(now: now + (delay - .milliseconds(1))), "too early")
      now = try XCTUnwrap(publisher.deadline)
    }
    XCTAssertEqual(publisher.outbox.entries.count, 1)
    XCTAssertNotNil(publisher.loggedRequest(now: now))
    _ = publisher.handleResponse(acknowledgement(1), now: now)
    XCTAssertTrue(publisher.outbox.entries.isEmpty)
  }

  func testServerErrorsRetryButInvalidBatchesAreDropped() throws {
    var publisher = publisher()
    publisher.enqueue(reading(1))
    _ = publisher.loggedRequest(now: .zero)
    guard
      case .willRetry = publisher.handleResponse(
        HTTPClientResponse(status: .serviceUnavailable), now: .zero)
    else {
      return XCTFail("503 must be retried")
    }
    XCTAssertEqual(publisher.outbox.entries.count, 1)
    let later = try XCTUnwrap(publisher.deadline)
    _ = publisher.loggedRequest(now: later)
    guard
      case .rejected(let count, _) = publisher.handleResponse(
        HTTPClientResponse(status: .badRequest), now: later)
    else {
      return XCTFail("400 means resending cannot help")
    }
    XCTAssertEqual(count, 1)
    XCTAssertTrue(publisher.outbox.entries.isEmpty)
  }

  func testAFullOutboxDownsamplesTheOldestUnsentAndCountsThem() throws {
    var publisher = publisher()
    for sequence in 1...10 { publisher.enqueue(reading(UInt64(sequence))) }
    let request = try XCTUnwrap(publisher.loggedRequest(now: .zero))
    XCTAssertEqual(try sequences(in: request), [1, 2, 3, 4])
    publisher.enqueue(reading(11))
    publisher.enqueue(reading(12))
    XCTAssertEqual(publisher.outbox.downsampledCount, 2)
    // The in-flight readings 1-4 are kept (the hub may already have them); 5 went into 6 and
    // 7 into 8, as their means.
    let entries = publisher.outbox.entries
    XCTAssertEqual(entries.map(\.reading.sequence), [1, 2, 3, 4, 6, 8, 9, 10, 11, 12])
    XCTAssertEqual(entries.map(\.sampleCount), [1, 1, 1, 1, 2, 2, 1, 1, 1, 1])
    XCTAssertEqual(entries[4].reading.value, 5.5)
    XCTAssertEqual(entries[5].reading.value, 7.5)
  }

  func testARequestWaitsUntilTheReadingsAreLogged() throws {
    var publisher = publisher()
    publisher.enqueue(reading(1))
    XCTAssertFalse(publisher.outbox.unwrittenLog.isEmpty)
    XCTAssertFalse(publisher.takeUnwrittenLog().isEmpty)
    XCTAssertTrue(publisher.outbox.unwrittenLog.isEmpty)
    XCTAssertNotNil(publisher.nextRequest(now: .zero))
  }

  func testAnAnswerWithoutAcknowledgementIsRetried() {
    var publisher = publisher()
    publisher.enqueue(reading(1))
    _ = publisher.loggedRequest(now: .zero)
    guard
      case .willRetry = publisher.handleResponse(
        HTTPClientResponse(status: .ok, body: Array("{}".utf8)), now: .zero)
    else {
      return XCTFail("an unreadable acknowledgement proves nothing was stored")
    }
    XCTAssertEqual(publisher.outbox.entries.count, 1)
  }
}
