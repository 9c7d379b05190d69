import JSON
import RecordLog

extension RecordLogFormat {
  /// An appliance's outbox log: one record per change to its outbox (`OutboxRecord`), so that
  /// replaying the log front to back rebuilds the outbox after a restart or a crash.
  public static let outboxLog = RecordLogFormat(magic: "LOAMOBX1")
}

/// One change to an appliance's outbox, as a record of its outbox log.
///
/// The payload is a JSON object with one member naming the change, so a person can read a log
/// with a hex dump:
///
///     {"added":{"reading":{...},"samples":1}}
///     {"downsampled":{"earlier":41,"merged":{"reading":{...,"seq":45},"samples":2}}}
///     {"delivered":120}
///     {"rejected":130}
public enum OutboxRecord: Equatable, Sendable {
  /// An entry joined the end of the outbox: a new reading (or, in a compacted log, one that
  /// was already waiting).
  case added(OutboxEntry)
  /// The entry with sequence `earlierSequence` was merged into a later entry of the same sensor,
  /// which is now `merged` (and keeps its place and sequence number).
  case downsampled(earlierSequence: UInt64, merged: OutboxEntry)
  /// The hub acknowledged every reading up to this sequence; they leave the outbox.
  case delivered(throughSequence: UInt64)
  /// The hub refused a batch ending at this sequence as invalid; its readings leave the outbox,
  /// since sending them again cannot help.
  case rejected(throughSequence: UInt64)

  /// The record's payload.
  public func payload() -> [UInt8] {
    var json = JSONWriter()
    json.beginObject()
    switch self {
    case .added(let entry):
      json.field("added", entry)
    case .downsampled(let earlierSequence, let merged):
      json.key("downsampled")
      json.beginObject()
      json.field("earlier", Int64(earlierSequence))
      json.field("merged", merged)
      json.endObject()
    case .delivered(let sequence):
      json.field("delivered", Int64(sequence))
    case .rejected(let sequence):
      json.field("rejected", Int64(sequence))
    }
    json.endObject()
    return json.bytes
  }

  /// The record framed for the log (`RecordLogFormat.record`).
  public func logRecord() -> [UInt8] {
    RecordLogFormat.record(payload: payload())
  }

  /// Reads a record's payload; the error names what is wrong.
  public init(payload: [UInt8]) throws(OutboxRecordError) {
    let document: JSONValue
    do throws(JSONParseError) {
      document = try JSONParser.parse(payload)
    } catch {
      throw OutboxRecordError(description: "\(error)")
    }
    guard let object = document.objectValue, object.count == 1, let change = object.keys.first
    else {
      throw OutboxRecordError(description: "a record is an object holding exactly one change")
    }
    let record: OutboxRecord?
    do throws(JSONDecodingError) {
      record = try Self.decode(change, from: object)
    } catch {
      throw OutboxRecordError(description: "\(error)")
    }
    guard let record else { throw OutboxRecordError(description: "unknown change '\(change)'") }
    self = record
  }

  /// The record whose one member is `change`, or nil for a change this version does not know.
  private static func decode(
    _ change: String, from object: JSONObject
  ) throws(JSONDecodingError) -> OutboxRecord? {
    switch change {
    case "added":
      return .added(try object.decode("added"))
    case "downsampled":
      let details: JSONObject = try object.decode("downsampled")
      return .downsampled(
        earlierSequence: try sequence(details, "earlier"), merged: try details.decode("merged"))
    case "delivered":
      return .delivered(throughSequence: try sequence(object, "delivered"))
    case "rejected":
      return .rejected(throughSequence: try sequence(object, "rejected"))
    default:
      return nil
    }
  }

  private static func sequence(
    _ object: JSONObject, _ key: String
  ) throws(JSONDecodingError) -> UInt64 {
    let value: Int64 = try object.decode(key)
    guard value >= 1 else {
      throw JSONDecodingError(.invalidValue("must be at least 1"), path: [.key(key)])
    }
    return UInt64(value)
  }
}

/// Why a record's payload is not an outbox change this version understands.
public struct OutboxRecordError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public var description: String
}
