import Readings
import Time

/// A reading as the hub keeps it: the measurement plus when the hub stored it.
public struct StoredReading: Equatable, Sendable {
  /// The appliance-wide sequence number the reading arrived with.
  public var sequence: UInt64
  /// When the sensor was read (appliance clock).
  public var time: UTCTime
  /// The measured value.
  public var value: Double
  /// When the hub accepted it (hub clock); late arrivals show how long an appliance buffered.
  public var receivedAt: UTCTime
}

/// The readings of one sensor in one stretch of time, summarised: what a chart of days needs
/// instead of every reading.
public struct ReadingBucket: Equatable, Sendable {
  /// The start of the bucket: a whole multiple of its width since the Unix epoch.
  public let start: UTCTime
  /// How many readings fell in it (at least one; empty buckets are left out).
  public private(set) var count = 1
  /// Their sum.
  public private(set) var sum: Double
  /// The lowest of them.
  public private(set) var minimum: Double
  /// The highest of them.
  public private(set) var maximum: Double

  /// A bucket starting at `start` holding one reading of `value`.
  public init(start: UTCTime, value: Double) {
    self.start = start
    sum = value
    minimum = value
    maximum = value
  }

  /// Their mean.
  public var mean: Double { sum / Double(count) }

  /// Counts in one more reading of `value`.
  public mutating func add(_ value: Double) {
    count += 1
    sum += value
    minimum = min(minimum, value)
    maximum = max(maximum, value)
  }
}

/// What the hub knows about one sensor.
public struct SensorRecord: Sendable {
  /// `<appliance>.<name>`.
  public var id: String
  /// The appliance that reports it.
  public var applianceID: String
  /// What it measures, from its most recent reading.
  public var quantity: String
  /// Its unit, from its most recent reading.
  public var unit: String
  /// Readings held in memory, sorted by `time` (ties keep arrival order).
  public internal(set) var readings: [StoredReading] = []
  /// Readings stored since the hub started, including any evicted from memory.
  public internal(set) var readingCount = 0

  /// The reading with the latest sensor time.
  public var latest: StoredReading? { readings.last }
}

/// The outcome of offering a batch to the index.
public struct BatchAcceptance: Equatable, Sendable {
  /// Readings that were new, in the order given.
  public var accepted: [Reading]
  /// How many readings had a sequence number at or below what was already stored.
  public var duplicateCount: Int
  /// The highest sequence number stored for the appliance after this batch: everything at or
  /// below it is safe at the hub, and the appliance may drop it from its outbox.
  public var acknowledgedSequence: UInt64
}

/// The hub's in-memory view of every sensor, rebuilt from the store at start.
///
/// Deduplication works per appliance: readings arrive in sequence order, so remembering the highest
/// stored sequence is enough to recognise a batch sent twice, at a cost of one integer an appliance.
public struct SensorIndex: Sendable {
  /// Readings kept in memory per sensor; older ones stay in the store but leave the index.
  public let maximumReadingsPerSensor: Int
  /// Sensors by id.
  public private(set) var sensors: [String: SensorRecord] = [:]
  /// The highest stored sequence number per appliance.
  public private(set) var acknowledgedSequences: [String: UInt64] = [:]
  /// Readings stored since start (the sum of every sensor's `readingCount`).
  public private(set) var readingCount = 0

  /// An empty index.
  public init(maximumReadingsPerSensor: Int = 100_000) {
    precondition(maximumReadingsPerSensor > 0)
    self.maximumReadingsPerSensor = maximumReadingsPerSensor
  }

  /// Splits a batch into new readings and duplicates without changing the index.
  /// A reading is new when its sequence is above the appliance's acknowledged sequence and above
  /// every earlier reading of the same batch.
  public func sortOut(_ batch: ReadingBatch) -> BatchAcceptance {
    var highest = acknowledgedSequences[batch.applianceID] ?? 0
    var accepted: [Reading] = []
    var duplicateCount = 0
    for reading in batch.readings {
      if reading.sequence > highest {
        highest = reading.sequence
        accepted.append(reading)
      } else {
        duplicateCount += 1
      }
    }
    assert(accepted.count + duplicateCount == batch.readings.count)
    return BatchAcceptance(
      accepted: accepted, duplicateCount: duplicateCount, acknowledgedSequence: highest)
  }

  /// Adds readings that `sortOut` accepted (and the store has made durable).
  public mutating func insert(_ readings: [Reading], applianceID: String, receivedAt: UTCTime) {
    for reading in readings {
      let previous = acknowledgedSequences[applianceID] ?? 0
      precondition(reading.sequence > previous, "insert only what sortOut accepted")
      acknowledgedSequences[applianceID] = reading.sequence
      let stored = StoredReading(
        sequence: reading.sequence, time: reading.time, value: reading.value,
        receivedAt: receivedAt)
      var record =
        sensors[reading.sensorID]
        ?? SensorRecord(
          id: reading.sensorID, applianceID: applianceID, quantity: reading.quantity,
          unit: reading.unit)
      sensors[reading.sensorID] = nil  // Keep the record uniquely referenced while it grows.
      record.quantity = reading.quantity
      record.unit = reading.unit
      insertSorted(stored, into: &record.readings)
      if record.readings.count > maximumReadingsPerSensor {
        record.readings.removeFirst(record.readings.count - maximumReadingsPerSensor)
      }
      record.readingCount += 1
      sensors[reading.sensorID] = record
      readingCount += 1
    }
  }

  /// Sensors sorted by id.
  public var sortedSensors: [SensorRecord] {
    sensors.values.sorted { $0.id < $1.id }
  }

  /// The number of distinct appliances that have reported.
  public var applianceCount: Int { acknowledgedSequences.count }

  /// The most recent `limit` readings of a sensor with `since <= time <= until`, oldest first, and
  /// whether older readings in the range were left out.
  public func readings(
    of sensorID: String, since: UTCTime, until: UTCTime, limit: Int
  ) -> (readings: ArraySlice<StoredReading>, isTruncated: Bool)? {
    precondition(limit > 0)
    guard let record = sensors[sensorID] else { return nil }
    let all = record.readings
    let lower = firstIndex(in: all) { $0.time >= since }
    let upper = firstIndex(in: all) { $0.time > until }
    guard lower < upper else { return (all[lower..<lower], false) }
    let start = max(lower, upper - limit)
    return (all[start..<upper], start > lower)
  }

  /// The most recent `limit` buckets of `width` holding readings of a sensor with
  /// `since <= time <= until`, oldest first, and whether older ones in the range were left out.
  /// Buckets start at whole multiples of `width` since the Unix epoch, so that the same reading
  /// always falls in the same bucket, whatever the range asked for.
  public func buckets(
    of sensorID: String, since: UTCTime, until: UTCTime, width: Duration, limit: Int
  ) -> (buckets: [ReadingBucket], isTruncated: Bool)? {
    precondition(limit > 0)
    let widthMilliseconds = width.millisecondsClamped
    precondition(widthMilliseconds > 0, "a bucket is at least a millisecond wide")
    guard let record = sensors[sensorID] else { return nil }
    let all = record.readings
    let lower = firstIndex(in: all) { $0.time >= since }
    let upper = firstIndex(in: all) { $0.time > until }
    guard lower < upper else { return ([], false) }
    // From the newest reading back, so that `limit` keeps the most recent buckets.
    var newestFirst: [ReadingBucket] = []
    for reading in all[lower..<upper].reversed() {
      let milliseconds = reading.time.millisecondsSinceEpoch
      // Rounded towards minus infinity, so that times before 1970 fall in whole buckets too.
      let remainder = milliseconds % widthMilliseconds
      let start = milliseconds - (remainder < 0 ? remainder + widthMilliseconds : remainder)
      if newestFirst.last?.start.millisecondsSinceEpoch == start {
        newestFirst[newestFirst.count - 1].add(reading.value)
      } else if newestFirst.count == limit {
        return (newestFirst.reversed(), true)
      } else {
        newestFirst.append(
          ReadingBucket(start: UTCTime(millisecondsSinceEpoch: start), value: reading.value))
      }
    }
    return (newestFirst.reversed(), false)
  }
}

/// Inserts keeping `time` order; readings nearly always arrive in order, so this is usually an append.
private func insertSorted(_ reading: StoredReading, into readings: inout [StoredReading]) {
  var index = readings.count
  while index > 0, readings[index - 1].time > reading.time { index -= 1 }
  readings.insert(reading, at: index)
}

/// The first index whose element satisfies `predicate`, which must be false then true along the
/// array (a partition point), found by binary search.
private func firstIndex(
  in readings: [StoredReading], where predicate: (StoredReading) -> Bool
) -> Int {
  var low = 0
  var high = readings.count
  while low < high {
    let middle = low + (high - low) / 2
    if predicate(readings[middle]) { high = middle } else { low = middle + 1 }
  }
  return low
}
