import JSON

/// A sensor profile and the board it runs on, each checked on its own and against the other.
/// This is what an appliance loads at start, before it touches a bus:
///
/// ```swift
/// let configuration = try ApplianceConfiguration.load(
///   profile: profileBytes, profileFileName: "Sensors/plant-pot.json",
///   board: boardBytes, boardFileName: "Boards/rpi4b/board.json")
/// ```
public struct ApplianceConfiguration: Equatable, Sendable {
  /// The appliance's sensors, alerts and GPIO roles.
  public var profile: SensorProfile
  /// The board's buses and lines.
  public var board: BoardDescription

  /// Parses both files and checks them; every error names its file, line and column. A
  /// mismatch between the two is placed in the profile, which is the file to change.
  public static func load(
    profile profileText: [UInt8], profileFileName: String,
    board boardText: [UInt8], boardFileName: String
  ) throws(ConfigurationFileError) -> ApplianceConfiguration {
    let profile = try SensorProfile.parse(profileText, fileName: profileFileName)
    let board = try BoardDescription.parse(boardText, fileName: boardFileName)
    do throws(JSONDecodingError) {
      try profile.check(against: board)
    } catch {
      throw ConfigurationFileError(error, in: profileText, fileName: profileFileName)
    }
    return ApplianceConfiguration(profile: profile, board: board)
  }
}

extension SensorProfile {
  /// Checks that `board` can run this profile: every sensor's bus exists on it, every GPIO
  /// role has a line on it, and on a simulated board a chip model sits at every sensor's
  /// place. The error's path is in the profile.
  public func check(against board: BoardDescription) throws(JSONDecodingError) {
    for (index, sensor) in sensors.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [.key("sensors"), .index(index)]
      guard board.hasI2CBus(sensor.bus) else {
        let buses = board.i2cBuses.map { "\($0.bus)" }.joined(separator: ", ")
        throw JSONDecodingError(
          .invalidValue(
            "board \(board.board) has no I2C bus \(sensor.bus) (its user buses: \(buses))"),
          path: path + [.key("bus")])
      }
      let isSimulated = board.simulatedDevices.contains {
        $0.chip == sensor.chip && $0.bus == sensor.bus && $0.address == sensor.address
      }
      guard board.simulatedDevices.isEmpty || isSimulated else {
        throw JSONDecodingError(
          .invalidValue(
            "board \(board.board) simulates no \(sensor.chip.displayName) on bus \(sensor.bus)"
              + " at \(sensor.address)"),
          path: path)
      }
    }
    for (index, role) in gpioRoles.enumerated() where board.line(for: role) == nil {
      throw JSONDecodingError(
        .invalidValue("board \(board.board) has no line for the \(role.rawValue) role"),
        path: [.key("gpio_roles"), .index(index)])
    }
  }
}
