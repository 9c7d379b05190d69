import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// A driver reads a physical model through its chip model: the days of a plant pot arrive as
/// capacitance counts over the seesaw's byte protocol and become percent again.
final class PhysicalModelReadingTests: XCTestCase {
  func testTheSeesawFollowsADryingPotAndItsWatering() throws {
    var pot = PlantPotModel(seed: 11)
    let bus = SimulatedI2CBus(environment: pot.environment)
    bus.attach(SimulatedSeesawSoilSensor())
    var driver = SeesawSoilSensor()
    let calibration = MoistureCalibration(
      dry: SimulatedSeesawSoilSensor.dryCount, wet: SimulatedSeesawSoilSensor.wetCount)
    pot.scheduleWatering(at: .zero + .seconds(3 * 86_400), addingPercentagePoints: 25)

    var readings: [Double] = []
    for sixHours in 1...16 {
      pot.advance(to: .zero + .seconds(6 * 3600 * sixHours))
      bus.now = pot.time
      bus.environment = pot.environment
      let count = try complete(on: bus) { bus, now throws(SensorError) in
        try driver.measureCapacitance(on: &bus, now: now)
      }
      let percent = calibration.percent(raw: Double(count))
      // The count has 695 steps from dry to wet, so percent comes back within about 0.1.
      XCTAssertEqual(percent, pot.environment.soilMoisturePercent, accuracy: 0.15)
      readings.append(percent)
    }
    XCTAssertLessThan(readings[10], readings[0], "two and a half days of drying")
    XCTAssertGreaterThan(readings[11], readings[10] + 20, "the watering at 72 h")
  }
}
