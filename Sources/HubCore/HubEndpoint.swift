import HTTP

/// The hub's routes. The router maps a method and path to one of these; `HubService` answers it.
public enum HubEndpoint: Sendable, Equatable {
  /// `GET /`: the dashboard page.
  case dashboard
  /// `GET /api/v1/health`.
  case health
  /// `GET /api/v1/openapi.json`.
  case openAPIDocument
  /// `GET /api/v1/sensors`.
  case sensors
  /// `GET /api/v1/sensors/{id}`.
  case sensor
  /// `GET /api/v1/sensors/{id}/readings`.
  case sensorReadings
  /// `POST /api/v1/readings`.
  case publishReadings

  /// The largest batch body the hub accepts: 5,000 readings of about 200 bytes each, over an
  /// hour of one sensor at 1 Hz, which an appliance delivers at once after the hub was away.
  /// It is also the JSON parser's document limit.
  public static let maximumBatchBytes = 1 << 20

  /// Every route of the hub API: method, path pattern, endpoint and body limit. The OpenAPI
  /// document is checked against this table.
  public static let routes:
    [(method: HTTPMethod, pattern: String, endpoint: HubEndpoint, maximumBodyBytes: Int)] = [
      (.get, "/", .dashboard, 0),
      (.get, "/api/v1/health", .health, 0),
      (.get, "/api/v1/openapi.json", .openAPIDocument, 0),
      (.get, "/api/v1/sensors", .sensors, 0),
      (.get, "/api/v1/sensors/{id}", .sensor, 0),
      (.get, "/api/v1/sensors/{id}/readings", .sensorReadings, 0),
      (.post, "/api/v1/readings", .publishReadings, maximumBatchBytes),
    ]

  /// A router over `routes`.
  public static func router() -> HTTPRouter<HubEndpoint> {
    var router = HTTPRouter<HubEndpoint>()
    for route in routes {
      router.add(
        route.method, route.pattern, route.endpoint, maximumBodyBytes: route.maximumBodyBytes)
    }
    return router
  }
}
