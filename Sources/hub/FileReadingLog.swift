import HostPlatform
import HubCore
import RecordLog

/// The hub's store for now: `RecordLogFormat.readingLog` records in an `AppendOnlyFile`. Records are
/// written as batches arrive and made durable by one `fdatasync` per loop iteration (`sync`),
/// before any acknowledgement leaves; a failed `fdatasync` poisons the file (see
/// `AppendOnlyFile`).
struct FileReadingLog: ReadingStore {
  let file: AppendOnlyFile
  /// Held while the hub runs, so that a second hub cannot append to the same log.
  let lock: FileLock

  var kind: String { "append-only-log" }
  var byteCount: Int { file.length }
  var hasUnsyncedWrites: Bool { file.hasUnsynchronizedWrites }

  mutating func append(_ batch: AcceptedBatch) throws(ReadingStoreError) {
    do {
      try file.write(batch.logRecord())
    } catch {
      throw ReadingStoreError("\(error)")
    }
  }

  mutating func sync() throws(ReadingStoreError) {
    do {
      try file.synchronize()
    } catch {
      throw ReadingStoreError("\(error)")
    }
  }

  /// Opens (or creates) the log in `directory`, locks the directory, and replays the log into
  /// `index`.
  ///
  /// A record torn by a crash at the end is cut off with a warning: it was never acknowledged.
  /// Any other damage stops the start with the offset, and the file is left untouched.
  static func open(
    directory: String, into index: inout SensorIndex, warn: (String) -> Void
  ) throws(HubStartError) -> FileReadingLog {
    let path = directory + "/readings.log"
    let file: AppendOnlyFile
    let lock: FileLock
    do {
      try createDirectory(atPath: directory)
      lock = try FileLock(path: directory + "/lock")
      file = try AppendOnlyFile(path: path)
    } catch {
      throw HubStartError("\(error)")
    }
    let reader = try replay(file, into: &index)
    if reader.tornTailLength > 0 {
      warn(
        "\(path): dropping \(reader.tornTailLength) bytes of a record torn by a crash at byte "
          + "\(reader.validLength) (it was never acknowledged)")
      do { try file.truncate(toLength: reader.validLength) } catch {
        throw HubStartError("\(error)")
      }
    }
    if file.length == 0 {
      do { try file.append(RecordLogFormat.readingLog.magic) } catch {
        throw HubStartError("\(error)")
      }
    }
    return FileReadingLog(file: file, lock: lock)
  }

  /// Bytes read from the log per step at start: the reader holds one incomplete record at most,
  /// so memory stays bounded however long the log grows.
  private static let replayChunkLength = 1 << 20

  /// Reads the whole log front to back into `index`, and returns the reader's final state.
  private static func replay(
    _ file: AppendOnlyFile, into index: inout SensorIndex
  ) throws(HubStartError) -> RecordLogReader {
    var reader = RecordLogReader(format: .readingLog)
    try file.forEachPiece(
      ofAtMost: replayChunkLength, readFailure: { HubStartError("\($0)") },
      body: { chunk throws(HubStartError) in
        do throws(RecordLogError) {
          for record in try reader.read(chunk) {
            try ReadingLogReplay.replay(record, into: &index)
          }
        } catch {
          throw HubStartError(
            "\(file.path): \(error). The file is left as it is; move it aside to start an empty log."
          )
        }
      })
    return reader
  }
}

/// Why the hub could not start, in words for the person who started it.
struct HubStartError: Error, CustomStringConvertible {
  var description: String

  init(_ description: String) {
    self.description = description
  }
}
