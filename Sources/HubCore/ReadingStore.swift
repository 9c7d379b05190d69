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

/// Why the store could not make a batch durable. The hub answers 503 and the appliance retries.
public struct ReadingStoreError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, for the log and the error response.
  public var description: String

  /// An error with a message a person can act on.
  public init(_ description: String) {
    self.description = description
  }
}

/// Where the hub keeps readings. `append` returns only once the batch is durable: the hub
/// acknowledges a batch to its appliance after this returns and never before.
///
/// Today's implementation is an append-only log file (`ReadingLogFormat`); the git-like
/// versioned store takes its place behind this protocol.
public protocol ReadingStore {
  /// A short name for health reports, such as `append-only-log`.
  var kind: String { get }
  /// Bytes the store occupies.
  var byteCount: Int { get }
  /// Makes `batch` durable.
  mutating func append(_ batch: AcceptedBatch) throws(ReadingStoreError)
}
