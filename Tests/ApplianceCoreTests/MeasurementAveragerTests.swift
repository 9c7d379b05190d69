import ApplianceCore
import Time
import XCTest

/// The means of a chip's measurements over the intervals of a grid.
final class MeasurementAveragerTests: XCTestCase {
  private func at(_ seconds: Int64) -> Instant {
    .zero + .seconds(seconds)
  }

  private func gas(tvoc: Double, eco2: Double? = nil) -> [SampledValue] {
    var values = [SampledValue(sensorName: "voc", quantity: "tvoc", unit: "ppb", value: tvoc)]
    if let eco2 {
      values.append(
        SampledValue(sensorName: "voc.eco2", quantity: "eco2", unit: "ppm", value: eco2))
    }
    return values
  }

  /// Each quantity is averaged over the measurements that gave it, and the means come in the
  /// order the quantities were first measured.
  func testEachQuantityIsAveragedOverTheMeasurementsThatGaveIt() {
    var averager = MeasurementAverager(interval: .seconds(10), start: at(0))
    averager.add(gas(tvoc: 100))
    averager.add(gas(tvoc: 200, eco2: 500))
    averager.add(gas(tvoc: 300, eco2: 700))
    averager.add([])
    XCTAssertEqual(averager.closeInterval(ifEndedBy: at(10)), gas(tvoc: 200, eco2: 600))
    XCTAssertEqual(averager.intervalEndsAt, at(20))
  }

  /// Before its end an interval gives nothing and keeps what it has; an interval with no
  /// measurement gives nothing at its end.
  func testNoMeansBeforeTheEndOrWithoutMeasurements() {
    var averager = MeasurementAverager(interval: .seconds(10), start: at(0))
    averager.add(gas(tvoc: 100, eco2: 400))
    XCTAssertEqual(averager.closeInterval(ifEndedBy: at(9)), [])
    averager.add(gas(tvoc: 300, eco2: 600))
    XCTAssertEqual(averager.closeInterval(ifEndedBy: at(10)), gas(tvoc: 200, eco2: 500))
    XCTAssertEqual(averager.closeInterval(ifEndedBy: at(20)), [])
    XCTAssertEqual(averager.intervalEndsAt, at(30))
  }

  /// Closed late, past several ends, the interval takes in everything until then, and the next
  /// one ends at the grid's first point after; a restart drops the interval under way.
  func testALateCloseSkipsToTheGridAndARestartDropsTheInterval() {
    var averager = MeasurementAverager(interval: .seconds(10), start: at(5))
    averager.add(gas(tvoc: 100))
    averager.add(gas(tvoc: 200))
    XCTAssertEqual(averager.closeInterval(ifEndedBy: at(37)), gas(tvoc: 150))
    XCTAssertEqual(averager.intervalEndsAt, at(45))
    averager.add(gas(tvoc: 900))
    averager.restart(at: at(41))
    XCTAssertEqual(averager.intervalEndsAt, at(51))
    averager.add(gas(tvoc: 50))
    XCTAssertEqual(averager.closeInterval(ifEndedBy: at(51)), gas(tvoc: 50))
  }
}
