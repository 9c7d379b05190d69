import HostPlatform

/// Why an i2c-dev bus (`/dev/i2c-N`) could not be opened, with what a Pi owner can do about it.
public enum LinuxI2CBusError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The device node is missing: I2C is not enabled, or the i2c-dev driver is not loaded.
  case busMissing(path: String, SystemError)
  /// The process may not open the node (it is owned by root and the `i2c` group).
  case permissionDenied(path: String, SystemError)
  /// The node opened but is not an i2c-dev adapter: it refused the I2C_FUNCS ioctl.
  case notAnI2CAdapter(path: String, SystemError)
  /// The adapter only does SMBus, not the plain I2C messages (I2C_FUNC_I2C) that `I2C_RDWR`
  /// needs for a write followed by a read after a repeated start.
  case combinedTransfersUnsupported(path: String)
  /// Any other failure of the calls that open the bus.
  case failed(SystemError)

  public var description: String {
    switch self {
    case .busMissing(let path, let error):
      return "\(error). There is no I2C bus \(path): on a Raspberry Pi, enable I2C with "
        + "`dtparam=i2c_arm=on` in config.txt (/boot/firmware/config.txt on Raspberry Pi OS "
        + "12) and reboot (bus 1 is on GPIO 2 and 3), and load the i2c-dev driver "
        + "(`modprobe i2c-dev`); `ls /dev/i2c-*` lists the buses there are"
    case .permissionDenied(let path, let error):
      return "\(error). Opening \(path) needs the `i2c` group: add the user with "
        + "`sudo usermod -aG i2c $USER` and log in again, or run as root"
    case .notAnI2CAdapter(let path, let error):
      return "\(error). \(path) is not an I2C bus (it refused I2C_FUNCS): give a /dev/i2c-N "
        + "node; `i2cdetect -l` lists them"
    case .combinedTransfersUnsupported(let path):
      return "\(path) is an SMBus-only adapter: it cannot send plain I2C messages "
        + "(I2C_FUNC_I2C), which Loam's drivers need for a write followed by a read"
    case .failed(let error):
      return "\(error)"
    }
  }
}
