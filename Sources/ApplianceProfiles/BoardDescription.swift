import JSON
import Readings

/// What an appliance needs to know about the board it runs on: the I2C buses a user can wire
/// sensors to, the GPIO lines free on the header, and which line serves each `GPIORole`.
/// One file per board, `Boards/<board>/board.json` (see Boards/README.md).
public struct BoardDescription: Equatable, Sendable {
  /// A GPIO line and, on boards with a pin header, the header pin it comes out on.
  public struct Line: Equatable, Sendable {
    /// The line's offset on the GPIO chip (the BCM GPIO number on a Raspberry Pi).
    public var line: Int
    /// The physical pin on the 40-pin header, if the board has one.
    public var headerPin: Int?

    /// Line `line`, on header pin `headerPin` if there is a header.
    public init(line: Int, headerPin: Int? = nil) {
      self.line = line
      self.headerPin = headerPin
    }
  }

  /// An I2C bus available to the user, and the lines it takes.
  public struct I2CBus: Equatable, Sendable {
    /// The bus number (`/dev/i2c-<bus>` on Linux).
    public var bus: Int
    /// The data line; nil on a simulated board.
    public var dataLine: Line?
    /// The clock line; nil on a simulated board.
    public var clockLine: Line?
  }

  /// The line that serves a GPIO role on this board.
  public struct RoleLine: Equatable, Sendable {
    /// The role.
    public var role: GPIORole
    /// The line's offset on the GPIO chip.
    public var line: Int
  }

  /// The board's short name, as its folder is called: `rpi4b`.
  public var board: String
  /// The model as its maker names it.
  public var model: String
  /// The system on chip.
  public var systemOnChip: String
  /// The I2C buses a user can wire sensors to.
  public var i2cBuses: [I2CBus]
  /// The GPIO chip's name, as the kernel calls it (`gpiochip0`).
  public var gpioChip: String
  /// The lines free for the appliance's use.
  public var freeLines: [Line]
  /// The line that serves each role this board wires.
  public var roleLines: [RoleLine]
  /// On a simulated board, the chips on its buses; empty on real boards.
  public var simulatedDevices: [SimulatedDevice]

  /// The highest pin number on a Raspberry Pi's header.
  public static let headerPinMax = 40

  /// Parses and checks a board description from a file's bytes. `fileName` only labels errors.
  public static func parse(
    _ text: [UInt8], fileName: String
  ) throws(ConfigurationFileError) -> BoardDescription {
    try decodeConfigurationFile(text, fileName: fileName)
  }

  /// The line serving `role`, if the board wires one.
  public func line(for role: GPIORole) -> Int? {
    roleLines.first { $0.role == role }?.line
  }

  /// Whether the board has user I2C bus `bus`.
  public func hasI2CBus(_ bus: Int) -> Bool {
    i2cBuses.contains { $0.bus == bus }
  }
}

extension BoardDescription: JSONDecodable {
  /// Decodes a board description and checks that its buses, lines and roles agree.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(
      allowed: ["board", "model", "soc", "i2c_buses", "gpio", "simulated_devices"])
    board = try object.decode("board")
    guard Identifier.isValid(board) else {
      throw JSONDecodingError(
        .invalidValue("a board name is lower-case letters, digits, '.', '_' and '-'"),
        path: [.key("board")])
    }
    model = try object.decode("model")
    systemOnChip = try object.decode("soc")
    i2cBuses = try object.decode("i2c_buses")
    let gpio: JSONObject = try object.decode("gpio")
    do throws(JSONDecodingError) {
      try gpio.rejectUnknownKeys(allowed: ["chip", "free_lines", "role_lines"])
      gpioChip = try gpio.decode("chip")
      freeLines = try gpio.decode("free_lines")
      roleLines = try Self.decodeRoleLines(try gpio.decode("role_lines"))
    } catch {
      throw error.prefixed(with: .key("gpio"))
    }
    simulatedDevices = try object.decodeIfPresent("simulated_devices") ?? []
    try checkBuses()
    try checkLines()
    try checkSimulatedDevices()
  }

  private static func decodeRoleLines(
    _ object: JSONObject
  ) throws(JSONDecodingError) -> [RoleLine] {
    var roleLines: [RoleLine] = []
    for member in object.members {
      do throws(JSONDecodingError) {
        roleLines.append(
          RoleLine(role: try GPIORole.named(member.key), line: try Int(json: member.value)))
      } catch {
        throw error.prefixed(with: .key(member.key)).prefixed(with: .key("role_lines"))
      }
    }
    return roleLines
  }

  private func checkBuses() throws(JSONDecodingError) {
    for (index, bus) in i2cBuses.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [.key("i2c_buses"), .index(index)]
      guard !i2cBuses[..<index].contains(where: { $0.bus == bus.bus }) else {
        throw JSONDecodingError(
          .invalidValue("I2C bus \(bus.bus) is listed twice"), path: path + [.key("bus")])
      }
    }
  }

  /// Free lines are distinct and not taken by a bus; each role has a free line of its own.
  private func checkLines() throws(JSONDecodingError) {
    let busLines = i2cBuses.flatMap { [$0.dataLine, $0.clockLine].compactMap { $0 } }
    for (index, line) in freeLines.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [
        .key("gpio"), .key("free_lines"), .index(index),
      ]
      if freeLines[..<index].contains(where: { $0.line == line.line }) {
        throw JSONDecodingError(.invalidValue("line \(line.line) is listed twice"), path: path)
      }
      if let pin = line.headerPin, freeLines[..<index].contains(where: { $0.headerPin == pin }) {
        throw JSONDecodingError(.invalidValue("header pin \(pin) is listed twice"), path: path)
      }
      if busLines.contains(where: { $0.line == line.line }) {
        throw JSONDecodingError(
          .invalidValue("line \(line.line) is taken by an I2C bus"), path: path)
      }
    }
    for (index, entry) in roleLines.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [
        .key("gpio"), .key("role_lines"), .key(entry.role.rawValue),
      ]
      guard freeLines.contains(where: { $0.line == entry.line }) else {
        throw JSONDecodingError(
          .invalidValue("line \(entry.line) is not among this board's free lines"), path: path)
      }
      if let other = roleLines[..<index].first(where: { $0.line == entry.line }) {
        throw JSONDecodingError(
          .invalidValue("line \(entry.line) already serves \(other.role.rawValue)"), path: path)
      }
    }
  }

  private func checkSimulatedDevices() throws(JSONDecodingError) {
    for (index, device) in simulatedDevices.enumerated() {
      let path: [JSONDecodingError.PathComponent] = [.key("simulated_devices"), .index(index)]
      guard hasI2CBus(device.bus) else {
        throw JSONDecodingError(
          .invalidValue("this board has no I2C bus \(device.bus)"), path: path + [.key("bus")])
      }
      let isTaken = simulatedDevices[..<index].contains {
        $0.bus == device.bus && $0.address == device.address
      }
      guard !isTaken else {
        throw JSONDecodingError(
          .invalidValue("another device already answers at bus \(device.bus) \(device.address)"),
          path: path + [.key("address")])
      }
    }
  }
}

extension BoardDescription.Line: JSONDecodable {
  /// `{"line": 17, "header_pin": 11}`; the header pin is left out on boards without a header.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["line", "header_pin"])
    line = try object.decodeInteger("line", in: 0...1023)
    headerPin = try object.decodeIntegerIfPresent(
      "header_pin", in: 1...BoardDescription.headerPinMax)
  }
}

extension BoardDescription.I2CBus: JSONDecodable {
  /// `{"bus": 1, "sda": {"line": 2, "header_pin": 3}, "scl": {"line": 3, "header_pin": 5}}`.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["bus", "sda", "scl"])
    bus = try object.decodeInteger("bus", in: 0...SensorConfiguration.busNumberMax)
    dataLine = try object.decodeIfPresent("sda")
    clockLine = try object.decodeIfPresent("scl")
    guard (dataLine == nil) == (clockLine == nil) else {
      throw JSONDecodingError(.invalidValue("give both \"sda\" and \"scl\", or neither"))
    }
  }
}
