import JSON

/// What an appliance uses a GPIO line for. Profiles name the roles they need; each board
/// description says which line serves each role on that board.
///
/// The names are the simulated GPIO chip's line names (`SimulatedGPIOChip.lineNames`).
public enum GPIORole: String, CaseIterable, Sendable {
  /// An LED that shows the appliance's state.
  case statusLED = "status-led"
  /// A switch that powers the sensors, so that a hung chip can be power-cycled.
  case sensorPower = "sensor-power"
  /// A relay that runs a watering pump.
  case pumpRelay = "pump-relay"

  /// The role called `name`, or an error (at the value being decoded) naming the known roles.
  static func named(_ name: String) throws(JSONDecodingError) -> GPIORole {
    guard let role = GPIORole(rawValue: name) else {
      let known = allCases.map { $0.rawValue }.joined(separator: ", ")
      throw JSONDecodingError(.invalidValue("unknown GPIO role \"\(name)\" (known: \(known))"))
    }
    return role
  }
}
