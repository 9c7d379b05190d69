import ApplianceProfiles
import Foundation
import XCTest

/// The profiles and board descriptions in the repository parse, validate, and fit each other.
final class ShippedFilesTests: XCTestCase {
  static let boards = ["rpi3b", "rpi4b", "rpi-zero-2w", "sim"]
  static let profiles = ["plant-pot", "fridge"]

  func testEveryProfileFitsEveryBoard() throws {
    for profileName in Self.profiles {
      for boardName in Self.boards {
        let configuration = try ApplianceConfiguration.load(
          profile: try repositoryFile("Sensors/\(profileName).json"),
          profileFileName: "Sensors/\(profileName).json",
          board: try repositoryFile("Boards/\(boardName)/board.json"),
          boardFileName: "Boards/\(boardName)/board.json")
        XCTAssertEqual(configuration.profile.kind, profileName)
        XCTAssertEqual(configuration.board.board, boardName)
      }
    }
  }

  func testPlantPotProfile() throws {
    let profile = try SensorProfile.parse(
      try repositoryFile("Sensors/plant-pot.json"), fileName: "plant-pot.json")
    XCTAssertEqual(profile.name, "Plant pot")
    XCTAssertEqual(profile.sensors.map(\.chip), [.seesaw, .ads1115, .bme280])
    guard case .ads1115(let channel, let gain, let calibration) = profile.sensors[1].options else {
      return XCTFail("the analog probe has ADS1115 options")
    }
    XCTAssertEqual(channel, 0)
    XCTAssertEqual(gain, .fullScale4096Millivolts)
    XCTAssertEqual(calibration.percent(raw: 2.0), 50, accuracy: 1e-9)
    let water = try XCTUnwrap(profile.thresholds.first)
    XCTAssertEqual(water.alert, "water me")
    XCTAssertTrue(water.isCrossed(by: 20))
    XCTAssertFalse(water.isCrossed(by: 30))
    XCTAssertEqual(profile.gpioRoles, [.statusLED, .sensorPower, .pumpRelay])
    XCTAssertEqual(profile.pump, PumpSettings(runSeconds: 8, soakSeconds: 600, runsPerDayMax: 4))
    XCTAssertEqual(profile.thresholds.filter { $0.callsForWatering }, [water])
  }

  func testFridgeProfile() throws {
    let profile = try SensorProfile.parse(
      try repositoryFile("Sensors/fridge.json"), fileName: "fridge.json")
    XCTAssertEqual(profile.sensors.map(\.id), ["voc", "co2", "air"])
    XCTAssertEqual(profile.sensor(withID: "co2")?.intervalSeconds, 30)
    XCTAssertEqual(profile.thresholds.filter { $0.alert == "check the fridge" }.count, 2)
    XCTAssertEqual(profile.thresholds.map { $0.hysteresis }, [50, 100, 0.5])
    XCTAssertNil(profile.pump, "no pump-relay role")
  }

  /// The Pi boards share the 40-pin header: I2C bus 1 on GPIO2 (pin 3) and GPIO3 (pin 5).
  func testPiBoardsUseTheHeadersI2CBus() throws {
    for boardName in Self.boards where boardName != "sim" {
      let board = try BoardDescription.parse(
        try repositoryFile("Boards/\(boardName)/board.json"), fileName: boardName)
      XCTAssertEqual(board.gpioChip, "gpiochip0")
      let bus = try XCTUnwrap(board.i2cBuses.first)
      XCTAssertEqual(board.i2cBuses.count, 1)
      XCTAssertEqual(bus.bus, 1)
      XCTAssertEqual(bus.dataLine, BoardDescription.Line(line: 2, headerPin: 3))
      XCTAssertEqual(bus.clockLine, BoardDescription.Line(line: 3, headerPin: 5))
      XCTAssertEqual(board.line(for: .pumpRelay), 17)
      XCTAssertTrue(board.freeLines.contains(BoardDescription.Line(line: 17, headerPin: 11)))
      XCTAssertTrue(board.simulatedDevices.isEmpty)
    }
  }

  func testSimulatedBoardListsItsChips() throws {
    let board = try BoardDescription.parse(
      try repositoryFile("Boards/sim/board.json"), fileName: "sim")
    XCTAssertEqual(Set(board.simulatedDevices.map(\.chip)), Set(SensorChip.allCases))
    XCTAssertEqual(board.line(for: .statusLED), 0)
  }
}

/// The bytes of a file in the repository, found from this test's own path.
func repositoryFile(_ relativePath: String) throws -> [UInt8] {
  let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  return [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
}
