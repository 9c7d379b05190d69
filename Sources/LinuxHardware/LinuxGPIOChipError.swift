import HostPlatform

/// Why a GPIO chip (`/dev/gpiochipN`) could not be opened, with what a Pi owner can do about it.
public enum LinuxGPIOChipError: Error, Equatable, Sendable, CustomStringConvertible {
  /// There is no such chip.
  case chipMissing(path: String, SystemError)
  /// The process may not open the chip (it is owned by root and the `gpio` group).
  case permissionDenied(path: String, SystemError)
  /// The node opened but is not a GPIO chip: libgpiod found no GPIO device behind it.
  case notAGPIOChip(path: String, SystemError)
  /// Any other failure of the calls that open the chip.
  case failed(SystemError)

  public var description: String {
    switch self {
    case .chipMissing(let path, let error):
      return
        "\(error). There is no GPIO chip \(path): `gpiodetect` (Debian package gpiod) lists the chips there are "
        + "(the 40-pin header of a Raspberry Pi 1 to 4 is gpiochip0)"
    case .permissionDenied(let path, let error):
      return "\(error). Opening \(path) needs the `gpio` group: add the user with "
        + "`sudo usermod -aG gpio $USER` and log in again, or run as root"
    case .notAGPIOChip(let path, let error):
      return "\(error). \(path) is not a GPIO chip: give a /dev/gpiochipN node; `gpiodetect` "
        + "lists them"
    case .failed(let error):
      return "\(error)"
    }
  }
}
