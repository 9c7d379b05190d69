import SensorDrivers
import XCTest

final class TMP105Tests: XCTestCase {
  func testTheDatasheetsTemperatureTable() {
    // TMP105 datasheet, table 2 ("Temperature Data Format"), 12-bit values left-justified.
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x7FF0), 127.9375)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x6400), 100)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x1900), 25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x0040), 0.25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0x0000), 0)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0xFFC0), -0.25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0xE700), -25)
    XCTAssertEqual(TMP105.celsius(fromRegister: 0xC900), -55)
  }
}
