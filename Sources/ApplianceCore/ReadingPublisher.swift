import HTTP
import JSON
import Randomness
import Readings
import Time

/// Settings of a `ReadingPublisher`.
public struct PublisherConfiguration: Sendable {
  /// Readings sent in one request.
  public var maximumBatchReadings = 200
  /// The wait after the first failure; it doubles with each further failure.
  public var initialRetryDelay = Duration.seconds(1)
  /// The longest wait between attempts.
  public var maximumRetryDelay = Duration.seconds(60)

  /// The defaults above.
  public init() {}
}

/// The appliance's side of publishing: readings wait in a durable outbox (`ReadingOutbox`), are
/// sent in batches to the hub, and leave the outbox only when the hub acknowledges them by
/// sequence number.
///
/// Sans-IO: the platform writes the outbox's log bytes (`takeUnwrittenLog()`) after each change
/// and makes those of new readings durable before it asks for a request: a reading is on disk
/// before it is offered to the hub, so a crash cannot lose a reading the hub has not stored. The
/// platform asks for the next request with `nextRequest(now:)`, carries it to the hub
/// however it can, and reports the answer with `handleResponse(_:now:)` or the failure with
/// `handleFailure(_:now:)`; a request that goes unanswered is the transport's to time out, and it
/// reports that as a failure. While the hub is unreachable the outbox fills and attempts back off
/// exponentially, with jitter so that appliances restarted together do not retry in step.
public struct ReadingPublisher {
  /// What happened to a finished attempt, for the platform's log.
  public enum Outcome: Equatable, Sendable {
    /// The hub stored (or already had) every reading up to `acknowledgedSequence`.
    case acknowledged(count: Int, acknowledgedSequence: UInt64)
    /// The hub refused the batch as invalid; its readings were dropped, since resending cannot help.
    case rejected(count: Int, message: String)
    /// The attempt failed; the readings stay and are retried after `retryDelay`.
    case willRetry(reason: String, retryDelay: Duration)
  }

  /// This appliance's id; readings must belong to it.
  public let applianceID: String
  /// The settings.
  public let configuration: PublisherConfiguration
  /// Readings not yet acknowledged, oldest first, and the log that keeps them.
  public private(set) var outbox: ReadingOutbox
  /// How many of the oldest outbox entries the request that is out carries.
  private var inFlightCount: Int?
  private var retryAt: Instant = .zero
  private var consecutiveFailures = 0
  private var random: SeededRandom

  /// A publisher for `applianceID` over `outbox` (empty, or rebuilt from its log); `seed`
  /// drives the retry jitter.
  public init(
    applianceID: String, outbox: ReadingOutbox, configuration: PublisherConfiguration = .init(),
    seed: UInt64
  ) {
    precondition(Identifier.isValid(applianceID))
    precondition(configuration.maximumBatchReadings >= 1)
    precondition(configuration.maximumBatchReadings <= ReadingBatch.maximumReadings)
    // Room to merge readings beside a batch that is out, which is never merged.
    precondition(outbox.capacity >= 2 * configuration.maximumBatchReadings)
    self.applianceID = applianceID
    self.outbox = outbox
    self.configuration = configuration
    self.random = SeededRandom(seed: seed)
  }

  /// Whether a request is out and not yet answered.
  public var isAwaitingResponse: Bool { inFlightCount != nil }

  /// Puts a reading in the outbox, downsampling older readings if it is full (see
  /// `ReadingOutbox`). Sequence numbers must increase. Write the log bytes and make them
  /// durable before the next `nextRequest`.
  public mutating func enqueue(_ reading: Reading) {
    // Readings in the request that is out are left alone: the hub may already have them.
    outbox.add(reading, protectedCount: inFlightCount ?? 0)
    assert(outbox.entries.count <= outbox.capacity)
  }

  /// The outbox log bytes of every change since the last call, for the platform to append.
  public mutating func takeUnwrittenLog() -> [UInt8] {
    outbox.takeUnwrittenLog()
  }

  /// Rewrites the outbox log when history dominates it (see `ReadingOutbox.compact()`); nil
  /// when it does not.
  public mutating func compactLogIfNeeded() -> [UInt8]? {
    outbox.needsCompaction ? outbox.compact() : nil
  }

  /// When the platform should call `nextRequest` again, if readings wait and no request is out.
  public var deadline: Instant? {
    inFlightCount == nil && !outbox.entries.isEmpty ? retryAt : nil
  }

  /// The next request for the hub, if readings wait and no attempt is out or backing off.
  public mutating func nextRequest(now: Instant) -> HTTPClientRequest? {
    precondition(outbox.unwrittenLog.isEmpty, "readings are offered only once they are logged")
    guard inFlightCount == nil, !outbox.entries.isEmpty, now >= retryAt else { return nil }
    let count = min(outbox.entries.count, configuration.maximumBatchReadings)
    let batch = ReadingBatch(
      applianceID: applianceID, readings: outbox.entries[..<count].map { $0.reading })
    inFlightCount = count
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: "application/json")
    return HTTPClientRequest(
      method: .post, target: "/api/v1/readings", headers: headers, body: batch.jsonBytes())
  }

  /// Takes the hub's answer to the request from `nextRequest`.
  public mutating func handleResponse(_ response: HTTPClientResponse, now: Instant) -> Outcome {
    guard let sentCount = inFlightCount else { preconditionFailure("a response without a request") }
    inFlightCount = nil
    switch response.status.code {
    case 200:
      guard let acknowledged = acknowledgedSequence(in: response.body) else {
        return retry("the hub's answer has no acknowledged_seq", now: now)
      }
      let before = outbox.entries.count
      if acknowledged > 0 { outbox.deliver(through: acknowledged) }
      consecutiveFailures = 0
      return .acknowledged(
        count: before - outbox.entries.count, acknowledgedSequence: acknowledged)
    case 400, 422:
      precondition(sentCount <= outbox.entries.count, "a batch that is out is never merged")
      outbox.reject(through: outbox.entries[sentCount - 1].reading.sequence)
      consecutiveFailures = 0
      return .rejected(count: sentCount, message: String(decoding: response.body, as: UTF8.self))
    default:
      return retry("the hub answered \(response.status)", now: now)
    }
  }

  /// Records that the request from `nextRequest` failed: no connection, reset, or no answer.
  public mutating func handleFailure(_ reason: String, now: Instant) -> Outcome {
    precondition(inFlightCount != nil, "a failure without a request")
    inFlightCount = nil
    return retry(reason, now: now)
  }

  private mutating func retry(_ reason: String, now: Instant) -> Outcome {
    consecutiveFailures += 1
    var delay = configuration.initialRetryDelay
    for _ in 1..<min(consecutiveFailures, 32) where delay < configuration.maximumRetryDelay {
      delay *= 2
    }
    delay = min(delay, configuration.maximumRetryDelay)
    // Up to a fifth earlier, so that appliances that failed together spread out.
    delay -= delay * (random.nextUnit() / 5)
    retryAt = now + delay
    return .willRetry(reason: reason, retryDelay: delay)
  }

  private func acknowledgedSequence(in body: [UInt8]) -> UInt64? {
    guard let document = try? JSONParser.parse(body),
      let acknowledged = document.objectValue?["acknowledged_seq"]?.int64Value,
      acknowledged >= 0
    else { return nil }
    return UInt64(acknowledged)
  }
}
