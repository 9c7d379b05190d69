import JSON

/// A rule that raises an alert when a sensor's reading crosses a limit: soil moisture below
/// 25 % means "water me"; TVOC above 600 ppb means "check the fridge".
///
/// ```json
/// {"sensor": "soil", "quantity": "soil_moisture", "below": 25, "alert": "water me"}
/// ```
///
/// An alert is raised by the first reading past the limit and cleared only by a reading that
/// is back past the limit by `hysteresis` (27 % for that soil alert, with its default of 2
/// points), so that a value hovering on the limit, or a sensor's noise there, does not raise
/// and clear it over and over.
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
  /// How far back past the limit a reading must be to clear the raised alert, in the
  /// quantity's unit; positive.
  public var hysteresis: Double
  /// The message shown while the alert is raised.
  public var alert: String

  /// A threshold on `quantity` of sensor `sensorID`; `hysteresis` defaults to the quantity's
  /// (`defaultHysteresis(of:limit:)`).
  public init(
    sensorID: String, quantity: String, direction: Direction, limit: Double,
    hysteresis: Double? = nil, alert: String
  ) {
    self.sensorID = sensorID
    self.quantity = quantity
    self.direction = direction
    self.limit = limit
    self.hysteresis = hysteresis ?? Self.defaultHysteresis(of: quantity, limit: limit)
    self.alert = alert
  }

  /// Whether the alert asks for water, which a pump (the `pump-relay` role) gives: a `below`
  /// limit on soil moisture.
  public var callsForWatering: Bool {
    quantity == "soil_moisture" && direction == .below
  }

  /// Whether `value` is on the alerting side of the limit: it raises the alert.
  public func isCrossed(by value: Double) -> Bool {
    switch direction {
    case .below: return value < limit
    case .above: return value > limit
    }
  }

  /// Whether `value` is back past the limit by the hysteresis: it clears a raised alert.
  public func isCleared(by value: Double) -> Bool {
    switch direction {
    case .below: return value >= limit + hysteresis
    case .above: return value <= limit - hysteresis
    }
  }

  /// The hysteresis a threshold on `quantity` gets unless it gives one: a few times the
  /// noise of the chips that measure it, well below the changes that matter (a fridge warming
  /// by degrees, a pot drying by tens of points). For a quantity without its own figure, 5 %
  /// of the limit (or 1 if the limit is 0).
  public static func defaultHysteresis(of quantity: String, limit: Double) -> Double {
    switch quantity {
    case "temperature": return 0.5  // °C
    case "humidity": return 2  // %RH
    case "pressure": return 1  // hPa
    case "soil_moisture": return 2  // percentage points
    case "tvoc": return 50  // ppb
    case "eco2", "co2": return 100  // ppm
    default: return limit == 0 ? 1 : 0.05 * limit.magnitude
    }
  }
}

extension AlertThreshold: JSONDecodable {
  /// Decodes a threshold; that its sensor exists is checked by the profile.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(
      allowed: ["sensor", "quantity", "below", "above", "hysteresis", "alert"])
    let sensorID: String = try object.decode("sensor")
    let quantity: String = try object.decode("quantity")
    let alert: String = try object.decode("alert")
    guard !alert.isEmpty else {
      throw JSONDecodingError(.invalidValue("must not be empty"), path: [.key("alert")])
    }
    let below: Double? = try object.decodeIfPresent("below")
    let above: Double? = try object.decodeIfPresent("above")
    let direction: Direction
    let limit: Double
    switch (below, above) {
    case (let value?, nil):
      direction = .below
      limit = value
    case (nil, let value?):
      direction = .above
      limit = value
    default:
      throw JSONDecodingError(.invalidValue("give exactly one of \"below\" and \"above\""))
    }
    let hysteresis: Double? = try object.decodeIfPresent("hysteresis")
    if let hysteresis, !(hysteresis > 0) {
      throw JSONDecodingError(
        .invalidValue(
          "must be positive: without it, a value on the limit raises and clears the"
            + " alert over and over"),
        path: [.key("hysteresis")])
    }
    self.init(
      sensorID: sensorID, quantity: quantity, direction: direction, limit: limit,
      hysteresis: hysteresis, alert: alert)
  }
}
