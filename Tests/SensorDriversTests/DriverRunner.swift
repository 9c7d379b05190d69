import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// Runs one driver operation to its end on a simulated bus, moving the bus's clock to each
/// instant the driver asks to be called at, as a platform's timer would.
func complete<Output>(
  on bus: SimulatedI2CBus,
  _ step: (inout SimulatedI2CBus, Instant) throws(SensorError) -> DriverStep<Output>,
  file: StaticString = #filePath, line: UInt = #line
) throws(SensorError) -> Output {
  var busReference = bus
  for _ in 0..<100 {
    switch try step(&busReference, bus.now) {
    case .done(let output):
      return output
    case .wait(let instant):
      XCTAssertGreaterThan(
        instant, bus.now, "a wait must be for a later instant", file: file, line: line)
      bus.now = instant
    }
  }
  XCTFail("the operation did not finish in 100 steps", file: file, line: line)
  throw .measurementTimedOut
}

/// Asserts that `body` throws exactly `expected`.
func assertThrows<Output>(
  _ expected: SensorError, file: StaticString = #filePath, line: UInt = #line,
  _ body: () throws(SensorError) -> Output
) {
  do {
    _ = try body()
    XCTFail("expected \(expected), got a result", file: file, line: line)
  } catch {
    XCTAssertEqual(error, expected, file: file, line: line)
  }
}

extension SimulatedI2CBus {
  /// Moves the simulated clock forward by `duration`.
  func advance(by duration: Duration) {
    now = now.advanced(by: duration)
  }
}
