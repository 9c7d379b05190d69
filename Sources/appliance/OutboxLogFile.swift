import ApplianceCore
import Glibc
import HostPlatform
import RecordLog

/// The appliance's outbox log on disk (`RecordLogFormat.outboxLog` in `outbox.log`): the
/// records `ReadingOutbox` produces, appended to an `AppendOnlyFile`, and replayed at start.
///
/// New readings are synced (`fdatasync`) before they are offered to the hub; acknowledgements
/// are only written, and reach the disk with the next sync (losing one costs a resend, which
/// the hub stores once). Compaction writes the waiting readings to `outbox.log.new`, syncs it,
/// and renames it over the log, so a crash at any moment leaves one whole log or the other.
final class OutboxLogFile {
  /// The log's path.
  let path: String
  private var file: AppendOnlyFile

  private init(path: String, file: AppendOnlyFile) {
    self.path = path
    self.file = file
  }

  /// The log's length in bytes.
  var length: Int { file.length }

  /// Opens (or creates) the log in `directory` and rebuilds the outbox from it.
  ///
  /// A record torn by a crash at the end is cut off with a warning: the reading in it was never
  /// offered to the hub. Any other damage stops the start with the byte offset, and the file is
  /// left as it is.
  static func open(
    directory: String, capacity: Int, warn: (String) -> Void
  ) throws(OutboxLogError) -> (log: OutboxLogFile, outbox: ReadingOutbox) {
    let path = directory + "/outbox.log"
    let file: AppendOnlyFile
    do {
      file = try AppendOnlyFile(path: path)
    } catch {
      throw OutboxLogError(description: "\(error)")
    }
    var outbox = ReadingOutbox(capacity: capacity)
    let reader = try replay(file, into: &outbox)
    do {
      if reader.tornTailLength > 0 {
        warn(
          "\(path): dropping \(reader.tornTailLength) bytes of a record torn by a crash at byte "
            + "\(reader.validLength) (it was never offered to the hub)")
        try file.truncate(toLength: reader.validLength)
      }
      if file.length == 0 { try file.append(RecordLogFormat.outboxLog.magic) }
    } catch {
      throw OutboxLogError(description: "\(error)")
    }
    return (OutboxLogFile(path: path, file: file), outbox)
  }

  /// Appends `bytes`; with `synchronize`, returns only once everything written is durable.
  func append(_ bytes: [UInt8], synchronize: Bool) throws(SystemError) {
    if !bytes.isEmpty { try file.write(bytes) }
    if synchronize && file.hasUnsynchronizedWrites { try file.synchronize() }
  }

  /// Replaces the log with `compacted`, a whole log, atomically.
  func replace(with compacted: [UInt8]) throws(SystemError) {
    precondition(compacted.starts(with: RecordLogFormat.outboxLog.magic))
    try file.synchronize()  // Acknowledgements written so far go into the old log first.
    let newPath = path + ".new"
    if unlink(newPath) != 0 && errno != ENOENT { throw .fromErrno("unlink", subject: newPath) }
    let newFile = try AppendOnlyFile(path: newPath)
    try newFile.append(compacted)
    newFile.close()
    guard rename(newPath, path) == 0 else { throw .fromErrno("rename", subject: newPath) }
    try syncDirectory(containing: path)
    file.close()
    file = try AppendOnlyFile(path: path)
    assert(file.length == compacted.count)
  }

  /// Bytes read from the log per step at start.
  private static let replayChunkLength = 1 << 20

  private static func replay(
    _ file: AppendOnlyFile, into outbox: inout ReadingOutbox
  ) throws(OutboxLogError) -> RecordLogReader {
    var reader = RecordLogReader(format: .outboxLog)
    try file.forEachPiece(
      ofAtMost: replayChunkLength, readFailure: { OutboxLogError(description: "\($0)") },
      body: { chunk throws(OutboxLogError) in
        do throws(RecordLogError) {
          for record in try reader.read(chunk) {
            try outbox.replay(record)
          }
        } catch {
          throw OutboxLogError(
            description: "\(file.path): \(error). The file is left as it is; move it aside to "
              + "start with an empty outbox (its readings would then not reach the hub).")
        }
      })
    return reader
  }
}

/// Why the outbox log could not be opened or rebuilt.
struct OutboxLogError: Error, CustomStringConvertible {
  var description: String
}
