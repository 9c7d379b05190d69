import BoardSupport
import SimulatedBoard
import Time
import XCTest

final class SimulatedGPIOChipTests: XCTestCase {
  func testLinesAreFoundByName() {
    XCTAssertEqual(SimulatedGPIOChip.line(named: "pump-relay"), SimulatedGPIOChip.Line.pumpRelay)
    XCTAssertEqual(SimulatedGPIOChip.line(named: "status-led"), SimulatedGPIOChip.Line.statusLED)
    XCTAssertNil(SimulatedGPIOChip.line(named: "fan"))
  }

  func testOutputsDriveTheirLevel() throws {
    var chip = SimulatedGPIOChip()
    let pump = SimulatedGPIOChip.Line.pumpRelay
    try chip.configure(line: pump, as: .output(initial: .low))
    XCTAssertEqual(chip.drivenLevel(of: pump), .low)
    try chip.set(line: pump, to: .high)
    XCTAssertEqual(chip.drivenLevel(of: pump), .high)
    XCTAssertEqual(try chip.level(of: pump), .high)
    // The outside world cannot move an output.
    chip.applyExternalLevel(.low, to: pump, at: .zero)
    XCTAssertEqual(chip.drivenLevel(of: pump), .high)
  }

  func testMisuseIsATypedError() throws {
    var chip = SimulatedGPIOChip()
    XCTAssertThrowsError(try chip.set(line: 9, to: .high)) { error in
      XCTAssertEqual(error as? GPIOError, .noSuchLine(9))
    }
    XCTAssertThrowsError(try chip.level(of: SimulatedGPIOChip.Line.button)) { error in
      XCTAssertEqual(error as? GPIOError, .wrongConfiguration(SimulatedGPIOChip.Line.button))
    }
    try chip.configure(line: SimulatedGPIOChip.Line.button, as: .input(edges: .none))
    XCTAssertThrowsError(try chip.set(line: SimulatedGPIOChip.Line.button, to: .high)) { error in
      XCTAssertEqual(error as? GPIOError, .wrongConfiguration(SimulatedGPIOChip.Line.button))
    }
  }

  func testEdgesMatchingTheDetectionBecomeEvents() throws {
    var chip = SimulatedGPIOChip()
    let button = SimulatedGPIOChip.Line.button
    try chip.configure(line: button, as: .input(edges: .rising))
    chip.applyExternalLevel(.high, to: button, at: Instant(nanoseconds: 10))
    chip.applyExternalLevel(.low, to: button, at: Instant(nanoseconds: 20))
    chip.applyExternalLevel(.high, to: button, at: Instant(nanoseconds: 30))
    XCTAssertEqual(
      chip.nextEdgeEvent(),
      GPIOEdgeEvent(line: button, level: .high, time: Instant(nanoseconds: 10)))
    XCTAssertEqual(
      chip.nextEdgeEvent(),
      GPIOEdgeEvent(line: button, level: .high, time: Instant(nanoseconds: 30)))
    XCTAssertNil(chip.nextEdgeEvent())
    XCTAssertEqual(try chip.level(of: button), .high)
  }

  func testAFullEventQueueDropsAndCounts() throws {
    var chip = SimulatedGPIOChip()
    let button = SimulatedGPIOChip.Line.button
    try chip.configure(line: button, as: .input(edges: .both))
    for step in 0..<(SimulatedGPIOChip.eventCapacity + 4) {
      chip.applyExternalLevel(
        step % 2 == 0 ? .high : .low, to: button, at: Instant(nanoseconds: UInt64(step)))
    }
    XCTAssertEqual(chip.droppedEventCount, 4)
    var delivered = 0
    while chip.nextEdgeEvent() != nil { delivered += 1 }
    XCTAssertEqual(delivered, SimulatedGPIOChip.eventCapacity)
  }
}
