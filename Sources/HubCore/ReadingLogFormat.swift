import Hashing

/// The byte layout of the hub's append-only reading log, kept apart from any file IO.
///
/// A log file is the 8-byte magic `LOAMLOG1` followed by records:
///
///     payload length  UInt32, little-endian
///     payload CRC-32  UInt32, little-endian (ISO-HDLC, see `CRC32`)
///     payload         `length` bytes (one accepted batch as JSON)
///
/// The hub appends a record and fsyncs before it acknowledges a batch, so a crash can only leave
/// the *last* record incomplete: shorter than its header says, or with a CRC that does not match
/// because only some of its pages reached the disk. `scan` reports such a torn tail so the caller
/// can drop it with a warning. Damage anywhere else is corruption and is reported, never repaired
/// by deleting data.
public enum ReadingLogFormat {
  /// The first bytes of every log file; the digit is the format version.
  public static let magic: [UInt8] = Array("LOAMLOG1".utf8)
  /// Bytes of a record's length and CRC fields.
  public static let recordHeaderLength = 8
  /// The largest payload a record may hold; larger lengths mean a damaged header.
  public static let maximumPayloadLength = 4 << 20

  /// The bytes of one record holding `payload`.
  public static func record(payload: [UInt8]) -> [UInt8] {
    precondition(payload.count <= maximumPayloadLength, "payload over the record limit")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(recordHeaderLength + payload.count)
    appendLittleEndian(UInt32(payload.count), to: &bytes)
    appendLittleEndian(CRC32.checksum(payload), to: &bytes)
    bytes.append(contentsOf: payload)
    return bytes
  }

  /// Splits a whole log file into record payloads (see `ReadingLogReader`, which does the same
  /// for a file read in pieces).
  public static func scan(_ file: [UInt8]) throws(ReadingLogError) -> ReadingLogScan {
    var reader = ReadingLogReader()
    let records = try reader.read(file)
    return ReadingLogScan(
      records: records, validLength: reader.validLength, tornTailLength: reader.tornTailLength)
  }
}

/// What `ReadingLogFormat.scan` found in a log file.
public struct ReadingLogScan: Sendable {
  /// Every complete record, in file order.
  public var records: [ReadingLogRecord]
  /// Bytes from the start of the file to the end of the last complete record (or of the magic).
  public var validLength: Int
  /// Bytes of a record torn by a crash at the end of the file; the caller truncates them.
  public var tornTailLength: Int
}

/// One complete record of a reading log.
public struct ReadingLogRecord: Equatable, Sendable {
  /// The file offset of the record's header.
  public var offset: Int
  /// The payload, checksum verified.
  public var payload: [UInt8]
}

/// Why a log file cannot be read. The hub refuses to start rather than lose what is after the damage.
public enum ReadingLogError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file does not begin with `LOAMLOG1`.
  case notALog
  /// A record before the end of the file is damaged.
  case corruptRecord(offset: Int, reason: String)
  /// A record's checksum is right but its payload is not a batch this version understands.
  case unreadablePayload(offset: Int, reason: String)

  public var description: String {
    switch self {
    case .notALog:
      return "not a Loam reading log (it does not start with LOAMLOG1)"
    case .corruptRecord(let offset, let reason):
      return "corrupt record at byte \(offset): \(reason)"
    case .unreadablePayload(let offset, let reason):
      return "unreadable record at byte \(offset): \(reason)"
    }
  }
}

private func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
  for shift in stride(from: 0, to: 32, by: 8) {
    bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
  }
}
