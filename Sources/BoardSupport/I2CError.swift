/// Why an I2C transaction failed, as a controller can tell.
public enum I2CError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No target acknowledged the address: nothing is there, it is unplugged, or it is busy (an
  /// SGP30 does not answer a read while it measures).
  case addressNotAcknowledged
  /// The target acknowledged its address but refused a data byte, such as an unknown command.
  case dataNotAcknowledged
  /// The transfer did not finish in time, for example a target stretching the clock too long.
  case timeout
  /// Lost arbitration or a malformed signal on the wires (Linux reports EIO, EAGAIN and the
  /// like; its EREMOTEIO means a missing acknowledgement, see `LinuxI2CBus`).
  case busError
  /// The bus itself is missing: no controller, or the platform could not open it.
  case busAbsent

  /// Whether trying the same transaction again may succeed. A missing bus stays missing.
  public var isTransient: Bool {
    self != .busAbsent
  }

  public var description: String {
    switch self {
    case .addressNotAcknowledged: return "no acknowledgement of the address"
    case .dataNotAcknowledged: return "no acknowledgement of a data byte"
    case .timeout: return "the transfer timed out"
    case .busError: return "bus error"
    case .busAbsent: return "the bus is absent"
    }
  }
}
