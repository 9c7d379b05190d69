import BoardSupport
import SimulatedBoard
import Time
import XCTest

final class PlantPotModelTests: XCTestCase {
  private let hour = Duration.seconds(3600)
  private let day = Duration.seconds(86_400)

  func testAWeekWithoutWaterDriesTheSoilWithinPlausibleBounds() {
    var pot = PlantPotModel(seed: 1)
    var previous = pot.environment.soilMoisturePercent
    for hours in 1...(7 * 24) {
      pot.advance(to: .zero + hour * hours)
      let environment = pot.environment
      XCTAssertLessThanOrEqual(environment.soilMoisturePercent, previous)
      XCTAssertGreaterThan(environment.soilMoisturePercent, PlantPotModel.residualMoisturePercent)
      XCTAssert((10...32).contains(environment.temperatureCelsius), "\(environment)")
      XCTAssert((30...60).contains(environment.relativeHumidityPercent))
      previous = environment.soilMoisturePercent
    }
    // From 55 % to somewhere near a thirsty 25 % in a week.
    XCTAssert((18...35).contains(previous), "after a week: \(previous) %")
  }

  func testWarmRoomsDryTheSoilFaster() {
    var cool = PlantPotModel(seed: 2, roomTemperatureCelsius: 15)
    var warm = PlantPotModel(seed: 2, roomTemperatureCelsius: 28)
    cool.advance(to: .zero + day * 3)
    warm.advance(to: .zero + day * 3)
    XCTAssertLessThan(
      warm.environment.soilMoisturePercent + 3, cool.environment.soilMoisturePercent)
  }

  func testTheDayIsWarmerThanTheNight() {
    var pot = PlantPotModel(seed: 3)
    pot.advance(to: .zero + hour * 3)
    let night = pot.environment.temperatureCelsius
    pot.advance(to: .zero + hour * 14)
    XCTAssertGreaterThan(pot.environment.temperatureCelsius, night + 2)
  }

  func testTheRunningPumpRaisesMoisture() throws {
    var gpio = SimulatedGPIOChip()
    let pump = SimulatedGPIOChip.Line.pumpRelay
    try gpio.configure(line: pump, as: .output(initial: .low))
    var pot = PlantPotModel(seed: 4, soilMoisturePercent: 24)
    pot.advance(to: .zero + hour, pumpRelay: gpio.drivenLevel(of: pump))
    let dry = pot.environment.soilMoisturePercent
    try gpio.set(line: pump, to: .high)
    pot.advance(to: .zero + hour + .seconds(60), pumpRelay: gpio.drivenLevel(of: pump))
    XCTAssertEqual(pot.environment.soilMoisturePercent, dry + 30, accuracy: 0.5)
    try gpio.set(line: pump, to: .low)
    pot.advance(to: .zero + hour * 2, pumpRelay: gpio.drivenLevel(of: pump))
    XCTAssertGreaterThan(pot.environment.soilMoisturePercent, dry + 25)
  }

  /// An 8 s run adds 8 s of water whether the calls fall on the model's 10 s grid or not, and
  /// in however many slices: the water lands at the next step.
  func testEverySecondThePumpRunsCounts() {
    var sliced = PlantPotModel(seed: 6, soilMoisturePercent: 30)
    var unpumped = PlantPotModel(seed: 6, soilMoisturePercent: 30)
    sliced.advance(to: .zero + .milliseconds(101_500))
    for milliseconds in [103_500, 106_000, 109_500] {
      sliced.advance(to: .zero + .milliseconds(Int64(milliseconds)), pumpRelay: .high)
    }
    sliced.advance(to: .zero + .milliseconds(120_000))
    unpumped.advance(to: .zero + .milliseconds(120_000))
    XCTAssertEqual(
      sliced.environment.soilMoisturePercent - unpumped.environment.soilMoisturePercent,
      8 * PlantPotModel.pumpPercentagePointsPerSecond, accuracy: 1e-3)
  }

  func testAScheduledWateringJumpsThenDrainsToFieldCapacity() {
    var pot = PlantPotModel(seed: 5, soilMoisturePercent: 50)
    pot.scheduleWatering(at: .zero + hour, addingPercentagePoints: 30)
    pot.advance(to: .zero + (hour - .seconds(10)))
    let before = pot.environment.soilMoisturePercent
    pot.advance(to: .zero + hour)
    XCTAssertGreaterThan(pot.environment.soilMoisturePercent, before + 29)
    pot.advance(to: .zero + hour * 4)
    XCTAssertLessThan(pot.environment.soilMoisturePercent, PlantPotModel.fieldCapacityPercent + 1)
    XCTAssertGreaterThan(pot.environment.soilMoisturePercent, before)
  }

  func testTheSameSeedGivesTheSameValuesHoweverTimeIsSliced() {
    var inOneGo = PlantPotModel(seed: 6)
    var inSteps = PlantPotModel(seed: 6)
    var otherSeed = PlantPotModel(seed: 7)
    inOneGo.advance(to: .zero + day * 2)
    for minutes in stride(from: 7, through: 2 * 24 * 60, by: 7) {
      inSteps.advance(to: .zero + .seconds(60 * minutes))
    }
    inSteps.advance(to: .zero + day * 2)
    otherSeed.advance(to: .zero + day * 2)
    XCTAssertEqual(inOneGo.environment, inSteps.environment)
    XCTAssertEqual(inOneGo.time, inSteps.time)
    XCTAssertNotEqual(inOneGo.environment, otherSeed.environment)
  }
}
