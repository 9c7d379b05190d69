import Readings
import RecordLog

/// An appliance's readings that the hub has not acknowledged yet, oldest first, kept so that a
/// restart or a crash loses none of them.
///
/// Sans-IO: every change appends the record that describes it (`OutboxRecord`) to
/// `unwrittenLog`, and the platform appends those bytes to the outbox log file
/// (`RecordLogFormat.outboxLog`) with `takeUnwrittenLog()`. A new reading must be durable in
/// the log before it is offered to the hub (`ReadingPublisher` checks that the bytes were
/// taken); acknowledgements need not be, since an acknowledgement lost in a crash only makes
/// the appliance send readings again, which the hub recognises by sequence number and stores
/// once. At start the platform replays the log front to back with `replay(_:)`.
///
/// The outbox holds at most `capacity` entries. When a reading arrives at a full outbox, two
/// readings of one sensor are merged into their mean (`OutboxEntry.merging`): the oldest entry
/// that stands for the fewest samples, into the next entry of its sensor. Raw readings are
/// therefore halved, oldest first, before any average is averaged again, and nothing is ever
/// silently dropped: every merge is a log record and is counted in `downsampledCount`.
///
/// The log grows with every change, so it is rewritten (`compact()`) once it holds more than
/// twice as many records as there are entries, that is once history dominates it.
public struct ReadingOutbox {
  /// The most entries the outbox holds.
  public let capacity: Int
  /// Readings waiting, in sequence order.
  public private(set) var entries: [OutboxEntry] = []
  /// The highest sequence number that ever entered the outbox; new readings must be above it.
  public private(set) var lastSequence: UInt64 = 0
  /// The highest sequence number the hub acknowledged.
  public private(set) var deliveredSequence: UInt64 = 0
  /// Merges made by this outbox since it was rebuilt (not those replayed from the log).
  public private(set) var downsampledCount = 0
  /// Records in the outbox log, including those not yet taken from `unwrittenLog`.
  public private(set) var logRecordCount = 0
  /// Log bytes (records) that describe changes the platform has not yet written.
  public private(set) var unwrittenLog: [UInt8] = []

  /// A log shorter than this is never compacted: rewriting it would cost more than it saves.
  public static let compactionMinimumRecordCount = 1024

  /// An empty outbox of `capacity` entries, over a log holding only its magic.
  public init(capacity: Int) {
    precondition(capacity >= 2, "an outbox that cannot hold a pair cannot downsample")
    self.capacity = capacity
  }

  // MARK: - Changes, each written to the log

  /// Adds a newly sampled reading, first merging two older readings if the outbox is full.
  /// The first `protectedCount` entries are in a request to the hub and are not merged.
  public mutating func add(_ reading: Reading, protectedCount: Int) {
    precondition(reading.sequence > lastSequence, "sequence numbers must increase")
    precondition(protectedCount >= 0 && protectedCount <= entries.count)
    while entries.count >= capacity {
      guard let pair = downsamplingPair(after: protectedCount) else {
        preconditionFailure("a full outbox with no two readings of one sensor to merge")
      }
      let merged = OutboxEntry.merging(entries[pair.earlier], into: entries[pair.later])
      record(.downsampled(earlierSequence: entries[pair.earlier].reading.sequence, merged: merged))
      downsampledCount += 1
    }
    record(.added(OutboxEntry(reading: reading)))
    assert(entries.count <= capacity)
    assert(entries.last?.reading == reading)
  }

  /// Removes every reading the hub acknowledged, up to `sequence`.
  public mutating func deliver(through sequence: UInt64) {
    precondition(sequence >= 1)
    record(.delivered(throughSequence: sequence))
    assert(entries.first.map { $0.reading.sequence > sequence } ?? true)
  }

  /// Removes the readings of a batch the hub refused as invalid, up to `sequence`.
  public mutating func reject(through sequence: UInt64) {
    precondition(sequence >= 1)
    record(.rejected(throughSequence: sequence))
    assert(entries.first.map { $0.reading.sequence > sequence } ?? true)
  }

  /// Hands the log bytes of every change so far to the platform to append.
  public mutating func takeUnwrittenLog() -> [UInt8] {
    defer { unwrittenLog = [] }
    return unwrittenLog
  }

  // MARK: - Compaction

  /// Whether the log is mostly history: records of readings that have left the outbox.
  public var needsCompaction: Bool {
    logRecordCount >= Self.compactionMinimumRecordCount && logRecordCount > 2 * entries.count
  }

  /// A whole new log holding only what waits, one `added` record an entry. The platform writes
  /// it to a new file and renames it over the old one; if that fails, the old log is still
  /// whole and the platform keeps appending to it.
  public mutating func compact() -> [UInt8] {
    precondition(unwrittenLog.isEmpty, "write the log before compacting it")
    var log = RecordLogFormat.outboxLog.magic
    for entry in entries {
      log += OutboxRecord.added(entry).logRecord()
    }
    logRecordCount = entries.count
    return log
  }

  // MARK: - Replay

  /// Applies one record of the log, in log order, when the outbox is rebuilt at start. A record
  /// that cannot be read, or does not fit what came before (a sequence number going backwards,
  /// a merge of readings that are not there), is an error naming its offset: the log was not
  /// written by this code, and skipping the record could lose readings.
  public mutating func replay(_ logRecord: RecordLogRecord) throws(RecordLogError) {
    let change: OutboxRecord
    do throws(OutboxRecordError) {
      change = try OutboxRecord(payload: logRecord.payload)
    } catch {
      throw .unreadablePayload(offset: logRecord.offset, reason: "\(error)")
    }
    if let misfit = misfit(of: change) {
      throw .unreadablePayload(offset: logRecord.offset, reason: misfit)
    }
    apply(change)
    logRecordCount += 1
  }

  /// Why `change` cannot follow the records replayed so far, or nil when it can.
  private func misfit(of change: OutboxRecord) -> String? {
    switch change {
    case .added(let entry):
      guard entry.reading.sequence > lastSequence else {
        return "sequence number \(entry.reading.sequence) after \(lastSequence)"
      }
    case .downsampled(let earlierSequence, let merged):
      guard let earlier = index(of: earlierSequence),
        let later = index(of: merged.reading.sequence),
        earlier < later, entries[earlier].reading.sensorID == merged.reading.sensorID,
        entries[later].reading.sensorID == merged.reading.sensorID
      else {
        return "a merge of \(earlierSequence) into \(merged.reading.sequence), which are not "
          + "two waiting readings of one sensor"
      }
    case .delivered, .rejected:
      break
    }
    return nil
  }

  // MARK: - Private

  /// Applies `change` and appends its record to `unwrittenLog`.
  private mutating func record(_ change: OutboxRecord) {
    let countBefore = unwrittenLog.count
    unwrittenLog += change.logRecord()
    logRecordCount += 1
    apply(change)
    assert(unwrittenLog.count > countBefore + RecordLogFormat.recordHeaderLength)
  }

  /// The one place the entries change, shared by new changes and replay.
  private mutating func apply(_ change: OutboxRecord) {
    switch change {
    case .added(let entry):
      assert(entry.reading.sequence > lastSequence)
      entries.append(entry)
      lastSequence = entry.reading.sequence
    case .downsampled(let earlierSequence, let merged):
      guard let earlier = index(of: earlierSequence), let later = index(of: merged.reading.sequence)
      else { preconditionFailure("merging readings that are not waiting") }
      entries[later] = merged
      entries.remove(at: earlier)
    case .delivered(let sequence):
      removeEntries(through: sequence)
      deliveredSequence = max(deliveredSequence, sequence)
    case .rejected(let sequence):
      removeEntries(through: sequence)
    }
  }

  private mutating func removeEntries(through sequence: UInt64) {
    var count = 0
    while count < entries.count, entries[count].reading.sequence <= sequence { count += 1 }
    entries.removeFirst(count)
  }

  /// The index of the entry with `sequence`, by binary search (entries are in sequence order).
  private func index(of sequence: UInt64) -> Int? {
    var low = 0
    var high = entries.count
    while low < high {
      let middle = low + (high - low) / 2
      if entries[middle].reading.sequence < sequence { low = middle + 1 } else { high = middle }
    }
    return low < entries.count && entries[low].reading.sequence == sequence ? low : nil
  }

  /// The entries to merge next: among entries from `start` on that have a later entry of the
  /// same sensor, the oldest of those standing for the fewest samples, and that later entry.
  private func downsamplingPair(after start: Int) -> (earlier: Int, later: Int)? {
    var nextOfSensor: [String: Int] = [:]
    var best: (earlier: Int, later: Int)?
    var index = entries.count - 1
    // Backwards, so the next entry of each sensor is known; `<=` keeps the oldest of equals.
    while index >= start {
      let entry = entries[index]
      if let later = nextOfSensor[entry.reading.sensorID],
        best == nil || entry.sampleCount <= entries[best!.earlier].sampleCount
      {
        best = (index, later)
      }
      nextOfSensor[entry.reading.sensorID] = index
      index -= 1
    }
    assert(best.map { $0.earlier < $0.later } ?? true)
    return best
  }
}
