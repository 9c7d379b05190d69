import BoardSupport
import BroadcomPeripherals
import Time
import XCTest

/// The GPIO block's registers as plain memory, except that GPSET and GPCLR act on GPLEV (an
/// output's pin reads what it drives) and GPEDS clears the bits written with 1.
private final class GPIORegisters: RegisterBlock {
  var words = [UInt32](repeating: 0, count: 0x100 / 4)
  var writes: [(offset: Int, value: UInt32)] = []

  func read(_ offset: Int) -> UInt32 { words[offset / 4] }

  func write(_ offset: Int, _ value: UInt32) {
    writes.append((offset, value))
    switch offset {
    case 0x1C, 0x20: words[(0x34 + offset - 0x1C) / 4] |= value
    case 0x28, 0x2C: words[(0x34 + offset - 0x28) / 4] &= ~value
    case 0x40, 0x44: words[offset / 4] &= ~value
    default: words[offset / 4] = value
    }
  }
}

final class BroadcomGPIOTests: XCTestCase {
  func testAnOutputIsSelectedDrivenAndReadBackThroughTheLevelRegister() throws {
    let registers = GPIORegisters()
    registers.words[1] = 0xFFFF_FFFF  // GPFSEL1: other lines' functions must survive
    var gpio = BroadcomGPIO(registers: registers, lineCount: 54, pullControl: .clocked)
    try gpio.configure(line: 17, as: .output(initial: .low))
    // GPIO17 is GPFSEL1 bits 23:21 = 001.
    XCTAssertEqual(registers.words[1], 0xFFFF_FFFF & ~(0b111 << 21) | (0b001 << 21))
    XCTAssertEqual(try gpio.level(of: 17), .low)
    try gpio.set(line: 17, to: .high)
    XCTAssertEqual(registers.writes.last?.offset, 0x1C)
    XCTAssertEqual(registers.writes.last?.value, 1 << 17)
    XCTAssertEqual(try gpio.level(of: 17), .high)
    try gpio.set(line: 17, to: .low)
    XCTAssertEqual(registers.writes.last?.offset, 0x28)
    XCTAssertEqual(try gpio.level(of: 17), .low)
    // Lines above 31 are in the second bank.
    try gpio.configure(line: 40, as: .output(initial: .high))
    XCTAssertEqual(registers.words[0x38 / 4], 1 << 8)
  }

  func testMisuseIsRefused() throws {
    var gpio = BroadcomGPIO(registers: GPIORegisters(), lineCount: 54, pullControl: .clocked)
    XCTAssertThrowsError(try gpio.configure(line: 54, as: .input(edges: .none))) {
      XCTAssertEqual($0 as? GPIOError, .noSuchLine(54))
    }
    try gpio.configure(line: 4, as: .input(edges: .none))
    XCTAssertThrowsError(try gpio.set(line: 4, to: .high)) {
      XCTAssertEqual($0 as? GPIOError, .wrongConfiguration(4))
    }
    XCTAssertThrowsError(try gpio.level(of: 5)) {
      XCTAssertEqual($0 as? GPIOError, .wrongConfiguration(5))
    }
  }

  func testPullsUseEachSoCsMechanism() {
    let bcm2711 = GPIORegisters()
    BroadcomGPIO(registers: bcm2711, lineCount: 58, pullControl: .direct).setPull(.up, for: 17)
    // GPIO_PUP_PDN_CNTRL_REG1 (lines 16-31), bits 3:2 for line 17, 01 = pull-up.
    XCTAssertEqual(bcm2711.words[0xE8 / 4], 0b01 << 2)

    let bcm2837 = GPIORegisters()
    BroadcomGPIO(registers: bcm2837, lineCount: 54, pullControl: .clocked).setPull(.down, for: 3)
    let sequence = bcm2837.writes.map { [$0.offset, Int($0.value)] }
    XCTAssertEqual(sequence, [[0x94, 2], [0x98, 1 << 3], [0x94, 0], [0x98, 0]])
  }

  func testEdgeEventsComeFromTheEventDetectStatus() throws {
    let registers = GPIORegisters()
    var gpio = BroadcomGPIO(registers: registers, lineCount: 54, pullControl: .clocked)
    try gpio.configure(line: 22, as: .input(edges: .both))
    XCTAssertEqual(registers.words[0x4C / 4], 1 << 22, "rising edges detected")
    XCTAssertEqual(registers.words[0x58 / 4], 1 << 22, "falling edges detected")
    XCTAssertNil(gpio.nextEdgeEvent())
    registers.words[0x34 / 4] |= 1 << 22  // the pin went high
    registers.words[0x40 / 4] |= 1 << 22  // and the controller saw the edge
    gpio.now = Instant(nanoseconds: 5_000)
    XCTAssertEqual(
      gpio.nextEdgeEvent(), GPIOEdgeEvent(line: 22, level: .high, time: Instant(nanoseconds: 5_000))
    )
    XCTAssertNil(gpio.nextEdgeEvent(), "reading the event cleared it")
  }
}
