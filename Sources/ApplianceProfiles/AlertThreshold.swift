import JSON

/// A rule that raises an alert when a sensor's reading crosses a limit: soil moisture below
/// 25 % means "water me"; TVOC above 600 ppb means "check the fridge".
///
/// ```json
/// {"sensor": "soil", "quantity": "soil_moisture", "below": 25, "alert": "water me"}
/// ```
public struct AlertThreshold: Equatable, Sendable {
  /// Which side of the limit raises the alert.
  public enum Direction: Equatable, Sendable {
    /// The alert is raised while the reading is below the limit.
    case below
    /// The alert is raised while the reading is above the limit.
    case above
  }

  /// The id of the sensor whose readings are compared.
  public var sensorID: String
  /// The quantity compared, one the sensor's chip measures (`SensorChip.quantities`).
  public var quantity: String
  /// Which side of `limit` raises the alert.
  public var direction: Direction
  /// The limit, in the quantity's unit.
  public var limit: Double
  /// The message shown while the alert is raised.
  public var alert: String

  /// Whether `value` is on the alerting side of the limit.
  public func isCrossed(by value: Double) -> Bool {
    switch direction {
    case .below: return value < limit
    case .above: return value > limit
    }
  }
}

extension AlertThreshold: JSONDecodable {
  /// Decodes a threshold; that its sensor exists is checked by the profile.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["sensor", "quantity", "below", "above", "alert"])
    sensorID = try object.decode("sensor")
    quantity = try object.decode("quantity")
    alert = try object.decode("alert")
    guard !alert.isEmpty else {
      throw JSONDecodingError(.invalidValue("must not be empty"), path: [.key("alert")])
    }
    let below: Double? = try object.decodeIfPresent("below")
    let above: Double? = try object.decodeIfPresent("above")
    switch (below, above) {
    case (let limit?, nil):
      direction = .below
      self.limit = limit
    case (nil, let limit?):
      direction = .above
      self.limit = limit
    default:
      throw JSONDecodingError(.invalidValue("give exactly one of \"below\" and \"above\""))
    }
  }
}
