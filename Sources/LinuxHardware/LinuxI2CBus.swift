import BoardSupport
import CI2CDev
import Glibc
import HostPlatform

/// An I2C bus reached through Linux's i2c-dev interface (`/dev/i2c-N`), such as bus 1 on a
/// Raspberry Pi's GPIO 2 and 3.
///
/// Each `I2CTransaction` is one `I2C_RDWR` ioctl: its messages go out back to back with repeated
/// starts and one stop at the end, which a register read (a write, then a read) needs. The
/// addresses travel in the messages, so no `I2C_SLAVE` ioctl is made, and several drivers can
/// share the bus (and the descriptor) without claiming an address.
public final class LinuxI2CBus: I2CBus {
  /// The device node, such as `/dev/i2c-1`.
  public let path: String
  /// The bus number in the node's name, for `i2cdetect` hints; nil for other paths.
  public let busNumber: Int?
  /// The last transaction that failed, with its address and errno, for logs. `perform` throws
  /// only the bare `I2CError` the drivers act on.
  public private(set) var lastFailure: LinuxI2CTransferFailure?

  /// The most messages one `I2C_RDWR` takes (I2C_RDWR_IOCTL_MAX_MSGS, <linux/i2c-dev.h>).
  public static let maximumMessageCount = Int(I2C_RDWR_IOCTL_MAX_MSGS)
  /// The longest message i2c-dev passes on; it refuses longer ones with EINVAL
  /// (`i2cdev_ioctl_rdwr` in the kernel's drivers/i2c/i2c-dev.c).
  public static let maximumMessageLength = 8192

  private let fileDescriptor: Int32

  /// Opens bus `busNumber` at `/dev/i2c-<busNumber>`.
  public convenience init(busNumber: Int) throws(LinuxI2CBusError) {
    try self.init(path: "/dev/i2c-\(busNumber)")
  }

  /// Opens the i2c-dev node at `path` and checks that its adapter can run plain I2C messages.
  public init(path: String) throws(LinuxI2CBusError) {
    let descriptor = open(path, O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else {
      let error = SystemError.fromErrno("open", subject: path)
      switch error.errorNumber {
      // i2c-dev answers ENODEV for a node whose adapter is gone.
      case ENOENT, ENODEV, ENXIO: throw .busMissing(path: path, error)
      case EACCES, EPERM: throw .permissionDenied(path: path, error)
      default: throw .failed(error)
      }
    }
    // I2C_FUNCS stores the adapter's I2C_FUNC_* bits in an unsigned long (<linux/i2c-dev.h>);
    // anything but an i2c-dev node refuses it, usually with ENOTTY.
    var functionality: UInt = 0
    guard ioctl(descriptor, UInt(I2C_FUNCS), &functionality) == 0 else {
      let error = SystemError.fromErrno("ioctl(I2C_FUNCS)", subject: path)
      close(descriptor)
      throw .notAnI2CAdapter(path: path, error)
    }
    guard functionality & UInt(I2C_FUNC_I2C) != 0 else {
      close(descriptor)
      throw .combinedTransfersUnsupported(path: path)
    }
    self.fileDescriptor = descriptor
    self.path = path
    self.busNumber = Self.busNumber(inPath: path)
  }

  deinit {
    close(fileDescriptor)
  }

  /// Runs `transaction` as one `I2C_RDWR` and returns the bytes its reads received, in order.
  /// More than `maximumMessageCount` messages, or a message longer than `maximumMessageLength`,
  /// is a programming error and traps.
  public func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8] {
    var request = I2CTransferRequest(transaction)
    // I2C_RDWR (<linux/i2c-dev.h>) returns the number of messages transferred, or -1 and errno.
    let result = request.withKernelRequest { ioctl(fileDescriptor, UInt(I2C_RDWR), &$0) }
    guard result >= 0 else {
      let failure = LinuxI2CTransferFailure(
        path: path, busNumber: busNumber, address: transaction.address,
        systemError: .fromErrno("ioctl(I2C_RDWR)", subject: path))
      lastFailure = failure
      throw failure.error
    }
    assert(Int(result) == transaction.messages.count, "I2C_RDWR sent only some messages")
    return request.receivedBytes
  }

  /// N in a path ending `/i2c-N`, as udev names i2c-dev nodes.
  private static func busNumber(inPath path: String) -> Int? {
    let name = path.split(separator: "/").last ?? ""
    guard name.hasPrefix("i2c-") else { return nil }
    return Int(name.dropFirst(4))
  }
}
