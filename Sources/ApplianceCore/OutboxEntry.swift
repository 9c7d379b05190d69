import JSON
import Readings

/// A reading waiting in the outbox, with how many raw samples it stands for.
///
/// A raw reading stands for one sample. When the outbox is full, two readings of one sensor are
/// merged into one (`ReadingOutbox`'s downsampling): the merged reading's value is the mean of
/// every sample both stood for, and it keeps the later one's time and sequence number.
public struct OutboxEntry: Equatable, Sendable {
  /// The reading as it will be published.
  public var reading: Reading
  /// Raw samples averaged into `reading`: 1 for a reading as sampled.
  public var sampleCount: Int

  /// An entry standing for `sampleCount` samples.
  public init(reading: Reading, sampleCount: Int = 1) {
    precondition(sampleCount >= 1, "an entry stands for at least one sample")
    self.reading = reading
    self.sampleCount = sampleCount
  }

  /// Whether the reading is as sampled, not an average of several.
  public var isRaw: Bool { sampleCount == 1 }

  /// `earlier` and `later`, two entries of one sensor, as one: the mean of all their samples,
  /// at `later`'s time and sequence number.
  public static func merging(_ earlier: OutboxEntry, into later: OutboxEntry) -> OutboxEntry {
    precondition(earlier.reading.sensorID == later.reading.sensorID, "merging two sensors")
    precondition(earlier.reading.sequence < later.reading.sequence, "merging out of order")
    let sampleCount = earlier.sampleCount + later.sampleCount
    let sum =
      earlier.reading.value * Double(earlier.sampleCount)
      + later.reading.value * Double(later.sampleCount)
    var merged = later
    merged.reading.value = sum / Double(sampleCount)
    merged.sampleCount = sampleCount
    assert(merged.reading.value.isFinite)
    return merged
  }
}

extension OutboxEntry: JSONEncodable, JSONDecodable {
  public func encode(to json: inout JSONWriter) {
    json.beginObject()
    json.field("reading", reading)
    json.field("samples", sampleCount)
    json.endObject()
  }

  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    let sampleCount: Int = try object.decode("samples")
    guard sampleCount >= 1 else {
      throw JSONDecodingError(.invalidValue("must be at least 1"), path: [.key("samples")])
    }
    self.init(reading: try object.decode("reading"), sampleCount: sampleCount)
  }
}
