import ApplianceProfiles
import XCTest

/// Each mistake in a sensor profile is refused with a message naming its line and column.
final class ProfileErrorTests: XCTestCase {
  /// A valid profile with `sensors` spliced in, one per line from line 4.
  private func profile(sensors: [String], extra: String = "") -> String {
    """
    {
      "kind": "fridge",
      "name": "Fridge",
      "sensors": [
    \(sensors.map { "    " + $0 }.joined(separator: ",\n"))
      ]\(extra)
    }
    """
  }

  private func assertProfileError(
    _ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try SensorProfile.parse(Array(text.utf8), fileName: "fridge.json")) {
      XCTAssertEqual("\($0)", expected, file: file, line: line)
    }
  }

  private let sgp30 =
    #"{"id": "voc", "chip": "sgp30", "bus": 1, "address": "0x58", "interval_seconds": 10}"#

  func testValidProfileParses() throws {
    let parsed = try SensorProfile.parse(Array(profile(sensors: [sgp30]).utf8), fileName: "f")
    XCTAssertEqual(parsed.sensors.first?.chip, .sgp30)
  }

  func testSyntaxErrorIsPlacedByLineAndColumn() {
    assertProfileError(
      profile(sensors: [sgp30 + ","]),
      "fridge.json:6:3: invalid JSON: trailing comma in array")
  }

  func testUnknownChip() {
    let sensor =
      #"{"id": "voc", "chip": "sgp40", "bus": 1, "address": "0x59", "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [sgp30.replacingOccurrences(of: "voc", with: "other"), sensor]),
      "fridge.json:6:27: sensors[1].chip: unknown chip \"sgp40\""
        + " (known: sgp30, scd4x, bme280, bme680, ccs811, seesaw, ads1115, tmp105)")
  }

  func testAddressOutsideSevenBits() {
    let sensor =
      #"{"id": "voc", "chip": "sgp30", "bus": 1, "address": "0x99", "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [sensor]),
      "fridge.json:5:57: sensors[0].address: 0x99 is not a 7-bit I2C address (0x08 to 0x77;"
        + " the others are reserved by the I2C specification); if that is the 8-bit form, the"
        + " 7-bit address is 0x4C")
  }

  func testAddressTheChipDoesNotSupport() {
    let sensor =
      #"{"id": "air", "chip": "bme280", "bus": 1, "address": 120, "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [sensor]),
      "fridge.json:5:58: sensors[0].address: 0x78 is not a 7-bit I2C address (0x08 to 0x77;"
        + " the others are reserved by the I2C specification)")
    let other =
      #"{"id": "air", "chip": "bme280", "bus": 1, "address": "0x78", "interval_seconds": 10}"#
      .replacingOccurrences(of: "0x78", with: "0x75")
    assertProfileError(
      profile(sensors: [other]),
      "fridge.json:5:58: sensors[0].address: the BME280 does not answer at 0x75 (only 0x76, 0x77)")
    assertProfileError(
      profile(sensors: [other.replacingOccurrences(of: "bme280", with: "bme680")]),
      "fridge.json:5:58: sensors[0].address: the BME680 does not answer at 0x75 (only 0x76, 0x77)")
    // A0 to GND or V+: the TMP105 has two addresses, where the ADS1115 has four.
    let thermometer =
      #"{"id": "air", "chip": "tmp105", "bus": 1, "address": "0x4A", "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [thermometer]),
      "fridge.json:5:58: sensors[0].address: the TMP105 does not answer at 0x4A (only 0x48, 0x49)")
  }

  /// The BME680's gas resistance is a quantity thresholds may name; a TMP105 measures only
  /// temperature.
  func testThresholdsOnTheQuantitiesOfTheBME680AndTheTMP105() throws {
    let sensors = [
      #"{"id": "air", "chip": "bme680", "bus": 1, "address": "0x76", "interval_seconds": 10}"#,
      #"{"id": "shelf", "chip": "tmp105", "bus": 1, "address": "0x48", "interval_seconds": 10}"#,
    ]
    let gas =
      #",\n  "thresholds": [{"sensor": "air", "quantity": "gas_resistance", "below": 20000, "alert": "stale air"}]"#
      .replacingOccurrences(of: "\\n", with: "\n")
    let parsed = try SensorProfile.parse(
      Array(profile(sensors: sensors, extra: gas).utf8), fileName: "f")
    XCTAssertEqual(parsed.sensors.map(\.chip), [.bme680, .tmp105])
    XCTAssertEqual(parsed.thresholds.first?.quantity, "gas_resistance")
    let damp = gas.replacingOccurrences(
      of: #""air", "quantity": "gas_resistance""#, with: #""shelf", "quantity": "humidity""#)
    assertProfileError(
      profile(sensors: sensors, extra: damp),
      "fridge.json:8:50: thresholds[0].quantity: the TMP105 does not measure \"humidity\""
        + " (it measures temperature)")
  }

  func testTwoSensorsAtOnePlace() {
    let second =
      #"{"id": "voc2", "chip": "sgp30", "bus": 1, "address": "0x58", "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [sgp30, second]),
      "fridge.json:6:58: sensors[1].address: sensor \"voc\" already uses bus 1 address 0x58")
  }

  func testTheSameAddressOnAnotherBusIsFine() throws {
    let second =
      #"{"id": "voc2", "chip": "sgp30", "bus": 3, "address": "0x58", "interval_seconds": 10}"#
    XCTAssertNoThrow(
      try SensorProfile.parse(Array(profile(sensors: [sgp30, second]).utf8), fileName: "f"))
  }

  func testDuplicateSensorID() {
    let second =
      #"{"id": "voc", "chip": "scd4x", "bus": 1, "address": "0x62", "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [sgp30, second]),
      "fridge.json:6:12: sensors[1].id: duplicate sensor id \"voc\"")
  }

  func testIntervalBelowTheChipsMinimum() {
    let sensor =
      #"{"id": "co2", "chip": "scd4x", "bus": 1, "address": "0x62", "interval_seconds": 2}"#
    assertProfileError(
      profile(sensors: [sensor]),
      "fridge.json:5:85: sensors[0].interval_seconds: 2 s is below the SCD4x's minimum interval"
        + " of 5 s")
  }

  func testReversedAndEqualCalibration() {
    let reversed =
      #"{"id": "soil", "chip": "seesaw", "bus": 1, "address": "0x36", "interval_seconds": 60, "calibration": {"dry": 1000, "wet": 300}}"#
    assertProfileError(
      profile(sensors: [reversed]),
      "fridge.json:5:106: sensors[0].calibration: dry and wet are reversed: dry must be below wet,"
        + " as the seesaw's capacitance count rises as the soil gets wetter")
    let equal =
      #"{"id": "soil", "chip": "ads1115", "bus": 1, "address": "0x48", "interval_seconds": 60, "channel": 1, "full_scale_volts": 4.096, "calibration": {"dry": 2, "wet": 2}}"#
    assertProfileError(
      profile(sensors: [equal]),
      "fridge.json:5:148: sensors[0].calibration: dry and wet readings are equal; an analog"
        + " capacitive probe's voltage falls as the soil gets wetter")
    let analogReversed = equal.replacingOccurrences(of: #""dry": 2"#, with: #""dry": 1"#)
    assertProfileError(
      profile(sensors: [analogReversed]),
      "fridge.json:5:148: sensors[0].calibration: dry and wet are reversed: dry must be above wet,"
        + " as an analog capacitive probe's voltage falls as the soil gets wetter")
  }

  func testCalibrationBeyondTheGainsRange() {
    let sensor =
      #"{"id": "soil", "chip": "ads1115", "bus": 1, "address": "0x48", "interval_seconds": 60, "channel": 1, "full_scale_volts": 2.048, "calibration": {"dry": 2.75, "wet": 1.25}}"#
    assertProfileError(
      profile(sensors: [sensor]),
      "fridge.json:5:156: sensors[0].calibration.dry: outside the range the chip can read")
  }

  func testUnknownField() {
    let sensor = sgp30.replacingOccurrences(of: #""bus""#, with: #""buss""#)
    assertProfileError(
      profile(sensors: [sensor]), "fridge.json:5:44: sensors[0].buss: unknown field")
  }

  func testMissingFieldPointsAtTheObject() {
    let sensor = #"{"id": "voc", "chip": "sgp30", "address": "0x58", "interval_seconds": 10}"#
    assertProfileError(
      profile(sensors: [sensor]), "fridge.json:5:5: sensors[0].bus: required key is missing")
  }

  func testUnknownAndRepeatedGPIORoles() {
    assertProfileError(
      profile(sensors: [sgp30], extra: ",\n  \"gpio_roles\": [\"status-led\", \"fan\"]"),
      "fridge.json:7:32: gpio_roles[1]: unknown GPIO role \"fan\""
        + " (known: status-led, sensor-power, pump-relay)")
    assertProfileError(
      profile(sensors: [sgp30], extra: ",\n  \"gpio_roles\": [\"pump-relay\", \"pump-relay\"]"),
      "fridge.json:7:32: gpio_roles[1]: GPIO role \"pump-relay\" listed twice")
  }

  func testThresholdOnAQuantityTheChipDoesNotMeasure() {
    let thresholds =
      #",\n  "thresholds": [{"sensor": "voc", "quantity": "co2", "above": 1, "alert": "x"}]"#
    assertProfileError(
      profile(sensors: [sgp30], extra: thresholds.replacingOccurrences(of: "\\n", with: "\n")),
      "fridge.json:7:48: thresholds[0].quantity: the SGP30 does not measure \"co2\""
        + " (it measures tvoc, eco2)")
  }

  func testThresholdOnAnUnknownSensor() {
    let thresholds =
      ",\n  \"thresholds\": [{\"sensor\": \"door\", \"below\": 1, \"quantity\": \"x\", \"alert\": \"x\"}]"
    assertProfileError(
      profile(sensors: [sgp30], extra: thresholds),
      "fridge.json:7:29: thresholds[0].sensor: no sensor with id \"door\" in this profile")
  }

  func testHysteresisMustBePositive() {
    let thresholds =
      ",\n  \"thresholds\": [{\"sensor\": \"voc\", \"quantity\": \"tvoc\", \"above\": 600, \"hysteresis\": 0, \"alert\": \"x\"}]"
    assertProfileError(
      profile(sensors: [sgp30], extra: thresholds),
      "fridge.json:7:84: thresholds[0].hysteresis: must be positive: without it, a value on the"
        + " limit raises and clears the alert over and over")
  }

  private let soil =
    #"{"id": "soil", "chip": "seesaw", "bus": 1, "address": "0x36", "interval_seconds": 60, "calibration": {"dry": 320, "wet": 1015}}"#
  private let dryThreshold =
    #",\n  "thresholds": [{"sensor": "soil", "quantity": "soil_moisture", "below": 25, "alert": "water me"}]"#

  func testPumpSettingsNeedThePumpRelayRole() {
    assertProfileError(
      profile(
        sensors: [soil],
        extra: dryThreshold.replacingOccurrences(of: "\\n", with: "\n")
          + ",\n  \"pump\": {\"run_seconds\": 5}"),
      "fridge.json:8:11: pump: pump settings, but no \"pump-relay\" among the gpio_roles")
  }

  func testThePumpRelayRoleNeedsADrySoilThreshold() {
    let roles = ",\n  \"gpio_roles\": [\"status-led\", \"pump-relay\"]"
    assertProfileError(
      profile(sensors: [soil], extra: roles),
      "fridge.json:7:32: gpio_roles[1]: the pump waters when a \"below\" threshold on"
        + " soil_moisture is raised, and this profile has none")
  }

  func testPumpSettingsOutsideTheirBounds() {
    let withPump = { (pump: String) in
      self.dryThreshold.replacingOccurrences(of: "\\n", with: "\n")
        + ",\n  \"gpio_roles\": [\"pump-relay\"],\n  \"pump\": \(pump)"
    }
    assertProfileError(
      profile(sensors: [soil], extra: withPump(#"{"run_seconds": 600}"#)),
      "fridge.json:9:27: pump.run_seconds: must be from 1 to 60")
    assertProfileError(
      profile(sensors: [soil], extra: withPump(#"{"runs_per_day_max": 0}"#)),
      "fridge.json:9:32: pump.runs_per_day_max: must be from 1 to 24")
    assertProfileError(
      profile(sensors: [soil], extra: withPump(#"{"run_second": 5}"#)),
      "fridge.json:9:26: pump.run_second: unknown field")
    // Water must have soaked in, and been measured, before the pump decides again.
    assertProfileError(
      profile(
        sensors: [soil.replacingOccurrences(of: "60", with: "900")],
        extra: withPump(#"{"soak_seconds": 600}"#)),
      "fridge.json:9:28: pump.soak_seconds: 600 s is shorter than sensor \"soil\"'s interval of"
        + " 900 s: the pump would decide again before a reading of the watered soil")
  }

  func testPumpSettingsAndHysteresisDefaults() throws {
    let extra =
      dryThreshold.replacingOccurrences(of: "\\n", with: "\n")
      + ",\n  \"gpio_roles\": [\"pump-relay\"],\n  \"pump\": {\"soak_seconds\": 900}"
    let parsed = try SensorProfile.parse(
      Array(profile(sensors: [soil], extra: extra).utf8), fileName: "f")
    XCTAssertEqual(parsed.pump, PumpSettings(runSeconds: 8, soakSeconds: 900, runsPerDayMax: 4))
    let threshold = try XCTUnwrap(parsed.thresholds.first)
    XCTAssertEqual(threshold.hysteresis, 2)
    XCTAssertTrue(threshold.callsForWatering)
    XCTAssertTrue(threshold.isCrossed(by: 24.9))
    XCTAssertFalse(threshold.isCleared(by: 26.9))
    XCTAssertTrue(threshold.isCleared(by: 27))
    let withoutPump = try SensorProfile.parse(
      Array(profile(sensors: [soil]).utf8), fileName: "f")
    XCTAssertNil(withoutPump.pump)
  }

  func testColumnsCountCharactersNotBytes() {
    let text = "{\n  \"name\": \"°°\", \"kind\": 7\n}"
    assertProfileError(text, "fridge.json:2:25: kind: expected a string, found a number")
  }

  /// The locator skips strings holding brackets and quotes, and matches escaped keys as the
  /// parser decoded them.
  func testLocationSurvivesTrickyStringsAndEscapedKeys() {
    let text = #"""
      {"name": "a [\"} {", "kind": "fridge", "sens\u006frs": [
        {"id": "x", "chip": "sgp30", "bus": 1, "address": "0x58", "interval_seconds": 0}]}
      """#
    assertProfileError(
      text, "fridge.json:2:81: sensors[0].interval_seconds: must be from 1 to 86400")
  }
}
