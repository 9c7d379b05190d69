import SimulatedBoard
import Time
import XCTest

final class FridgeModelTests: XCTestCase {
  private let hour = Duration.seconds(3600)
  private let day = Duration.seconds(86_400)

  func testAWeekStaysWithinPlausibleBoundsAndSpoilageRaisesTheGases() {
    var fridge = FridgeModel(seed: 1)
    var sawDoorWarmTheAir = false
    fridge.advance(to: .zero + day)
    let afterOneDay = fridge.environment
    for minutes in (24 * 60)...(7 * 24 * 60) {
      fridge.advance(to: .zero + .seconds(60 * minutes))
      let air = fridge.environment
      XCTAssert((3.5...21).contains(air.temperatureCelsius), "\(air)")
      XCTAssert((40...56).contains(air.relativeHumidityPercent), "\(air)")
      XCTAssert((400...5000).contains(air.co2PartsPerMillion), "\(air)")
      XCTAssert((0...3000).contains(air.totalVOCPartsPerBillion), "\(air)")
      if air.temperatureCelsius > 6 { sawDoorWarmTheAir = true }
    }
    XCTAssertTrue(sawDoorWarmTheAir)
    // Some dozens of openings a day while people are up.
    XCTAssert((7 * 30...7 * 70).contains(fridge.doorOpeningCount), "\(fridge.doorOpeningCount)")
    // A week of spoiling food: several times the VOCs and CO2 well up.
    XCTAssertGreaterThan(
      fridge.environment.totalVOCPartsPerBillion, 3 * afterOneDay.totalVOCPartsPerBillion)
    XCTAssertGreaterThan(fridge.environment.totalVOCPartsPerBillion, 400)
    XCTAssertGreaterThan(
      fridge.environment.co2PartsPerMillion, afterOneDay.co2PartsPerMillion + 500)
  }

  func testCleaningBringsTheGasesDown() {
    var fridge = FridgeModel(seed: 2, spoilage: 3)
    fridge.advance(to: .zero + hour)
    let spoiled = fridge.environment
    fridge.scheduleCleaning(at: .zero + hour * 2)
    fridge.advance(to: .zero + hour * 14)
    XCTAssertLessThan(fridge.spoilage, 0.2)
    XCTAssertLessThan(
      fridge.environment.totalVOCPartsPerBillion, spoiled.totalVOCPartsPerBillion / 3)
    XCTAssertLessThan(fridge.environment.co2PartsPerMillion, spoiled.co2PartsPerMillion - 500)
  }

  func testAnOpenDoorWarmsAndMoistensTheAirForAFewMinutes() {
    // 03:00: nobody opens the door by chance at night (rarely, and not with this seed).
    let night = Instant.zero + hour * 3
    var fridge = FridgeModel(seed: 3, start: night)
    fridge.scheduleDoorOpening(at: night + .seconds(60), lasting: .seconds(60))
    fridge.advance(to: night + .seconds(55))
    let closed = fridge.environment
    fridge.advance(to: night + .seconds(115))
    XCTAssertTrue(fridge.isDoorOpen)
    XCTAssertGreaterThan(fridge.environment.temperatureCelsius, closed.temperatureCelsius + 5)
    XCTAssertGreaterThan(
      fridge.environment.relativeHumidityPercent, closed.relativeHumidityPercent + 5)
    fridge.advance(to: night + .seconds(60 * 30))
    XCTAssertFalse(fridge.isDoorOpen)
    XCTAssertEqual(fridge.doorOpeningCount, 1)
    XCTAssertEqual(fridge.environment.temperatureCelsius, closed.temperatureCelsius, accuracy: 1)
  }

  func testTheSameSeedGivesTheSameValues() {
    var first = FridgeModel(seed: 4)
    var second = FridgeModel(seed: 4)
    var otherSeed = FridgeModel(seed: 5)
    for hours in 1...48 {
      first.advance(to: .zero + hour * hours)
      second.advance(to: .zero + hour * hours)
      otherSeed.advance(to: .zero + hour * hours)
    }
    XCTAssertEqual(first.environment, second.environment)
    XCTAssertEqual(first.doorOpeningCount, second.doorOpeningCount)
    XCTAssertNotEqual(first.environment, otherSeed.environment)
  }
}
