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

  /// Splits a whole log file into record payloads.
  ///
  /// An empty file is a new log. A file that ends inside its last record is not an error: the
  /// result says how many bytes are valid and how many trailing bytes belong to the torn record.
  public static func scan(_ file: [UInt8]) throws(ReadingLogError) -> ReadingLogScan {
    guard !file.isEmpty else { return ReadingLogScan(payloads: [], validLength: 0) }
    guard file.count >= magic.count else {
      // A crash while the magic itself was being written: nothing was ever acknowledged.
      guard magic.starts(with: file) else { throw .notALog }
      return ReadingLogScan(payloads: [], validLength: 0, tornTailLength: file.count)
    }
    guard file.starts(with: magic) else { throw .notALog }

    var payloads: [ArraySlice<UInt8>] = []
    var offset = magic.count
    while offset < file.count {
      let remaining = file.count - offset
      guard remaining >= recordHeaderLength else {
        return ReadingLogScan(payloads: payloads, validLength: offset, tornTailLength: remaining)
      }
      let length = Int(readLittleEndian(file, at: offset))
      let checksum = readLittleEndian(file, at: offset + 4)
      guard length <= maximumPayloadLength else {
        throw .corruptRecord(offset: offset, reason: "length \(length) is over the record limit")
      }
      let end = offset + recordHeaderLength + length
      guard end <= file.count else {
        return ReadingLogScan(payloads: payloads, validLength: offset, tornTailLength: remaining)
      }
      let payload = file[(offset + recordHeaderLength)..<end]
      guard CRC32.checksum(payload) == checksum else {
        if end == file.count {
          return ReadingLogScan(payloads: payloads, validLength: offset, tornTailLength: remaining)
        }
        throw .corruptRecord(offset: offset, reason: "checksum mismatch")
      }
      payloads.append(payload)
      offset = end
    }
    assert(offset == file.count)
    return ReadingLogScan(payloads: payloads, validLength: offset)
  }
}

/// What `ReadingLogFormat.scan` found in a log file.
public struct ReadingLogScan: Sendable {
  /// Every complete record's payload, in file order.
  public var payloads: [ArraySlice<UInt8>]
  /// Bytes from the start of the file to the end of the last complete record (or of the magic).
  public var validLength: Int
  /// Bytes of a record torn by a crash at the end of the file; the caller truncates them.
  public var tornTailLength: Int = 0
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

private func readLittleEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
  precondition(offset + 4 <= bytes.count)
  var value: UInt32 = 0
  for index in (0..<4).reversed() {
    value = value << 8 | UInt32(bytes[offset + index])
  }
  return value
}
