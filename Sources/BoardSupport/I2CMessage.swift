/// One message of an I2C transaction: a start (or repeated start), the address with the
/// read/write bit, then data bytes (UM10204, section 3.1.10).
public enum I2CMessage: Equatable, Sendable {
  /// The controller sends these bytes to the target.
  case write([UInt8])
  /// The controller reads this many bytes from the target, acknowledging all but the last.
  case read(count: Int)
}

/// Messages to one target, run back to back with repeated starts and one stop at the end, as
/// Linux's `I2C_RDWR` does. A register read is a write of the register number followed by a
/// read: `[.write([0xD0]), .read(count: 1)]`.
public struct I2CTransaction: Equatable, Sendable {
  /// The target every message goes to.
  public var address: I2CAddress
  /// The messages, in order; at least one.
  public var messages: [I2CMessage]

  /// A transaction of `messages` to `address`.
  public init(address: I2CAddress, messages: [I2CMessage]) {
    precondition(!messages.isEmpty, "a transaction has at least one message")
    self.address = address
    self.messages = messages
  }

  /// How many bytes the transaction reads in all: the length of the bus's answer.
  public var readCount: Int {
    var count = 0
    for case .read(let length) in messages { count += length }
    return count
  }
}
