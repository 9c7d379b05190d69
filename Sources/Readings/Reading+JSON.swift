import JSON
import Time

// The wire form of readings and batches, shared by appliances (which encode) and the hub (which
// decodes, and keeps the same form in its log):
//
//   {"appliance":"plant-pot","readings":[{"sensor":"plant-pot.soil","quantity":"soil_moisture",
//    "unit":"%","value":41.2,"time":"2026-11-26T20:33:46.123Z","seq":17}]}

extension Reading: JSONEncodable, JSONDecodable {
  public func encode(to json: inout JSONWriter) {
    json.beginObject()
    json.field("sensor", sensorID)
    json.field("quantity", quantity)
    json.field("unit", unit)
    json.field("value", value)
    json.field("time", time.rfc3339)
    json.field("seq", Int64(sequence))
    json.endObject()
  }

  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["sensor", "quantity", "unit", "value", "time", "seq"])
    let sequence: Int64 = try object.decode("seq")
    guard sequence >= 1 else {
      throw JSONDecodingError(.invalidValue("must be at least 1"), path: [.key("seq")])
    }
    self.init(
      sensorID: try object.decode("sensor"),
      quantity: try object.decode("quantity"),
      unit: try object.decode("unit"),
      value: try object.decode("value"),
      time: try object.decodeTime("time"),
      sequence: UInt64(sequence))
  }
}

extension JSONObject {
  /// Decodes the member `key` as an RFC 3339 time.
  public func decodeTime(_ key: String) throws(JSONDecodingError) -> UTCTime {
    let text: String = try decode(key)
    do throws(RFC3339Error) {
      return try UTCTime(rfc3339: text)
    } catch {
      throw JSONDecodingError(
        .invalidValue("expected an RFC 3339 time such as 2026-11-26T20:33:46.123Z"),
        path: [.key(key)])
    }
  }
}

/// Why a request body is not a batch of readings.
public struct ReadingBatchDecodingError: Error, CustomStringConvertible {
  /// What is wrong, naming the place: `invalid JSON at byte 17: ...` or `readings[2].value: ...`.
  public var description: String
}

extension ReadingBatch: JSONEncodable, JSONDecodable {
  public func encode(to json: inout JSONWriter) {
    json.beginObject()
    json.field("appliance", applianceID)
    json.field("readings", readings)
    json.endObject()
  }

  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["appliance", "readings"])
    self.init(applianceID: try object.decode("appliance"), readings: try object.decode("readings"))
  }

  /// The batch as a JSON document.
  public func jsonBytes() -> [UInt8] {
    var json = JSONWriter()
    encode(to: &json)
    return json.bytes
  }

  /// Reads a batch from a request body. Validate it with `problem()` before trusting it.
  public init(jsonBytes: [UInt8]) throws(ReadingBatchDecodingError) {
    let document: JSONValue
    do throws(JSONParseError) {
      document = try JSONParser.parse(jsonBytes)
    } catch {
      throw ReadingBatchDecodingError(description: "\(error)")
    }
    do throws(JSONDecodingError) {
      try self.init(json: document)
    } catch {
      throw ReadingBatchDecodingError(description: "\(error)")
    }
  }
}
