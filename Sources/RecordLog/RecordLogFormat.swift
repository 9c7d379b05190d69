import Hashing

/// The byte layout of Loam's append-only logs (the hub's reading log, an appliance's outbox),
/// kept apart from any file IO.
///
/// A log file is an 8-byte magic naming what the log holds, followed by records:
///
///     payload length  UInt32, little-endian
///     payload CRC-32  UInt32, little-endian (ISO-HDLC, see `CRC32`)
///     payload         `length` bytes
///
/// A writer appends a record and syncs before it relies on it, so a crash can only leave the
/// *last* record incomplete: shorter than its header says, or with a CRC that does not match
/// because only some of its pages reached the disk. `scan` reports such a torn tail so the
/// caller can drop it with a warning. Damage anywhere else is corruption and is reported, never
/// repaired by deleting data.
public struct RecordLogFormat: Equatable, Sendable {
  /// The first bytes of every log file of this kind; the last character is the format version.
  public let magic: [UInt8]
  /// Bytes of a record's length and CRC fields.
  public static let recordHeaderLength = 8
  /// The largest payload a record may hold; larger lengths mean a damaged header.
  public static let maximumPayloadLength = 4 << 20
  /// The length of every magic.
  public static let magicLength = 8

  /// A log format whose files start with `magic`, eight ASCII characters such as `LOAMLOG1`.
  public init(magic: String) {
    self.magic = Array(magic.utf8)
    precondition(self.magic.count == Self.magicLength, "a log magic is eight bytes")
  }

  /// The bytes of one record holding `payload`.
  public static func record(payload: [UInt8]) -> [UInt8] {
    precondition(payload.count <= maximumPayloadLength, "payload over the record limit")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(recordHeaderLength + payload.count)
    appendLittleEndian(UInt32(payload.count), to: &bytes)
    appendLittleEndian(CRC32.checksum(payload), to: &bytes)
    bytes.append(contentsOf: payload)
    assert(bytes.count == recordHeaderLength + payload.count)
    return bytes
  }

  /// Splits a whole log file into record payloads (see `RecordLogReader`, which does the same
  /// for a file read in pieces).
  public func scan(_ file: [UInt8]) throws(RecordLogError) -> RecordLogScan {
    var reader = RecordLogReader(format: self)
    let records = try reader.read(file)
    return RecordLogScan(
      records: records, validLength: reader.validLength, tornTailLength: reader.tornTailLength)
  }
}

/// What `RecordLogFormat.scan` found in a log file.
public struct RecordLogScan: Sendable {
  /// Every complete record, in file order.
  public var records: [RecordLogRecord]
  /// Bytes from the start of the file to the end of the last complete record (or of the magic).
  public var validLength: Int
  /// Bytes of a record torn by a crash at the end of the file; the caller truncates them.
  public var tornTailLength: Int
}

/// One complete record of a log.
public struct RecordLogRecord: Equatable, Sendable {
  /// The file offset of the record's header.
  public var offset: Int
  /// The payload, checksum verified.
  public var payload: [UInt8]

  /// A record found at `offset`.
  public init(offset: Int, payload: [UInt8]) {
    self.offset = offset
    self.payload = payload
  }
}

/// Why a log file cannot be read. Its owner refuses to start rather than lose what is after the
/// damage.
public enum RecordLogError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file does not begin with the expected magic.
  case notALog(expectedMagic: String)
  /// A record before the end of the file is damaged.
  case corruptRecord(offset: Int, reason: String)
  /// A record's checksum is right but its payload is not something this version understands.
  case unreadablePayload(offset: Int, reason: String)

  public var description: String {
    switch self {
    case .notALog(let magic):
      return "not a Loam log of this kind (it does not start with \(magic))"
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
