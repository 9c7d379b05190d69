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

  /// The largest batch body the hub accepts: 1000 readings of about 200 bytes each.
  public static let maximumBatchBytes = 256 * 1024

  /// Every route of the hub API.
  public static func router() -> HTTPRouter<HubEndpoint> {
    var router = HTTPRouter<HubEndpoint>()
    router.add(.get, "/", .dashboard)
    router.add(.get, "/api/v1/health", .health)
    router.add(.get, "/api/v1/openapi.json", .openAPIDocument)
    router.add(.get, "/api/v1/sensors", .sensors)
    router.add(.get, "/api/v1/sensors/{id}", .sensor)
    router.add(.get, "/api/v1/sensors/{id}/readings", .sensorReadings)
    router.add(.post, "/api/v1/readings", .publishReadings, maximumBodyBytes: maximumBatchBytes)
    return router
  }
}
