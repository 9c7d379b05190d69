import BoardSupport
import BroadcomPeripherals
import XCTest

/// Registers as memory, with a FIFO behind the data register and a log of writes.
private final class GeneratorRegisters: RegisterBlock {
  var words: [Int: UInt32] = [:]
  var fifo: [UInt32] = []
  var writes: [(Int, UInt32)] = []
  let dataOffset: Int
  let countOffset: Int
  let countShift: UInt32

  init(dataOffset: Int, countOffset: Int, countShift: UInt32) {
    self.dataOffset = dataOffset
    self.countOffset = countOffset
    self.countShift = countShift
  }

  func read(_ offset: Int) -> UInt32 {
    if offset == dataOffset { return fifo.isEmpty ? 0 : fifo.removeFirst() }
    if offset == countOffset { return words[offset, default: 0] | UInt32(fifo.count) << countShift }
    return words[offset, default: 0]
  }

  func write(_ offset: Int, _ value: UInt32) {
    writes.append((offset, value))
    words[offset] = value
  }
}

final class RandomNumberGeneratorTests: XCTestCase {
  func testTheBCM2835GeneratorWarmsUpAndReadsItsFIFO() {
    let registers = GeneratorRegisters(dataOffset: 0x8, countOffset: 0x4, countShift: 24)
    let generator = BroadcomRandomNumberGenerator(registers: registers)
    XCTAssertEqual(registers.writes.map { $0.0 }, [0x4, 0x0], "warm-up count, then enable")
    XCTAssertEqual(registers.writes.last?.1, 1)
    registers.words[0x4] = 0  // the warm-up count does not read back as words ready
    registers.fifo = [0xDEAD_BEEF, 0x0123_4567]
    XCTAssertEqual(generator.nextWord(), 0xDEAD_BEEF)
    XCTAssertEqual(generator.nextWord(), 0x0123_4567)
  }

  func testTheRNG200ResetsEnablesAndStopsWhenLockedOut() {
    let registers = GeneratorRegisters(dataOffset: 0x20, countOffset: 0x24, countShift: 0)
    let generator = RNG200(registers: registers)
    XCTAssertEqual(registers.writes.map { $0.0 }, [0x08, 0x08, 0x04, 0x04, 0x00])
    XCTAssertEqual(registers.writes.map { $0.1 }, [1, 0, 1, 0, 1])
    registers.fifo = [42]
    XCTAssertEqual(generator.nextWord(), 42)
    registers.fifo = [7]
    registers.words[0x18] = 1 << 31
    XCTAssertNil(generator.nextWord(), "a generator locked out after a failure gives nothing")
  }
}
