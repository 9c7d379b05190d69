// How Loam reaches chips (board support, the layer under the drivers):
//
// - An I2C bus is anything that runs an `I2CTransaction` (`I2CBus`): the Linux i2c-dev backend,
//   a bare-metal controller, or `SimulatedI2CBus` in tests. A transaction is short and
//   synchronous (a few hundred microseconds at 100 kHz); waiting for a chip to finish a
//   conversion is never done inside one. Drivers return `DriverStep.wait(until:)` instead, and
//   the caller comes back at that instant.
// - GPIO lines are reached through a `GPIOChip`; edges arrive as `GPIOEdgeEvent` values that the
//   platform polls for, not as callbacks.
// - Nothing here reads a clock: the platform passes the current `Instant` in.

/// A 7-bit I2C target address (I2C specification UM10204, section 3.1.10). Addresses 0x00-0x07
/// and 0x78-0x7F are reserved, so they are refused.
public struct I2CAddress: Hashable, Sendable, CustomStringConvertible {
  /// The address in the low 7 bits, without the read/write bit.
  public let value: UInt8

  /// The address `value`, or nil if it is not a 7-bit address outside the reserved ranges.
  public init?(_ value: UInt8) {
    guard (0x08...0x77).contains(value) else { return nil }
    self.value = value
  }

  /// An address the caller knows to be valid, such as one printed in a datasheet. Traps on a
  /// reserved or 8-bit address, which is a programming error.
  public init(known value: UInt8) {
    precondition((0x08...0x77).contains(value), "not a 7-bit target address")
    self.value = value
  }

  /// `0x58` and the like, as datasheets write addresses.
  public var description: String {
    hexadecimalText(value)
  }
}
