import SensorDrivers
import XCTest

final class AbsoluteHumidityTests: XCTestCase {
  func testAgreesWithTheFormulaEvaluatedWithTheCLibrary() {
    // The same formula in Python with math.exp.
    let expected: [(celsius: Double, percent: Double, gramsPerCubicMetre: Double)] = [
      (25, 50, 11.483_889_548_935_466),
      (0, 100, 4.848_875_709_317_225),
      (4, 85, 5.402_683_222_352_32),
      (-20, 60, 0.646_967_635_319_242),
      (35, 90, 35.524_014_945_275_27),
    ]
    for row in expected {
      let value = AbsoluteHumidity.gramsPerCubicMetre(
        temperatureCelsius: row.celsius, relativeHumidityPercent: row.percent)
      XCTAssertEqual(value, row.gramsPerCubicMetre, accuracy: row.gramsPerCubicMetre * 1e-12)
    }
  }

  func testDryAirHoldsNoWater() {
    XCTAssertEqual(
      AbsoluteHumidity.gramsPerCubicMetre(temperatureCelsius: 20, relativeHumidityPercent: 0), 0)
  }
}
