import ApplianceCore
import BoardSupport
import SensorDrivers
import Time
import XCTest

/// When the sensors' power is cut and restored, and how the backoff bounds the cycles.
final class SensorPowerCyclerTests: XCTestCase {
  private let soil = I2CAddress(known: 0x36)
  private let air = I2CAddress(known: 0x77)

  private func gone(_ address: I2CAddress) -> SamplingScheduler.Event {
    .failed(address: address, error: .notResponding(address))
  }

  private func at(_ seconds: Int) -> Instant {
    .zero + .seconds(Int64(seconds))
  }

  func testAChipUnansweredForTheLimitCutsThePowerThenItComesBackAndSamplingRestarts() {
    var power = SensorPowerCycler()
    XCTAssertEqual(power.level, .high)
    XCTAssertNil(power.observe([gone(soil), .sampled(address: air, values: [])], now: at(0)))
    XCTAssertNil(power.observe([gone(soil)], now: at(60)))
    XCTAssertEqual(power.observe([gone(soil)], now: at(120)), .cutPower(unanswered: [soil]))
    XCTAssertEqual(power.level, .low)
    XCTAssertTrue(power.isSamplingPaused)
    XCTAssertEqual(power.deadline, at(122))
    XCTAssertNil(power.poll(now: at(121)))
    XCTAssertEqual(power.poll(now: at(122)), .restorePower)
    XCTAssertEqual(power.level, .high)
    XCTAssertTrue(power.isSamplingPaused, "the chips get their power-up time")
    XCTAssertEqual(power.deadline, at(123))
    XCTAssertEqual(power.poll(now: at(123)), .restartSampling)
    XCTAssertFalse(power.isSamplingPaused)
    XCTAssertNil(power.deadline)
    XCTAssertEqual(power.cycleCount, 1)
  }

  func testAnAnswerInBetweenStartsTheWaitAgain() {
    var power = SensorPowerCycler()
    XCTAssertNil(power.observe([gone(soil)], now: at(0)))
    XCTAssertNil(power.observe([.sampled(address: soil, values: [])], now: at(60)))
    XCTAssertNil(power.observe([gone(soil)], now: at(120)))
    XCTAssertNil(power.observe([gone(soil)], now: at(180)))
    XCTAssertEqual(power.observe([gone(soil)], now: at(240)), .cutPower(unanswered: [soil]))
  }

  /// A chip that answers wrongly has power: a cycle would not help. Neither does it when the
  /// bus controller itself is missing.
  func testErrorsOfChipsThatAnswerOrOfAMissingBusCutNothing() {
    var power = SensorPowerCycler()
    let errors: [SensorError] = [
      .checksumMismatch, .unexpectedIdentity("x"), .chipFault("x"), .restarted,
      .busFailed(.busAbsent),
    ]
    for minute in 0..<60 {
      let error = errors[minute % errors.count]
      XCTAssertNil(power.observe([.failed(address: soil, error: error)], now: at(60 * minute)))
    }
    XCTAssertEqual(power.cycleCount, 0)
  }

  func testAHungMeasurementOrABusHeldLowCounts() {
    var power = SensorPowerCycler()
    _ = power.observe([.failed(address: soil, error: .measurementTimedOut)], now: at(0))
    XCTAssertEqual(
      power.observe([.failed(address: soil, error: .busFailed(.timeout))], now: at(120)),
      .cutPower(unanswered: [soil]))
  }

  /// A chip that stays gone: cycles at most every 10 minutes, then 20, 40, ... up to 6 hours,
  /// so a day costs a handful of cycles, not hundreds.
  func testAChipThatStaysGoneIsCycledLessAndLessOften() {
    var power = SensorPowerCycler()
    var cuts: [Int] = []
    for second in 0...(86_400 * 2) {
      if let step = power.poll(now: at(second)) {
        XCTAssertNotEqual(step, .cutPower(unanswered: [soil]))
        continue
      }
      guard !power.isSamplingPaused else { continue }
      if case .cutPower? = power.observe(
        [gone(soil), .sampled(address: air, values: [])], now: at(second))
      {
        cuts.append(second)
      }
    }
    let gaps = zip(cuts.dropFirst(), cuts).map { $0 - $1 }
    XCTAssertEqual(cuts.first, 120)
    // Each gap is the backoff from the restart (3 s after the cut), at least the 2 min limit.
    XCTAssertEqual(gaps.prefix(6), [603, 1203, 2403, 4803, 9603, 19_203], "\(gaps)")
    XCTAssertEqual(Set(gaps.dropFirst(6)), [21_603], "6 hours, and no more")
    XCTAssertLessThanOrEqual(cuts.count, 14, "in two days")
    XCTAssertEqual(power.cycleCount, cuts.count)
  }

  func testTheBackoffStartsOverOnceTheChipsThatWereGoneAnswer() {
    var power = SensorPowerCycler()
    /// Reports the soil chip gone every second from `start` until the power is cut, then lets
    /// the power come back; returns when it was cut.
    func hangUntilCut(from start: Int) -> Int? {
      for second in start..<(start + 86_400) {
        _ = power.poll(now: at(second))
        guard !power.isSamplingPaused else { continue }
        guard case .cutPower? = power.observe([gone(soil)], now: at(second)) else { continue }
        XCTAssertEqual(power.poll(now: at(second + 2)), .restorePower)
        XCTAssertEqual(power.poll(now: at(second + 3)), .restartSampling)
        return second
      }
      return nil
    }
    XCTAssertEqual(hangUntilCut(from: 0), 120)
    // Back after the cycle, and hung again an hour later: cut after the usual 2 minutes.
    XCTAssertNil(power.observe([.sampled(address: soil, values: [])], now: at(200)))
    XCTAssertEqual(hangUntilCut(from: 3600), 3720)
    // Not back this time: the next cycle waits out the first backoff from the restart (3723),
    // 10 minutes and not the 20 the first cycle left, since the chip came back in between.
    XCTAssertEqual(hangUntilCut(from: 3724), 3723 + 600)
    XCTAssertEqual(hangUntilCut(from: 4327), 4326 + 1200)
  }
}
