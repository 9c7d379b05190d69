import ApplianceCore
import ApplianceProfiles
import Time
import XCTest

/// The pump's decisions: run, soak, water only on fresh dry readings, and the daily cap.
final class PumpControllerTests: XCTestCase {
  private let settings = PumpSettings(runSeconds: 8, soakSeconds: 600, runsPerDayMax: 3)
  private let time = UTCTime(millisecondsSinceEpoch: 1_795_000_000_000)

  private func at(_ seconds: Int) -> Instant {
    .zero + .seconds(Int64(seconds))
  }

  func testItSoaksFirstThenRunsForItsRunTimeThenSoaks() {
    var pump = PumpController(settings: settings, now: at(0))
    XCTAssertEqual(pump.state, .soaking(until: at(600)), "a restart does not water at once")
    XCTAssertNil(pump.poll(now: at(300), time: time, dryReadingAt: at(300)))
    XCTAssertEqual(pump.poll(now: at(600), time: time, dryReadingAt: at(540)), .start(run: 1))
    XCTAssertEqual(pump.relayLevel, .high)
    XCTAssertEqual(pump.deadline, at(608))
    XCTAssertEqual(pump.lastRunTime, time)
    XCTAssertNil(pump.poll(now: at(607), time: time, dryReadingAt: at(540)))
    XCTAssertEqual(pump.poll(now: at(608), time: time, dryReadingAt: at(540)), .stop)
    XCTAssertEqual(pump.relayLevel, .low)
    XCTAssertEqual(pump.state, .soaking(until: at(1208)))
    XCTAssertEqual(pump.runsInLastDay, 1)
  }

  /// A soil sensor that stops answering leaves its alert raised on its last value: that
  /// reading came before the run, so it waters no more.
  func testOnlyAReadingTakenAfterTheLastRunDecides() {
    var pump = PumpController(settings: settings, now: at(0))
    XCTAssertEqual(pump.poll(now: at(600), time: time, dryReadingAt: at(590)), .start(run: 1))
    XCTAssertEqual(pump.poll(now: at(608), time: time, dryReadingAt: at(590)), .stop)
    XCTAssertNil(pump.poll(now: at(1208), time: time, dryReadingAt: at(590)))
    XCTAssertEqual(pump.state, .idle)
    XCTAssertNil(pump.deadline, "the next reading decides")
    XCTAssertNil(pump.poll(now: at(1300), time: time, dryReadingAt: nil), "not dry")
    XCTAssertEqual(pump.poll(now: at(1400), time: time, dryReadingAt: at(1400)), .start(run: 2))
  }

  /// Dry for ever (a broken probe): at most `runsPerDayMax` runs in any 24 hours, the cap
  /// reported once, and a run again once the oldest run is a day old.
  func testADrySoilForEverRunsThePumpAtMostTheCapADay() {
    var pump = PumpController(settings: settings, now: at(0))
    var starts: [Int] = []
    var capReports: [Int] = []
    var second = 0
    while second <= 2 * 86_400 {
      switch pump.poll(now: at(second), time: time, dryReadingAt: at(second)) {
      case .start?: starts.append(second)
      case .capped?: capReports.append(second)
      case .stop?, nil: break
      }
      // Readings every minute, and the pump's own deadlines in between.
      second = min(second + 60, pump.deadline.map { Int($0.nanoseconds / 1_000_000_000) } ?? .max)
    }
    XCTAssertEqual(starts.prefix(3), [600, 1208, 1816], "after each soak")
    XCTAssertEqual(capReports.first, 2424)
    XCTAssertEqual(starts.dropFirst(3).first, 600 + 86_400, "once the first run is a day old")
    XCTAssertEqual(starts.count, 6, "three a day")
    for (earlier, later) in zip(starts, starts.dropFirst(3)) {
      XCTAssertGreaterThanOrEqual(later - earlier, 86_400)
    }
    XCTAssertTrue(pump.isCapped)
    XCTAssertEqual(capReports.count, 2, "once each time the cap is reached")
  }
}
