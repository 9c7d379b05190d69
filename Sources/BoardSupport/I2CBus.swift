/// An I2C controller: runs transactions to 7-bit targets.
///
/// Drivers are generic over this protocol (never `any I2CBus`), so the same driver runs on
/// Linux's i2c-dev, on bare metal and on `SimulatedI2CBus`.
public protocol I2CBus {
  /// Runs `transaction` and returns the bytes of its reads, concatenated in order
  /// (`transaction.readCount` of them). Blocks for the length of the transfer only.
  mutating func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8]
}

extension I2CBus {
  /// Writes `bytes` to the target at `address` in one message.
  public mutating func write(_ bytes: [UInt8], to address: I2CAddress) throws(I2CError) {
    _ = try perform(I2CTransaction(address: address, messages: [.write(bytes)]))
  }

  /// Reads `count` bytes from the target at `address` in one message.
  public mutating func read(count: Int, from address: I2CAddress) throws(I2CError) -> [UInt8] {
    try perform(I2CTransaction(address: address, messages: [.read(count: count)]))
  }

  /// Writes `bytes`, then reads `count` bytes after a repeated start: a register read.
  public mutating func writeThenRead(
    _ bytes: [UInt8], count: Int, at address: I2CAddress
  ) throws(I2CError) -> [UInt8] {
    try perform(I2CTransaction(address: address, messages: [.write(bytes), .read(count: count)]))
  }
}
