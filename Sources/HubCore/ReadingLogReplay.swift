import JSON
import Readings
import RecordLog
import Time

// How accepted batches are written into, and read back from, the reading log (`RecordLogFormat.readingLog`
// frames the records; this file decides what a record holds).

extension AcceptedBatch: JSONEncodable, JSONDecodable {
  public func encode(to json: inout JSONWriter) {
    json.beginObject()
    json.field("appliance", applianceID)
    json.field("received_at", receivedAt.rfc3339)
    json.field("readings", readings)
    json.endObject()
  }

  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    self.init(
      applianceID: try object.decode("appliance"),
      receivedAt: try object.decodeTime("received_at"),
      readings: try object.decode("readings"))
  }

  /// The log record that stores this batch.
  public func logRecord() -> [UInt8] {
    var json = JSONWriter()
    encode(to: &json)
    return RecordLogFormat.record(payload: json.bytes)
  }
}

/// Rebuilds the hub's in-memory index from its log at start.
public enum ReadingLogReplay {
  /// Inserts the batch a log record holds into `index`. Call it for every record, in log order.
  ///
  /// A record whose checksum is right but whose contents this version cannot read stops the
  /// replay with its offset: skipping it would silently lose readings.
  public static func replay(
    _ record: RecordLogRecord, into index: inout SensorIndex
  ) throws(RecordLogError) {
    let document: JSONValue
    do throws(JSONParseError) {
      document = try JSONParser.parse(record.payload)
    } catch {
      throw .unreadablePayload(offset: record.offset, reason: "\(error)")
    }
    let batch: AcceptedBatch
    do throws(JSONDecodingError) {
      batch = try AcceptedBatch(json: document)
    } catch {
      throw .unreadablePayload(offset: record.offset, reason: "\(error)")
    }
    // Replaying what was accepted once must accept it again; anything else means the log
    // holds readings out of sequence order, which this hub never writes.
    let acceptance = index.sortOut(
      ReadingBatch(applianceID: batch.applianceID, readings: batch.readings))
    guard acceptance.duplicateCount == 0 else {
      throw .unreadablePayload(offset: record.offset, reason: "sequence numbers go backwards")
    }
    index.insert(batch.readings, applianceID: batch.applianceID, receivedAt: batch.receivedAt)
  }
}
