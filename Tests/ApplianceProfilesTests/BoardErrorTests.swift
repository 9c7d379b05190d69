import ApplianceProfiles
import XCTest

/// Mistakes in a board description, and profiles that do not fit a board, are refused with
/// the line and column of the value to fix.
final class BoardErrorTests: XCTestCase {
  /// A small Pi-like board; `gpio` replaces its GPIO section.
  private func board(
    gpio: String =
      #"{"chip": "gpiochip0", "free_lines": [{"line": 4, "header_pin": 7}, {"line": 17, "header_pin": 11}], "role_lines": {"status-led": 4, "pump-relay": 17}}"#,
    extra: String = ""
  ) -> String {
    """
    {
      "board": "tiny",
      "model": "Tiny Pi",
      "soc": "BCM2711",
      "i2c_buses": [{"bus": 1, "sda": {"line": 2, "header_pin": 3}, "scl": {"line": 3, "header_pin": 5}}],
      "gpio": \(gpio)\(extra)
    }
    """
  }

  private func assertBoardError(
    _ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try BoardDescription.parse(Array(text.utf8), fileName: "board.json")) {
      XCTAssertEqual("\($0)", expected, file: file, line: line)
    }
  }

  func testValidBoardParses() throws {
    let parsed = try BoardDescription.parse(Array(board().utf8), fileName: "board.json")
    XCTAssertEqual(parsed.line(for: .pumpRelay), 17)
    XCTAssertNil(parsed.line(for: .sensorPower))
    XCTAssertTrue(parsed.hasI2CBus(1))
    XCTAssertFalse(parsed.hasI2CBus(0))
  }

  func testRoleOnALineTheBoardDoesNotHave() {
    let gpio =
      #"{"chip": "gpiochip0", "free_lines": [{"line": 4}], "role_lines": {"pump-relay": 40}}"#
    assertBoardError(
      board(gpio: gpio),
      "board.json:6:91: gpio.role_lines.pump-relay: line 40 is not among this board's free lines")
  }

  func testUnknownRoleOnTheBoard() {
    let gpio = #"{"chip": "gpiochip0", "free_lines": [{"line": 4}], "role_lines": {"fan": 4}}"#
    assertBoardError(
      board(gpio: gpio),
      "board.json:6:84: gpio.role_lines.fan: unknown GPIO role \"fan\""
        + " (known: status-led, sensor-power, pump-relay)")
  }

  func testFreeLineTakenByTheI2CBus() {
    let gpio = #"{"chip": "gpiochip0", "free_lines": [{"line": 4}, {"line": 2}], "role_lines": {}}"#
    assertBoardError(
      board(gpio: gpio),
      "board.json:6:61: gpio.free_lines[1]: line 2 is taken by an I2C bus")
  }

  func testTwoRolesOnOneLine() {
    let gpio =
      #"{"chip": "gpiochip0", "free_lines": [{"line": 4}], "role_lines": {"status-led": 4, "pump-relay": 4}}"#
    assertBoardError(
      board(gpio: gpio),
      "board.json:6:108: gpio.role_lines.pump-relay: line 4 already serves status-led")
  }

  func testSimulatedDeviceOnAMissingBus() {
    let devices = #",\n  "simulated_devices": [{"chip": "sgp30", "bus": 2, "address": "0x58"}]"#
      .replacingOccurrences(of: "\\n", with: "\n")
    assertBoardError(
      board(extra: devices),
      "board.json:7:50: simulated_devices[0].bus: this board has no I2C bus 2")
  }

  func testProfileOnABusTheBoardDoesNotHave() throws {
    let profile = """
      {
        "kind": "fridge",
        "name": "Fridge",
        "sensors": [
          {"id": "voc", "chip": "sgp30", "bus": 3, "address": "0x58", "interval_seconds": 10}
        ]
      }
      """
    XCTAssertThrowsError(
      try ApplianceConfiguration.load(
        profile: Array(profile.utf8), profileFileName: "fridge.json",
        board: Array(board().utf8), boardFileName: "board.json")
    ) {
      XCTAssertEqual(
        "\($0)", "fridge.json:5:43: sensors[0].bus: board tiny has no I2C bus 3 (its user buses: 1)"
      )
    }
  }

  func testProfileNeedingARoleTheBoardDoesNotWire() {
    let profile = """
      {"kind": "plant-pot", "name": "Pot",
       "sensors": [{"id": "soil", "chip": "seesaw", "bus": 1, "address": "0x36",
                    "interval_seconds": 60, "calibration": {"dry": 300, "wet": 1000}}],
       "gpio_roles": ["status-led", "sensor-power"]}
      """
    XCTAssertThrowsError(
      try ApplianceConfiguration.load(
        profile: Array(profile.utf8), profileFileName: "pot.json",
        board: Array(board().utf8), boardFileName: "board.json")
    ) {
      XCTAssertEqual(
        "\($0)", "pot.json:4:31: gpio_roles[1]: board tiny has no line for the sensor-power role")
    }
  }

  func testProfileSensorTheSimulatedBoardDoesNotModel() throws {
    let simulated = try repositoryFile("Boards/sim/board.json")
    let profile = """
      {"kind": "fridge", "name": "Fridge", "sensors": [
        {"id": "air", "chip": "bme280", "bus": 1, "address": "0x76", "interval_seconds": 30}]}
      """
    XCTAssertThrowsError(
      try ApplianceConfiguration.load(
        profile: Array(profile.utf8), profileFileName: "fridge.json",
        board: simulated, boardFileName: "Boards/sim/board.json")
    ) {
      XCTAssertEqual(
        "\($0)", "fridge.json:2:3: sensors[0]: board sim simulates no BME280 on bus 1 at 0x76")
    }
  }
}
