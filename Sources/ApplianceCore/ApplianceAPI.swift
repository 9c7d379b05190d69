import ApplianceProfiles
import BoardSupport
import HTTP
import JSON
import Readings
import Time

/// The appliance's local JSON API, over the same HTTP code as the hub's:
///
///     GET /api/v1/sensors               every sensor with its latest reading
///     GET /api/v1/sensors/{id}/latest   one sensor's latest reading (404 if it has none yet)
///     GET /api/v1/health                the board, each chip's state, the outbox, the raised
///                                       alerts, the sensors' power and the pump
///     GET /api/v1/alerts                every alert of the profile, raised or clear
///
/// Errors have the hub's shape, `{"error":{"code":...,"message":...}}`.
public struct ApplianceAPI: HTTPResponder {
  /// What a route answers.
  public enum Endpoint: Sendable, Equatable {
    /// Every sensor.
    case sensors
    /// One sensor's latest reading.
    case latest
    /// The appliance's health.
    case health
    /// The alerts.
    case alerts
  }

  /// The appliance's state, which the runtime keeps up to date.
  public var status: ApplianceStatus
  private let router: HTTPRouter<Endpoint>

  /// An API over `status`.
  public init(status: ApplianceStatus) {
    self.status = status
    var router = HTTPRouter<Endpoint>()
    router.add(.get, "/api/v1/sensors", .sensors)
    router.add(.get, "/api/v1/sensors/{id}/latest", .latest)
    router.add(.get, "/api/v1/health", .health)
    router.add(.get, "/api/v1/alerts", .alerts)
    self.router = router
  }

  public func maximumBodyBytes(for head: HTTPRequestHead) -> Int {
    0  // Every route is a GET; a body is refused with 413.
  }

  public mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    switch router.match(request.head) {
    case .notFound:
      return Self.error(.notFound, "no route for \(request.head.path)")
    case .methodNotAllowed(let allowed):
      var response = Self.error(.methodNotAllowed, "\(request.head.method) is not allowed here")
      response.headers.add(name: "Allow", value: HTTPRouter<Endpoint>.allowHeaderValue(allowed))
      return response
    case .found(.sensors, _, _):
      var json = JSONWriter()
      json.beginObject()
      json.key("sensors")
      json.beginArray()
      for reading in status.latestReadings { writeSensor(reading, to: &json) }
      json.endArray()
      json.endObject()
      return Self.json(json.bytes)
    case .found(.latest, let parameters, _):
      let id = parameters["id"] ?? ""
      guard let reading = status.latestReadings.first(where: { $0.sensorID == id }) else {
        return Self.error(.notFound, "no readings from sensor '\(id)' yet")
      }
      var json = JSONWriter()
      writeSensor(reading, to: &json)
      return Self.json(json.bytes)
    case .found(.health, _, _):
      return Self.json(healthDocument())
    case .found(.alerts, _, _):
      var json = JSONWriter()
      json.beginObject()
      json.key("alerts")
      json.beginArray()
      for alert in status.control?.alerts.alerts ?? [] { writeAlert(alert, to: &json) }
      json.endArray()
      json.endObject()
      return Self.json(json.bytes)
    }
  }

  public func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    Self.error(status, message)
  }

  private func writeSensor(_ reading: Reading, to json: inout JSONWriter) {
    json.beginObject()
    json.field("id", reading.sensorID)
    json.field("quantity", reading.quantity)
    json.field("unit", reading.unit)
    json.key("latest")
    json.beginObject()
    json.field("seq", Int64(reading.sequence))
    json.field("time", reading.time.rfc3339)
    json.field("value", reading.value)
    json.endObject()
    json.endObject()
  }

  private func healthDocument() -> [UInt8] {
    var json = JSONWriter()
    json.beginObject()
    json.field("status", status.isHealthy ? "ok" : "degraded")
    json.field("appliance", status.applianceID)
    json.field("board", status.board)
    json.key("chips")
    json.beginArray()
    for chip in status.chips {
      json.beginObject()
      json.field("address", "\(chip.address)")
      json.field("chip", chip.name)
      switch chip.state {
      case .starting: json.field("state", "starting")
      case .measuring: json.field("state", "measuring")
      case .failing(let message):
        json.field("state", "failing")
        json.field("error", message)
      }
      json.endObject()
    }
    json.endArray()
    json.key("outbox")
    json.beginObject()
    json.field("waiting", status.outboxWaitingCount)
    json.field("capacity", status.outboxCapacity)
    json.field("downsampled", status.outboxDownsampledCount)
    json.field("delivered_seq", Int64(status.deliveredSequence))
    json.endObject()
    json.key("alerts")
    json.beginArray()
    for alert in status.control?.alerts.raisedAlerts ?? [] { writeAlert(alert, to: &json) }
    json.endArray()
    if let sensorPower = status.control?.sensorPower {
      json.key("sensor_power")
      json.beginObject()
      switch sensorPower.state {
      case .on: json.field("state", "on")
      case .off: json.field("state", "off")
      case .poweringUp: json.field("state", "powering_up")
      }
      json.field("cycles", sensorPower.cycleCount)
      json.endObject()
    }
    if let pump = status.control?.pump {
      writePump(pump, to: &json)
    }
    json.endObject()
    return json.bytes
  }

  /// An alert as `/api/v1/alerts` and `/api/v1/health` list it: the rule, its state, since
  /// when it is raised, and the latest value compared.
  private func writeAlert(_ alert: AlertMonitor.Alert, to json: inout JSONWriter) {
    let threshold = alert.threshold
    json.beginObject()
    json.field("sensor", "\(status.applianceID).\(alert.sensorName)")
    json.field("quantity", threshold.quantity)
    switch threshold.direction {
    case .below: json.field("below", threshold.limit)
    case .above: json.field("above", threshold.limit)
    }
    json.field("hysteresis", threshold.hysteresis)
    json.field("alert", threshold.alert)
    json.field("state", alert.isRaised ? "raised" : "clear")
    if let raisedAt = alert.raisedAt { json.field("since", raisedAt.rfc3339) }
    if let value = alert.latestValue { json.field("value", value) }
    json.endObject()
  }

  private func writePump(_ pump: PumpController, to json: inout JSONWriter) {
    json.key("pump")
    json.beginObject()
    json.field("relay", pump.relayLevel == .high ? "on" : "off")
    switch pump.state {
    case .idle: json.field("state", pump.isCapped ? "capped" : "idle")
    case .running: json.field("state", "running")
    case .soaking: json.field("state", "soaking")
    }
    json.field("runs_last_24h", pump.runsInLastDay)
    json.field("runs_per_day_max", pump.settings.runsPerDayMax)
    json.field("run_seconds", pump.settings.runSeconds)
    json.field("soak_seconds", pump.settings.soakSeconds)
    if let lastRunTime = pump.lastRunTime { json.field("last_run", lastRunTime.rfc3339) }
    json.endObject()
  }

  private static func json(_ body: [UInt8]) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: "application/json")
    headers.add(name: "Cache-Control", value: "no-store")
    return HTTPResponse(status: .ok, headers: headers, body: body)
  }

  private static func error(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("error")
    writer.beginObject()
    writer.field("code", snakeCase(status.reasonPhrase))
    writer.field("message", message)
    writer.endObject()
    writer.endObject()
    var response = json(writer.bytes)
    response.status = status
    return response
  }

  /// `not_found` for `Not Found`: the error codes the hub uses too.
  private static func snakeCase(_ phrase: String) -> String {
    var code: [UInt8] = []
    for byte in phrase.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): code.append(byte + 32)
      case UInt8(ascii: " "), UInt8(ascii: "-"): code.append(UInt8(ascii: "_"))
      default: code.append(byte)
      }
    }
    return String(decoding: code, as: UTF8.self)
  }
}
