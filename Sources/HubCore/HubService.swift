import HTTP
import JSON
import Readings
import Time

/// The hub: answers the JSON API and the dashboard, and stores published readings.
///
/// It is a sans-IO `HTTPResponder`: a platform feeds it parsed requests with the current
/// `Instant` and writes back the responses it returns. It reads no clock of its own; the platform
/// tells it the wall time with `setWallClock(_:at:)`.
///
/// Responses may acknowledge readings that are written to the store but not yet durable. The
/// platform must call `makeAcceptedReadingsDurable()` after producing responses and before
/// sending them; one call covers every response produced before it (see `ReadingStore`).
public struct HubService<Store: ReadingStore>: HTTPResponder {
  /// The body read from a request that no route takes, before answering 404 or 405.
  static var unroutedBodyLimit: Int { 16 * 1024 }

  /// The version reported by `/api/v1/health`.
  public static var version: String { "0.1.0" }

  /// The in-memory view of every sensor.
  public private(set) var index: SensorIndex
  /// Where accepted readings are made durable.
  public private(set) var store: Store
  private let router: HTTPRouter<HubEndpoint>
  private let startedAt: Instant
  private var wallClockAnchor: (time: UTCTime, instant: Instant)
  /// The last `Date` header value and the wall-clock second it names. It changes once a second,
  /// and rendering it for every response was a noticeable part of a small response's cost.
  private var dateHeader: (second: Int64, value: String) = (.min, "")

  /// A hub over `store`, whose contents `index` already reflects (see `ReadingLogReplay`).
  public init(store: Store, index: SensorIndex, now: Instant, wallClock: UTCTime) {
    self.store = store
    self.index = index
    self.router = HubEndpoint.router()
    self.startedAt = now
    self.wallClockAnchor = (wallClock, now)
  }

  /// Tells the hub the wall time at `instant`. Between calls it counts on from the monotonic clock.
  public mutating func setWallClock(_ time: UTCTime, at instant: Instant) {
    wallClockAnchor = (time, instant)
  }

  /// Makes every reading accepted so far durable (`ReadingStore.sync`, if anything is unsynced).
  /// Call it before sending responses: they may acknowledge those readings. If it throws, send
  /// none of them and stop; the store's contents on disk are unknown until it is reopened.
  public mutating func makeAcceptedReadingsDurable() throws(ReadingStoreError) {
    guard store.hasUnsyncedWrites else { return }
    try store.sync()
  }

  /// The wall time at `now`, from the last anchor.
  public func wallClock(at now: Instant) -> UTCTime {
    wallClockAnchor.time.advanced(by: now.duration(since: wallClockAnchor.instant))
  }

  public func maximumBodyBytes(for head: HTTPRequestHead) -> Int {
    switch router.match(head) {
    case .found(_, _, let maximumBodyBytes): return maximumBodyBytes
    // Read (and discard) a small body so that the answer is the 404 or 405 the request earned,
    // not a 413 about a body no route would take.
    case .methodNotAllowed, .notFound: return Self.unroutedBodyLimit
    }
  }

  public mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    var response = route(request, now: now)
    // The dashboard measures reading ages against the hub's clock, not the browser's.
    response.headers.add(name: "Date", value: dateHeaderValue(at: now))
    return response
  }

  /// The `Date` header for a response at `now` (RFC 9110 §6.6.1), rendered once a second.
  private mutating func dateHeaderValue(at now: Instant) -> String {
    let time = wallClock(at: now)
    let (quotient, remainder) = time.millisecondsSinceEpoch.quotientAndRemainder(dividingBy: 1000)
    let second = remainder < 0 ? quotient - 1 : quotient
    if second != dateHeader.second { dateHeader = (second, time.httpDate) }
    return dateHeader.value
  }

  public func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    APIError(status: status, code: APIError.code(for: status), message: message).response
  }

  private mutating func route(_ request: HTTPRequest, now: Instant) -> HTTPResponse {
    switch router.match(request.head) {
    case .notFound:
      return APIError.notFound("no route for \(request.head.path)").response
    case .methodNotAllowed(let allowed):
      var response = APIError(
        status: .methodNotAllowed, code: "method_not_allowed",
        message: "\(request.head.method) is not allowed here"
      ).response
      response.headers.add(name: "Allow", value: HTTPRouter<HubEndpoint>.allowHeaderValue(allowed))
      return response
    case .found(let endpoint, let parameters, _):
      let result: Result<HTTPResponse, APIError>
      switch endpoint {
      case .dashboard:
        result = .success(.html(DashboardPage.html))
      case .openAPIDocument:
        result = .success(.json(Array(OpenAPIDocument.json.utf8)))
      case .health:
        result = .success(health(now: now))
      case .sensors:
        result = .success(sensorList())
      case .sensor:
        result = sensor(id: parameters["id"] ?? "")
      case .sensorReadings:
        result = sensorReadings(id: parameters["id"] ?? "", query: request.head)
      case .publishReadings:
        result = publish(body: request.body, now: now)
      }
      switch result {
      case .success(let response): return response
      case .failure(let error): return error.response
      }
    }
  }
}

// MARK: - Endpoints

extension HubService {
  private func health(now: Instant) -> HTTPResponse {
    var json = JSONWriter()
    json.beginObject()
    json.field("status", "ok")
    json.field("version", Self.version)
    json.field("uptime_seconds", Int64(now.duration(since: startedAt).components.seconds))
    json.field("appliances", index.applianceCount)
    json.field("sensors", index.sensors.count)
    json.field("readings", index.readingCount)
    json.key("store")
    json.beginObject()
    json.field("kind", store.kind)
    json.field("bytes", store.byteCount)
    json.endObject()
    json.endObject()
    return .json(json.bytes)
  }

  private func sensorList() -> HTTPResponse {
    var json = JSONWriter()
    json.beginObject()
    json.key("sensors")
    json.beginArray()
    for record in index.sortedSensors { writeSensor(record, to: &json) }
    json.endArray()
    json.endObject()
    return .json(json.bytes)
  }

  private func sensor(id: String) -> Result<HTTPResponse, APIError> {
    guard let record = index.sensors[id] else { return .failure(.noSuchSensor(id)) }
    var json = JSONWriter()
    writeSensor(record, to: &json)
    return .success(.json(json.bytes))
  }

  private func writeSensor(_ record: SensorRecord, to json: inout JSONWriter) {
    json.beginObject()
    json.field("id", record.id)
    json.field("appliance", record.applianceID)
    json.field("quantity", record.quantity)
    json.field("unit", record.unit)
    json.field("reading_count", record.readingCount)
    json.key("latest")
    if let latest = record.latest {
      json.beginObject()
      json.field("seq", Int64(latest.sequence))
      json.field("time", latest.time.rfc3339)
      json.field("value", latest.value)
      json.field("received_at", latest.receivedAt.rfc3339)
      json.endObject()
    } else {
      json.null()
    }
    json.endObject()
  }

  private func sensorReadings(id: String, query: HTTPRequestHead) -> Result<HTTPResponse, APIError>
  {
    let range: ReadingQuery
    switch ReadingQuery.parse(query) {
    case .success(let parsed): range = parsed
    case .failure(let error): return .failure(error)
    }
    if let width = range.bucketWidth {
      return sensorBuckets(id: id, query: range, width: width)
    }
    guard
      let found = index.readings(
        of: id, since: range.since, until: range.until, limit: range.limit)
    else { return .failure(.noSuchSensor(id)) }
    var json = JSONWriter()
    json.beginObject()
    json.field("sensor", id)
    json.field("truncated", found.isTruncated)
    json.key("readings")
    json.beginArray()
    for reading in found.readings {
      json.beginObject()
      json.field("seq", Int64(reading.sequence))
      json.field("time", reading.time.rfc3339)
      json.field("value", reading.value)
      json.endObject()
    }
    json.endArray()
    json.endObject()
    return .success(.json(json.bytes))
  }

  private func sensorBuckets(
    id: String, query: ReadingQuery, width: Duration
  ) -> Result<HTTPResponse, APIError> {
    guard
      let found = index.buckets(
        of: id, since: query.since, until: query.until, width: width, limit: query.limit)
    else { return .failure(.noSuchSensor(id)) }
    var json = JSONWriter()
    json.beginObject()
    json.field("sensor", id)
    json.field("bucket_seconds", width.components.seconds)
    json.field("truncated", found.isTruncated)
    json.key("buckets")
    json.beginArray()
    for bucket in found.buckets {
      json.beginObject()
      json.field("time", bucket.start.rfc3339)
      json.field("count", bucket.count)
      json.field("mean", bucket.mean)
      json.field("min", bucket.minimum)
      json.field("max", bucket.maximum)
      json.endObject()
    }
    json.endArray()
    json.endObject()
    return .success(.json(json.bytes))
  }

  private mutating func publish(body: [UInt8], now: Instant) -> Result<HTTPResponse, APIError> {
    let batch: ReadingBatch
    do throws(ReadingBatchDecodingError) {
      batch = try ReadingBatch(jsonBytes: body)
    } catch {
      return .failure(APIError(status: .badRequest, code: "invalid_batch", message: "\(error)"))
    }
    if let problem = batch.problem() {
      return .failure(APIError(status: .badRequest, code: "invalid_batch", message: problem))
    }
    let acceptance = index.sortOut(batch)
    if !acceptance.accepted.isEmpty {
      let receivedAt = wallClock(at: now)
      let accepted = AcceptedBatch(
        applianceID: batch.applianceID, receivedAt: receivedAt, readings: acceptance.accepted)
      do throws(ReadingStoreError) {
        try store.append(accepted)
      } catch {
        return .failure(
          APIError(
            status: .serviceUnavailable, code: "store_unavailable",
            message: "readings not stored, retry later: \(error)"))
      }
      index.insert(acceptance.accepted, applianceID: batch.applianceID, receivedAt: receivedAt)
    }
    var json = JSONWriter()
    json.beginObject()
    json.field("accepted", acceptance.accepted.count)
    json.field("duplicates", acceptance.duplicateCount)
    json.field("acknowledged_seq", Int64(acceptance.acknowledgedSequence))
    json.endObject()
    return .success(.json(json.bytes))
  }
}
