import Hashing

/// Reads a log (`RecordLogFormat`) in pieces of any size, so that a log of any length
/// is replayed in bounded memory: the reader holds at most one incomplete record.
///
/// Feed the file front to back with `read(_:)`, which returns each record as soon as it is
/// complete; at the end, `validLength` and `tornTailLength` say where the good records stop.
/// The last record is torn (not corrupt) when it is incomplete or when its checksum fails and
/// nothing follows it: a crash mid-append leaves exactly that. A bad checksum with more bytes
/// after it is corruption, since a writer never appends after an unfinished record.
public struct RecordLogReader {
  /// The kind of log being read.
  public let format: RecordLogFormat
  /// Bytes from the start of the file to the end of the last good record (or of the magic).
  public private(set) var validLength = 0
  /// Bytes after `validLength` read so far: an incomplete record, or a complete one with a bad
  /// checksum that will count as torn if the file ends with it.
  private var pending: [UInt8] = []
  private var hasReadMagic = false
  /// Whether `pending` holds a whole record whose checksum failed.
  private var pendingHasBadChecksum = false

  /// A reader at the start of a file of `format`.
  public init(format: RecordLogFormat) {
    self.format = format
  }

  /// Bytes at the end of the file that belong to a torn record, once the whole file is read.
  public var tornTailLength: Int { pending.count }

  /// Takes the next bytes of the file and returns the records they complete, in file order.
  public mutating func read(_ bytes: some Collection<UInt8>) throws(RecordLogError)
    -> [RecordLogRecord]
  {
    guard !bytes.isEmpty else { return [] }
    if pendingHasBadChecksum {
      throw .corruptRecord(offset: validLength, reason: "checksum mismatch")
    }
    pending.append(contentsOf: bytes)
    if !hasReadMagic {
      let magic = format.magic
      let notALog = RecordLogError.notALog(expectedMagic: String(decoding: magic, as: UTF8.self))
      guard pending.count >= magic.count else {
        // A crash while the magic itself was being written: still a (torn) new log.
        guard magic.starts(with: pending) else { throw notALog }
        return []
      }
      guard pending.starts(with: magic) else { throw notALog }
      pending.removeFirst(magic.count)
      validLength = magic.count
      hasReadMagic = true
    }
    return try takeCompleteRecords()
  }

  private mutating func takeCompleteRecords() throws(RecordLogError) -> [RecordLogRecord] {
    var records: [RecordLogRecord] = []
    var position = 0
    let headerLength = RecordLogFormat.recordHeaderLength
    while pending.count - position >= headerLength {
      let length = Int(readLittleEndian(pending, at: position))
      let checksum = readLittleEndian(pending, at: position + 4)
      let offset = validLength + position
      guard length <= RecordLogFormat.maximumPayloadLength else {
        throw .corruptRecord(offset: offset, reason: "length \(length) is over the record limit")
      }
      let end = position + headerLength + length
      guard end <= pending.count else { break }
      let payload = pending[(position + headerLength)..<end]
      guard CRC32.checksum(payload) == checksum else {
        guard end == pending.count else {
          throw .corruptRecord(offset: offset, reason: "checksum mismatch")
        }
        pendingHasBadChecksum = true
        break
      }
      records.append(RecordLogRecord(offset: offset, payload: Array(payload)))
      position = end
    }
    pending.removeFirst(position)
    validLength += position
    return records
  }
}

private func readLittleEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
  precondition(offset + 4 <= bytes.count)
  var value: UInt32 = 0
  for index in (0..<4).reversed() {
    value = value << 8 | UInt32(bytes[offset + index])
  }
  return value
}
