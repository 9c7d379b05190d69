import ApplianceProfiles
import XCTest

final class ApplianceSettingsTests: XCTestCase {
  /// The settings as the firmware leaves them: the file's bytes, then whatever RAM held.
  private func read(_ file: String, followedBy rest: [UInt8] = Array(repeating: 0xA5, count: 64))
    throws -> ApplianceSettings
  {
    let memory = Array(file.utf8) + rest
    return try memory.withUnsafeBytes { bytes throws(ApplianceSettingsError) in
      try ApplianceSettings(loadedFile: bytes)
    }
  }

  func testTheFileIsReadUpToTheEndOfItsObject() throws {
    let settings = try read(
      "\u{FEFF}\n  {\"name\": \"kitchen-fridge\", \"app\": \"fridge\", \"hub\": \"http://hub.local:8080\"}\n",
      followedBy: Array("} garbage {\"name\": \"other\"}".utf8))
    XCTAssertEqual(
      settings,
      ApplianceSettings(name: "kitchen-fridge", app: "fridge", hub: "http://hub.local:8080"))
  }

  func testBracesAndQuotesInsideStringsDoNotEndTheObject() throws {
    let settings = try read(#"{"name": "pot-{1}", "hub": "http://h:1/\"}\\"}"#)
    XCTAssertEqual(settings.name, "pot-{1}")
    XCTAssertEqual(settings.hub, #"http://h:1/"}\"#)
  }

  func testMistakesAreNamed() {
    XCTAssertThrowsError(try read("", followedBy: [0, 0, 0])) {
      XCTAssertEqual($0 as? ApplianceSettingsError, .notAnObject)
    }
    XCTAssertThrowsError(
      try read("{\"name\": \"x\"", followedBy: Array(repeating: 0x20, count: 5000))
    ) {
      XCTAssertEqual($0 as? ApplianceSettingsError, .unterminated)
    }
    XCTAssertThrowsError(try read(#"{"name": 12}"#)) {
      XCTAssertEqual($0 as? ApplianceSettingsError, .notAString("name"))
    }
    XCTAssertThrowsError(try read(#"{"nmae": "x"}"#)) {
      XCTAssertEqual($0 as? ApplianceSettingsError, .unknownKey("nmae"))
    }
    XCTAssertThrowsError(try read(#"{"name" "x"}"#)) {
      guard case .invalidJSON = $0 as? ApplianceSettingsError else {
        return XCTFail("expected invalid JSON, got \($0)")
      }
    }
  }
}
