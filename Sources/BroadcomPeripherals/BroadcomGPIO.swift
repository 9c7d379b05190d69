import BoardSupport
import Time

/// The GPIO controller of the Raspberry Pi's Broadcom SoCs (BCM2835 ARM Peripherals, chapter 6;
/// BCM2711 ARM Peripherals, chapter 5): 54 (BCM2835/7) or 58 (BCM2711) lines, each with a
/// function (input, output or one of six alternate functions), a level, pulls and edge detection.
///
/// Lines are addressed by their BCM number, as Linux's `gpiochip0` on a Pi does, so the same
/// `Boards/<pi>/board.json` line numbers work on both targets. Edge events come from the
/// controller's event-detect status, polled: `now` must be kept current by the caller (the poll
/// loop) so events carry the time they were seen.
public struct BroadcomGPIO<Registers: RegisterBlock>: GPIOChip {
  private let registers: Registers
  private let pullControl: BroadcomGPIOPullControl
  /// Lines on the SoC.
  public let lineCount: Int
  /// The instant edge events found by the next `nextEdgeEvent` are stamped with.
  public var now: Instant = .zero
  private var configurations: [GPIOLineConfiguration?]

  /// The controller at `registers`, with `lineCount` lines and the SoC's pull mechanism.
  public init(registers: Registers, lineCount: Int, pullControl: BroadcomGPIOPullControl) {
    precondition(lineCount > 0 && lineCount <= 64, "Broadcom GPIO banks hold up to 64 lines")
    self.registers = registers
    self.lineCount = lineCount
    self.pullControl = pullControl
    configurations = Array(repeating: nil, count: lineCount)
  }

  public mutating func configure(
    line: Int, as configuration: GPIOLineConfiguration
  ) throws(GPIOError) {
    try check(line)
    switch configuration {
    case .output(let initial):
      // The level first, so the line never glitches to the other level.
      drive(line, to: initial)
      selectFunction(.output, for: line)
      setEdgeDetection(.none, for: line)
    case .input(let edges):
      selectFunction(.input, for: line)
      setEdgeDetection(edges, for: line)
    }
    configurations[line] = configuration
  }

  public mutating func set(line: Int, to level: GPIOLevel) throws(GPIOError) {
    try check(line)
    guard case .output = configurations[line] else { throw .wrongConfiguration(line) }
    drive(line, to: level)
  }

  public mutating func level(of line: Int) throws(GPIOError) -> GPIOLevel {
    try check(line)
    guard configurations[line] != nil else { throw .wrongConfiguration(line) }
    return readLevel(of: line)
  }

  /// The level on the pin itself, from GPLEVn, whatever the line's function.
  public func readLevel(of line: Int) -> GPIOLevel {
    precondition(line >= 0 && line < lineCount)
    let bits = registers.read(GPIOOffset.level + (line / 32) * 4)
    return bits & (1 << UInt32(line % 32)) != 0 ? .high : .low
  }

  public mutating func nextEdgeEvent() -> GPIOEdgeEvent? {
    for bank in 0..<(lineCount + 31) / 32 {
      let status = registers.read(GPIOOffset.eventDetectStatus + bank * 4)
      guard status != 0 else { continue }
      let bit = status.trailingZeroBitCount
      registers.write(GPIOOffset.eventDetectStatus + bank * 4, 1 << UInt32(bit))  // write 1 clears
      let line = bank * 32 + bit
      return GPIOEdgeEvent(line: line, level: readLevel(of: line), time: now)
    }
    return nil
  }

  /// Gives `line` one of its functions: an alternate function hands the pin to a peripheral
  /// (the UART on GPIO14/15 in ALT0, the header's I2C on GPIO2/3 in ALT0).
  public func selectFunction(_ function: BroadcomGPIOFunction, for line: Int) {
    precondition(line >= 0 && line < lineCount)
    let offset = GPIOOffset.functionSelect + (line / 10) * 4
    let shift = UInt32((line % 10) * 3)
    var value = registers.read(offset)
    value &= ~(0b111 << shift)
    value |= function.rawValue << shift
    registers.write(offset, value)
  }

  /// Sets `line`'s pull resistor.
  public func setPull(_ pull: BroadcomGPIOPull, for line: Int) {
    precondition(line >= 0 && line < lineCount)
    switch pullControl {
    case .direct:
      let offset = GPIOOffset.pullControl + (line / 16) * 4
      let shift = UInt32((line % 16) * 2)
      var value = registers.read(offset)
      value &= ~(0b11 << shift)
      value |= pull.rawValue << shift
      registers.write(offset, value)
    case .clocked:
      // The datasheet's sequence: the control value, 150 cycles, a clock pulse to the line's
      // bit, 150 cycles, then both registers back to zero.
      let clockOffset = GPIOOffset.pullClock + (line / 32) * 4
      registers.write(GPIOOffset.pullEnable, pull.rawValue)
      waitSetupCycles()
      registers.write(clockOffset, 1 << UInt32(line % 32))
      waitSetupCycles()
      registers.write(GPIOOffset.pullEnable, 0)
      registers.write(clockOffset, 0)
    }
  }

  private func drive(_ line: Int, to level: GPIOLevel) {
    let offset = (level == .high ? GPIOOffset.outputSet : GPIOOffset.outputClear) + (line / 32) * 4
    registers.write(offset, 1 << UInt32(line % 32))
  }

  private func setEdgeDetection(_ edges: GPIOEdgeDetection, for line: Int) {
    let bank = (line / 32) * 4
    let bit: UInt32 = 1 << UInt32(line % 32)
    let rising = edges == .rising || edges == .both
    let falling = edges == .falling || edges == .both
    for (offset, isEnabled) in [
      (GPIOOffset.risingEdgeDetect + bank, rising), (GPIOOffset.fallingEdgeDetect + bank, falling),
    ] {
      let value = registers.read(offset)
      registers.write(offset, isEnabled ? value | bit : value & ~bit)
    }
    registers.write(GPIOOffset.eventDetectStatus + bank, bit)  // forget an edge seen before
  }

  /// At least 150 core cycles: each register read takes more than one.
  private func waitSetupCycles() {
    for _ in 0..<150 { _ = registers.read(GPIOOffset.level) }
  }

  private func check(_ line: Int) throws(GPIOError) {
    guard line >= 0 && line < lineCount else { throw .noSuchLine(line) }
  }
}

/// Register offsets (outside the generic type, which cannot hold static stored properties).
private enum GPIOOffset {
  static let functionSelect = 0x00  // GPFSEL0..5, ten lines a register
  static let outputSet = 0x1C  // GPSET0..1
  static let outputClear = 0x28  // GPCLR0..1
  static let level = 0x34  // GPLEV0..1
  static let eventDetectStatus = 0x40  // GPEDS0..1
  static let risingEdgeDetect = 0x4C  // GPREN0..1
  static let fallingEdgeDetect = 0x58  // GPFEN0..1
  static let pullEnable = 0x94  // GPPUD (BCM2835)
  static let pullClock = 0x98  // GPPUDCLK0..1 (BCM2835)
  static let pullControl = 0xE4  // GPIO_PUP_PDN_CNTRL_REG0..3 (BCM2711)
}

/// How the SoC sets a line's pull resistor.
public enum BroadcomGPIOPullControl: Sendable {
  /// BCM2835/BCM2837 (Pi 3): GPPUD and a clocked write to GPPUDCLKn.
  case clocked
  /// BCM2711 (Pi 4): two bits a line in GPIO_PUP_PDN_CNTRL_REGn.
  case direct
}

/// A line's pull resistor.
public enum BroadcomGPIOPull: UInt32, Sendable {
  case none = 0
  case up = 1
  case down = 2
}

/// A line's function, as GPFSELn encodes it.
public enum BroadcomGPIOFunction: UInt32, Sendable {
  case input = 0b000
  case output = 0b001
  case alternate0 = 0b100
  case alternate1 = 0b101
  case alternate2 = 0b110
  case alternate3 = 0b111
  case alternate4 = 0b011
  case alternate5 = 0b010
}
