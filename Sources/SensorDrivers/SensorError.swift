import BoardSupport

// How Loam's sensor drivers are written:
//
// - A driver is a struct that remembers what it asked its chip and when the answer is due. It is
//   generic over `I2CBus` (the bus is passed `inout` to each call, since chips share a bus) and
//   never reads a clock: each operation takes `now` and returns `DriverStep.wait(until:)` while
//   the chip converts, then `.done` with a value in SI units (degrees Celsius, pascals, percent,
//   volts, parts per million).
// - Every transfer goes through `I2CChipAccess`, which retries transient bus errors a bounded
//   number of times; every Sensirion word's CRC is checked.
// - A failure is a `SensorError`, never a made-up value: a chip that no longer answers is
//   `.notResponding`, a corrupted word is `.checksumMismatch`.

/// Why a driver could not give a reading.
public enum SensorError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Nothing acknowledged the chip's address, on every attempt: the sensor is gone (unplugged,
  /// unpowered or broken).
  case notResponding(I2CAddress)
  /// The bus failed on every attempt, or is absent.
  case busFailed(I2CError)
  /// A word's CRC did not match: the answer was corrupted on the wires.
  case checksumMismatch
  /// The chip at the address is not the expected one (its identity register or feature set).
  case unexpectedIdentity(String)
  /// The chip answered with a value it never sends when healthy.
  case invalidData(String)
  /// The chip did not produce a result within the time its datasheet allows.
  case measurementTimedOut
  /// The chip reports a fault of its own, such as a CCS811's heater fault.
  case chipFault(String)
  /// The chip restarted (it lost power) and forgot how it was set up; start it again.
  case restarted

  public var description: String {
    switch self {
    case .notResponding(let address): return "no sensor answers at \(address)"
    case .busFailed(let error): return "the I2C bus failed: \(error)"
    case .checksumMismatch: return "a CRC did not match"
    case .unexpectedIdentity(let detail): return "unexpected chip: \(detail)"
    case .invalidData(let detail): return "invalid data: \(detail)"
    case .measurementTimedOut: return "the measurement did not finish in time"
    case .chipFault(let detail): return "the chip reports a fault: \(detail)"
    case .restarted: return "the chip restarted and must be set up again"
    }
  }
}
