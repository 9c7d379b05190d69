import JSON
import Readings

/// What one kind of appliance measures and how: its sensors, the alerts on their readings,
/// the GPIO roles it drives and, with a pump, how it waters. One file per kind in `Sensors/`
/// (see Sensors/README.md).
///
/// A profile does not name pins: the same plant-pot profile runs on any board whose
/// description has the buses and GPIO roles it needs (`check(against:)`).
public struct SensorProfile: Equatable, Sendable {
  /// The appliance kind, an identifier such as `plant-pot`.
  public var kind: String
  /// A name for people, such as "Plant pot".
  public var name: String
  /// The sensors, in the order they are listed.
  public var sensors: [SensorConfiguration]
  /// The alerts raised on readings.
  public var thresholds: [AlertThreshold]
  /// The GPIO roles the appliance drives.
  public var gpioRoles: [GPIORole]
  /// How the pump waters: the profile's settings or the defaults if it has the `pump-relay`
  /// role, nil if it has no pump.
  public var pump: PumpSettings?

  /// The most sensors a profile may list; a bus of 7-bit addresses holds far fewer chips in
  /// practice, and the appliance's buffers are sized from this.
  public static let sensorsMax = 16
  /// The most thresholds a profile may list.
  public static let thresholdsMax = 32

  /// Parses and checks a profile from a file's bytes. `fileName` only labels errors.
  public static func parse(
    _ text: [UInt8], fileName: String
  ) throws(ConfigurationFileError) -> SensorProfile {
    try decodeConfigurationFile(text, fileName: fileName)
  }

  /// The sensor with `id`, if the profile has one.
  public func sensor(withID id: String) -> SensorConfiguration? {
    sensors.first { $0.id == id }
  }
}

extension SensorProfile: JSONDecodable {
  /// Decodes a profile and checks it on its own; a board is checked with `check(against:)`.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(
      allowed: ["kind", "name", "sensors", "thresholds", "gpio_roles", "pump"])
    kind = try object.decode("kind")
    guard Identifier.isValid(kind) else {
      throw JSONDecodingError(
        .invalidValue("an appliance kind is lower-case letters, digits, '.', '_' and '-'"),
        path: [.key("kind")])
    }
    name = try object.decode("name")
    sensors = try object.decode("sensors")
    thresholds = try object.decodeIfPresent("thresholds") ?? []
    let roleNames: [String] = try object.decodeIfPresent("gpio_roles") ?? []
    gpioRoles = []
    for (index, roleName) in roleNames.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [.key("gpio_roles"), .index(index)]
      let role: GPIORole
      do throws(JSONDecodingError) {
        role = try GPIORole.named(roleName)
      } catch {
        throw JSONDecodingError(error.reason, path: path)
      }
      guard !gpioRoles.contains(role) else {
        throw JSONDecodingError(.invalidValue("GPIO role \"\(roleName)\" listed twice"), path: path)
      }
      gpioRoles.append(role)
    }
    let pumpSettings: PumpSettings? = try object.decodeIfPresent("pump")
    guard pumpSettings == nil || gpioRoles.contains(.pumpRelay) else {
      throw JSONDecodingError(
        .invalidValue("pump settings, but no \"pump-relay\" among the gpio_roles"),
        path: [.key("pump")])
    }
    pump = gpioRoles.contains(.pumpRelay) ? pumpSettings ?? PumpSettings() : nil
    try checkSensors()
    try checkThresholds()
    try checkPump()
  }

  /// Sensors must have distinct ids and distinct places on the buses.
  private func checkSensors() throws(JSONDecodingError) {
    guard (1...Self.sensorsMax).contains(sensors.count) else {
      throw JSONDecodingError(
        .invalidValue("a profile lists 1 to \(Self.sensorsMax) sensors"), path: [.key("sensors")])
    }
    for (index, sensor) in sensors.enumerated() {
      for earlier in sensors[..<index] {
        if earlier.id == sensor.id {
          throw JSONDecodingError(
            .invalidValue("duplicate sensor id \"\(sensor.id)\""),
            path: [.key("sensors"), .index(index), .key("id")])
        }
        if earlier.bus == sensor.bus && earlier.address == sensor.address {
          throw JSONDecodingError(
            .invalidValue(
              "sensor \"\(earlier.id)\" already uses bus \(sensor.bus) address \(sensor.address)"),
            path: [.key("sensors"), .index(index), .key("address")])
        }
      }
    }
  }

  /// Thresholds must name a sensor of this profile and a quantity its chip measures.
  private func checkThresholds() throws(JSONDecodingError) {
    guard thresholds.count <= Self.thresholdsMax else {
      throw JSONDecodingError(
        .invalidValue("a profile lists at most \(Self.thresholdsMax) thresholds"),
        path: [.key("thresholds")])
    }
    for (index, threshold) in thresholds.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [.key("thresholds"), .index(index)]
      guard let sensor = sensor(withID: threshold.sensorID) else {
        throw JSONDecodingError(
          .invalidValue("no sensor with id \"\(threshold.sensorID)\" in this profile"),
          path: path + [.key("sensor")])
      }
      guard sensor.chip.quantities.contains(threshold.quantity) else {
        let measured = sensor.chip.quantities.joined(separator: ", ")
        throw JSONDecodingError(
          .invalidValue(
            "the \(sensor.chip.displayName) does not measure \"\(threshold.quantity)\""
              + " (it measures \(measured))"),
          path: path + [.key("quantity")])
      }
    }
  }

  /// A pump needs a threshold to act on, and time for a reading of the watered soil before it
  /// decides again.
  private func checkPump() throws(JSONDecodingError) {
    guard let pump, let roleIndex = gpioRoles.firstIndex(of: .pumpRelay) else { return }
    let wateringThresholds = thresholds.filter { $0.callsForWatering }
    guard !wateringThresholds.isEmpty else {
      throw JSONDecodingError(
        .invalidValue(
          "the pump waters when a \"below\" threshold on soil_moisture is raised, and this"
            + " profile has none"),
        path: [.key("gpio_roles"), .index(roleIndex)])
    }
    for threshold in wateringThresholds {
      guard let sensor = sensor(withID: threshold.sensorID),
        sensor.intervalSeconds > pump.soakSeconds
      else { continue }
      throw JSONDecodingError(
        .invalidValue(
          "\(pump.soakSeconds) s is shorter than sensor \"\(sensor.id)\"'s interval of"
            + " \(sensor.intervalSeconds) s: the pump would decide again before a reading of the"
            + " watered soil"),
        path: [.key("pump"), .key("soak_seconds")])
    }
  }
}
