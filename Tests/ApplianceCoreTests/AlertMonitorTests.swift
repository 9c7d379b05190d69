import ApplianceCore
import ApplianceProfiles
import Time
import XCTest

/// Alerts raised and cleared by the values of the shipped profiles, with their hysteresis.
final class AlertMonitorTests: XCTestCase {
  private let start = UTCTime(millisecondsSinceEpoch: 1_795_000_000_000)

  /// Feeds `values` of `name` one a minute and returns, after each, the raised alerts' texts.
  private func feed(
    _ monitor: inout AlertMonitor, _ name: String, quantity: String, _ values: [Double]
  ) -> [[String]] {
    values.enumerated().map { minute, value in
      let sampled = SampledValue(sensorName: name, quantity: quantity, unit: "", value: value)
      _ = monitor.observe(
        sampled, now: .zero + .seconds(60 * minute),
        time: start.advanced(by: .seconds(60 * minute)))
      return monitor.raisedAlerts.map { $0.threshold.alert }
    }
  }

  func testASoilValueHoveringOnTheLimitRaisesTheAlertOnce() throws {
    let plantPot = try shippedProfile("plant-pot")
    var monitor = AlertMonitor(
      thresholds: plantPot.thresholds, plan: SamplingPlan(profile: plantPot))
    var changes: [AlertMonitor.Change] = []
    // Noise of a few tenths around 25 %: one raise, no clear until 27 %.
    for (minute, value) in [26.0, 25.2, 24.9, 25.1, 24.8, 25.3, 26.9, 26.5, 27.0, 26.8].enumerated()
    {
      changes += monitor.observe(
        SampledValue(sensorName: "soil", quantity: "soil_moisture", unit: "%", value: value),
        now: .zero + .seconds(60 * minute), time: start.advanced(by: .seconds(60 * minute)))
    }
    XCTAssertEqual(changes.count, 2, "\(changes)")
    guard case .raised(let raised) = changes[0], case .cleared(let cleared) = changes[1] else {
      return XCTFail("\(changes)")
    }
    XCTAssertEqual(raised.latestValue, 24.9)
    XCTAssertEqual(raised.raisedAt, start.advanced(by: .seconds(120)))
    XCTAssertEqual(raised.sensorName, "soil")
    XCTAssertEqual(cleared.latestValue, 27)
    XCTAssertFalse(cleared.isRaised)
    XCTAssertEqual(monitor.alerts[0].latestValue, 26.8)
    XCTAssertEqual(monitor.alerts[0].latestValueAt, .zero + .seconds(540))
  }

  func testAnAboveLimitClearsBelowItByTheHysteresis() throws {
    let fridge = try shippedProfile("fridge")
    var monitor = AlertMonitor(thresholds: fridge.thresholds, plan: SamplingPlan(profile: fridge))
    // "fridge too warm" above 8 °C, cleared at 7.5 °C (temperature's default 0.5 °C).
    let raised = feed(&monitor, "air", quantity: "temperature", [7.9, 8.1, 7.6, 8.3, 7.5, 7.9])
    XCTAssertEqual(
      raised.map { $0.count }, [0, 1, 1, 1, 0, 0], "\(raised)")
    XCTAssertEqual(raised[1], ["fridge too warm"])
  }

  func testEachThresholdComparesOnlyItsOwnValues() throws {
    let fridge = try shippedProfile("fridge")
    var monitor = AlertMonitor(thresholds: fridge.thresholds, plan: SamplingPlan(profile: fridge))
    // The SCD4x `co2` also publishes a temperature, as `co2.temperature`: not the fridge's
    // `air` threshold's value.
    XCTAssertEqual(feed(&monitor, "co2.temperature", quantity: "temperature", [30]), [[]])
    XCTAssertEqual(feed(&monitor, "co2", quantity: "co2", [2500]), [["check the fridge"]])
    XCTAssertEqual(
      feed(&monitor, "voc", quantity: "tvoc", [900]), [["check the fridge", "check the fridge"]])
    XCTAssertEqual(monitor.alerts.map { $0.sensorName }, ["voc", "co2", "air"])
  }

  /// A threshold names a sensor and a quantity; the values come under published names.
  func testThresholdsFindTheNamesTheirValuesArePublishedUnder() throws {
    let text = """
      {"kind": "fridge", "name": "Fridge", "sensors": [
        {"id": "air", "chip": "bme280", "bus": 1, "address": "0x77", "interval_seconds": 60},
        {"id": "soil", "chip": "seesaw", "bus": 1, "address": "0x36", "interval_seconds": 60,
         "calibration": {"dry": 320, "wet": 1015}}],
       "thresholds": [
        {"sensor": "air", "quantity": "humidity", "above": 90, "alert": "damp"},
        {"sensor": "air", "quantity": "temperature", "above": 30, "alert": "hot"},
        {"sensor": "soil", "quantity": "temperature", "above": 30, "alert": "warm soil"}]}
      """
    let profile = try SensorProfile.parse(Array(text.utf8), fileName: "t.json")
    let plan = SamplingPlan(profile: profile)
    XCTAssertEqual(
      profile.thresholds.map { plan.publishedName(of: $0) }, ["air.humidity", "air", nil],
      "the appliance does not read the seesaw's own temperature")
  }
}
