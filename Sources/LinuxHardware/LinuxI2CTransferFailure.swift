import BoardSupport
import Glibc
import HostPlatform

extension I2CError {
  /// The error an `I2C_RDWR` transfer that failed with `errorNumber` stands for, following the
  /// kernel's Documentation/i2c/fault-codes.rst and what the adapter drivers return.
  ///
  /// - ENXIO is the documented code for an address nobody acknowledged. The Raspberry Pi's
  ///   controller (i2c-bcm2835) and others (i2c-designware) report any NAK as EREMOTEIO and
  ///   cannot tell the address from a data byte; the address is by far the usual case (an
  ///   unplugged chip, an SGP30 busy measuring), and it is what drivers retry and then report as
  ///   a sensor that is gone.
  /// - ETIMEDOUT: the adapter gave up on the transfer, as when a target stretches the clock too
  ///   long.
  /// - ENODEV and ESHUTDOWN: the adapter went away (a USB adapter unplugged) or is suspended.
  /// - Anything else (EIO, EAGAIN for lost arbitration, EPROTO, EOPNOTSUPP, ...) is a bus error.
  public init(transferErrorNumber errorNumber: Int32) {
    switch errorNumber {
    case ENXIO, EREMOTEIO: self = .addressNotAcknowledged
    case ETIMEDOUT: self = .timeout
    case ENODEV, ESHUTDOWN: self = .busAbsent
    default: self = .busError
    }
  }
}

/// What went wrong in a failed transaction on a `LinuxI2CBus`, in words a Pi owner can act on.
///
/// `I2CBus.perform` throws a bare `I2CError`, which drivers act on; the bus keeps this fuller
/// account of the last failure (which address, which errno) for logs.
public struct LinuxI2CTransferFailure: Equatable, Sendable, CustomStringConvertible {
  /// The bus's device node, such as `/dev/i2c-1`.
  public var path: String
  /// The bus number `i2cdetect` takes, when the path names one (`/dev/i2c-1` → 1).
  public var busNumber: Int?
  /// The target of the failed transaction.
  public var address: I2CAddress
  /// What `perform` threw.
  public var error: I2CError
  /// The failed `ioctl(I2C_RDWR)` and its errno.
  public var systemError: SystemError

  /// The failure of a transaction to `address` on `path` with `systemError`.
  public init(path: String, busNumber: Int?, address: I2CAddress, systemError: SystemError) {
    self.path = path
    self.busNumber = busNumber
    self.address = address
    self.error = I2CError(transferErrorNumber: systemError.errorNumber)
    self.systemError = systemError
  }

  public var description: String {
    let scan =
      busNumber.map { "`i2cdetect -y \($0)`" } ?? "`i2cdetect -y N` (N from `i2cdetect -l`)"
    switch error {
    case .addressNotAcknowledged:
      return "\(systemError). Nothing acknowledged address \(address) on \(path): check the "
        + "chip's wiring, power and address; \(scan) lists the addresses that answer"
    case .timeout:
      return "\(systemError). The transfer to \(address) on \(path) timed out: a chip may be "
        + "holding the clock low; check the wiring and pull-ups, or power the chip off and on"
    case .busAbsent:
      return "\(systemError). The adapter behind \(path) has gone away"
    case .dataNotAcknowledged, .busError:
      return "\(systemError). The transfer to \(address) on \(path) failed (\(error)): check "
        + "the wiring; \(scan) shows whether the bus works at all"
    }
  }
}
