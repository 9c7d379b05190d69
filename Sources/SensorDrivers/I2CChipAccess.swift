import BoardSupport

/// One chip at one address, reached with a bounded number of attempts per transaction.
///
/// I2C glitches happen (a Pi's controller and clock-stretching chips are known for it), so a
/// transaction that fails transiently is tried again at once, up to `attemptsMax` times in all.
/// Only then does the failure become a `SensorError`.
public struct I2CChipAccess: Sendable {
  /// The chip's 7-bit address.
  public let address: I2CAddress
  /// Attempts per transaction, the first included; at least 1.
  public let attemptsMax: Int

  /// Access to the chip at `address` with up to `attemptsMax` attempts per transaction.
  public init(address: I2CAddress, attemptsMax: Int = 3) {
    precondition(attemptsMax >= 1, "at least one attempt")
    self.address = address
    self.attemptsMax = attemptsMax
  }

  /// Runs `messages` as one transaction and returns the bytes read.
  public func perform<Bus: I2CBus>(
    _ messages: [I2CMessage], on bus: inout Bus
  ) throws(SensorError) -> [UInt8] {
    let transaction = I2CTransaction(address: address, messages: messages)
    var lastError = I2CError.busError
    for _ in 0..<attemptsMax {
      do {
        let bytes = try bus.perform(transaction)
        assert(bytes.count == transaction.readCount, "the bus answered the wrong length")
        return bytes
      } catch {
        lastError = error
        guard error.isTransient else { break }
      }
    }
    if lastError == .addressNotAcknowledged { throw .notResponding(address) }
    throw .busFailed(lastError)
  }

  /// Writes `bytes` to the chip.
  public func write<Bus: I2CBus>(_ bytes: [UInt8], on bus: inout Bus) throws(SensorError) {
    _ = try perform([.write(bytes)], on: &bus)
  }

  /// Reads `count` bytes from the chip.
  public func read<Bus: I2CBus>(count: Int, on bus: inout Bus) throws(SensorError) -> [UInt8] {
    try perform([.read(count: count)], on: &bus)
  }

  /// Reads `count` bytes starting at register `register` (a write of the register number, then
  /// a read after a repeated start).
  public func readRegisters<Bus: I2CBus>(
    from register: UInt8, count: Int, on bus: inout Bus
  ) throws(SensorError) -> [UInt8] {
    try perform([.write([register]), .read(count: count)], on: &bus)
  }
}
