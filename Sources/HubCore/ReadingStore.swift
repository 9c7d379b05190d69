import Readings
import Time

/// Readings the hub accepted from one batch, as they are written to its store.
public struct AcceptedBatch: Equatable, Sendable {
  /// The publishing appliance.
  public var applianceID: String
  /// When the hub accepted the batch.
  public var receivedAt: UTCTime
  /// The new readings, in sequence order (duplicates already removed).
  public var readings: [Reading]

  /// A batch of accepted readings.
  public init(applianceID: String, receivedAt: UTCTime, readings: [Reading]) {
    self.applianceID = applianceID
    self.receivedAt = receivedAt
    self.readings = readings
  }
}

/// Why the store could not write a batch (the hub answers 503 and the appliance retries) or
/// could not make its writes durable (the hub stops; see `ReadingStore`).
public struct ReadingStoreError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, for the log and the error response.
  public var description: String

  /// An error with a message a person can act on.
  public init(_ description: String) {
    self.description = description
  }
}

/// Where the hub keeps readings.
///
/// Durability takes two steps, so that one flush can cover many batches (group commit):
/// `append` writes a batch, which need not be durable when it returns; `sync` returns only once
/// every batch appended before it is durable. The contract with the hub:
///
/// - A batch is acknowledged to its appliance only after a `sync` that began after its `append`
///   has returned. `HubService` answers a publish at once, and the platform holds every response
///   until it has called `HubService.makeAcceptedReadingsDurable()` (which calls `sync` if
///   `hasUnsyncedWrites`), once per batch of responses.
/// - If `sync` throws, what reached stable storage is unknown, and a second `sync` could succeed
///   without the data being there (Linux reports a failed write-back once). The platform then
///   sends none of the held responses and stops the hub; the appliances retry, and the
///   restarted hub replays what the store really holds. A store should refuse further use after
///   a failed `sync`.
/// - A failed `append` is answered with 503; batches appended before it are unaffected.
///
/// Today's implementation is an append-only log file (`RecordLogFormat.readingLog`); the git-like
/// versioned store takes its place behind this protocol.
public protocol ReadingStore {
  /// A short name for health reports, such as `append-only-log`.
  var kind: String { get }
  /// Bytes the store occupies.
  var byteCount: Int { get }
  /// Whether a batch was appended since the last successful `sync`.
  var hasUnsyncedWrites: Bool { get }
  /// Writes `batch`; it is durable once a later `sync` returns.
  mutating func append(_ batch: AcceptedBatch) throws(ReadingStoreError)
  /// Returns once every batch appended so far is durable.
  mutating func sync() throws(ReadingStoreError)
}
