/// The readings one appliance publishes in one request, oldest first.
public struct ReadingBatch: Equatable, Sendable {
  /// The most readings one batch may carry, so one request stays small.
  public static let maximumReadings = 5000

  /// The publishing appliance, for example `plant-pot`.
  public var applianceID: String
  /// Readings in strictly increasing `sequence` order.
  public var readings: [Reading]

  /// A batch; `problem()` checks it before it is trusted.
  public init(applianceID: String, readings: [Reading]) {
    self.applianceID = applianceID
    self.readings = readings
  }

  /// A message naming the first thing wrong with the batch, or nil when it is valid.
  public func problem() -> String? {
    guard Identifier.isValid(applianceID) else {
      return "appliance id must be 1-64 characters of a-z, 0-9, '.', '_' or '-'"
    }
    guard readings.count <= Self.maximumReadings else {
      return
        "a batch holds at most \(Self.maximumReadings) readings, this one has \(readings.count)"
    }
    var previousSequence: UInt64 = 0
    for (index, reading) in readings.enumerated() {
      if let problem = reading.problem(forAppliance: applianceID) {
        return "readings[\(index)]: \(problem)"
      }
      guard reading.sequence > previousSequence else {
        return "readings[\(index)]: seq must increase within a batch"
      }
      previousSequence = reading.sequence
    }
    return nil
  }
}
