import BoardSupport

/// The Broadcom Serial Controller (BSC), the I2C controller of the Raspberry Pi's SoCs
/// (BCM2835 ARM Peripherals, chapter 3): a 16-byte FIFO, a byte count, and a start bit; it
/// generates the start, address, data and stop itself.
///
/// It implements `I2CBus`, so the sensor drivers run on it unchanged. One difference from
/// Linux's `I2C_RDWR` is worth knowing: the BSC ends every message with a stop, so a
/// write-then-read transaction is two transfers, not one with a repeated start. The chips Loam
/// drives (register pointers on the BME280, TMP105, ADS1115; commands on the Sensirion chips)
/// keep the register pointer across a stop, so they read the same.
public struct BroadcomI2CController<Registers: RegisterBlock>: I2CBus {
  private let registers: Registers

  /// The controller at `registers`, clocked at `busHertz` from the core clock `coreClockHertz`
  /// (the VideoCore's core clock, which the mailbox reports: 250 MHz on a Pi 3).
  public init(registers: Registers, coreClockHertz: UInt32, busHertz: UInt32 = 100_000) {
    precondition(busHertz > 0 && busHertz <= 400_000, "I2C runs at up to 400 kHz here")
    self.registers = registers
    // SCL = core clock / CDIV, and the hardware uses even divisors only: round up, so that the
    // bus never runs faster than asked.
    var divider = (coreClockHertz + busHertz - 1) / busHertz
    divider = (min(max(divider, 2), 0xFFFE) + 1) & ~1
    registers.write(BSCOffset.clockDivider, divider)
    registers.write(BSCOffset.clockStretchTimeout, 0x40)
    registers.write(BSCOffset.control, BSCControl.enable | BSCControl.clearFIFO)
  }

  public mutating func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8] {
    var answer: [UInt8] = []
    answer.reserveCapacity(transaction.readCount)
    for message in transaction.messages {
      switch message {
      case .write(let bytes): try write(bytes, to: transaction.address)
      case .read(let count): try read(count, from: transaction.address, into: &answer)
      }
    }
    assert(answer.count == transaction.readCount)
    return answer
  }

  private func write(_ bytes: [UInt8], to address: I2CAddress) throws(I2CError) {
    precondition(!bytes.isEmpty && bytes.count <= BSCLimit.maximumMessageLength)
    begin(address: address, length: bytes.count)
    var sent = 0
    // Fill the FIFO before the start, then keep it topped up while the transfer runs.
    topUpFIFO(with: bytes, sent: &sent)
    registers.write(BSCOffset.control, BSCControl.enable | BSCControl.start)
    var polls = 0
    while true {
      let status = registers.read(BSCOffset.status)
      if status & (BSCStatus.acknowledgeError | BSCStatus.clockStretchTimeout) != 0 {
        try finish(status: status, length: bytes.count)
      }
      topUpFIFO(with: bytes, sent: &sent)
      if status & BSCStatus.done != 0 { break }
      polls += 1
      guard polls < BSCLimit.maximumStatusPolls else { throw abandon() }
    }
    try finish(status: registers.read(BSCOffset.status), length: bytes.count)
  }

  private func read(
    _ count: Int, from address: I2CAddress, into answer: inout [UInt8]
  ) throws(I2CError) {
    precondition(count > 0 && count <= BSCLimit.maximumMessageLength)
    begin(address: address, length: count)
    registers.write(BSCOffset.control, BSCControl.enable | BSCControl.start | BSCControl.read)
    var received = 0
    var polls = 0
    while true {
      let status = registers.read(BSCOffset.status)
      if status & (BSCStatus.acknowledgeError | BSCStatus.clockStretchTimeout) != 0 {
        try finish(status: status, length: count)
      }
      while received < count && registers.read(BSCOffset.status) & BSCStatus.fifoHasData != 0 {
        answer.append(UInt8(truncatingIfNeeded: registers.read(BSCOffset.fifo)))
        received += 1
      }
      if status & BSCStatus.done != 0 && received == count { break }
      polls += 1
      guard polls < BSCLimit.maximumStatusPolls else { throw abandon() }
    }
    try finish(status: registers.read(BSCOffset.status), length: count)
  }

  /// Writes the bytes after `sent` into the FIFO while it has room.
  private func topUpFIFO(with bytes: [UInt8], sent: inout Int) {
    while sent < bytes.count && registers.read(BSCOffset.status) & BSCStatus.fifoHasRoom != 0 {
      registers.write(BSCOffset.fifo, UInt32(bytes[sent]))
      sent += 1
    }
  }

  /// Clears the FIFO and the sticky status bits and sets up the target and length.
  private func begin(address: I2CAddress, length: Int) {
    registers.write(BSCOffset.control, BSCControl.enable | BSCControl.clearFIFO)
    registers.write(
      BSCOffset.status, BSCStatus.clockStretchTimeout | BSCStatus.acknowledgeError | BSCStatus.done)
    registers.write(BSCOffset.targetAddress, UInt32(address.value))
    registers.write(BSCOffset.dataLength, UInt32(length))
  }

  /// Clears the status bits a transfer left and turns them into an error, if any. DLEN counts
  /// down the bytes still to transfer, so a missing acknowledgement with all `length` of them
  /// left was the address's; with fewer left, a data byte's.
  private func finish(status: UInt32, length: Int) throws(I2CError) {
    registers.write(
      BSCOffset.status, BSCStatus.clockStretchTimeout | BSCStatus.acknowledgeError | BSCStatus.done)
    if status & BSCStatus.clockStretchTimeout != 0 {
      registers.write(BSCOffset.control, BSCControl.enable | BSCControl.clearFIFO)
      throw .timeout
    }
    if status & BSCStatus.acknowledgeError != 0 {
      registers.write(BSCOffset.control, BSCControl.enable | BSCControl.clearFIFO)
      let remaining = Int(registers.read(BSCOffset.dataLength))
      throw remaining < length ? .dataNotAcknowledged : .addressNotAcknowledged
    }
  }

  /// Stops a transfer that never finished.
  private func abandon() -> I2CError {
    registers.write(BSCOffset.control, BSCControl.enable | BSCControl.clearFIFO)
    registers.write(
      BSCOffset.status, BSCStatus.clockStretchTimeout | BSCStatus.acknowledgeError | BSCStatus.done)
    return .timeout
  }
}

// Registers, bits and limits (outside the generic type, which cannot hold static stored
// properties).

private enum BSCOffset {
  static let control = 0x00  // C
  static let status = 0x04  // S
  static let dataLength = 0x08  // DLEN
  static let targetAddress = 0x0C  // A
  static let fifo = 0x10  // FIFO
  static let clockDivider = 0x14  // DIV
  static let clockStretchTimeout = 0x1C  // CLKT
}

private enum BSCControl {
  static let enable: UInt32 = 1 << 15  // I2CEN
  static let start: UInt32 = 1 << 7  // ST
  static let clearFIFO: UInt32 = 0b01 << 4  // CLEAR
  static let read: UInt32 = 1 << 0  // READ
}

private enum BSCStatus {
  static let clockStretchTimeout: UInt32 = 1 << 9  // CLKT, write 1 to clear
  static let acknowledgeError: UInt32 = 1 << 8  // ERR, write 1 to clear
  static let fifoHasData: UInt32 = 1 << 5  // RXD
  static let fifoHasRoom: UInt32 = 1 << 4  // TXD
  static let done: UInt32 = 1 << 1  // DONE, write 1 to clear
}

enum BSCLimit {
  /// Status reads a transfer may take before it counts as hung: at 100 kHz a byte takes 90 µs,
  /// and a register read well under one, so this covers the longest message many times over.
  static let maximumStatusPolls = 2_000_000
  /// The longest message the BSC's 16-bit byte count allows.
  static let maximumMessageLength = 65_535
}
