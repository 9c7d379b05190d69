import CLinux
import Glibc

/// A Linux TAP interface: a virtual Ethernet card whose other side is this process. Every frame
/// the kernel sends out of the interface can be read here, and every frame written here arrives
/// at the kernel as if received from a wire. Loam's own TCP/IP stack runs on one in the
/// `process` target.
///
/// The device is opened through `/dev/net/tun` with `IFF_TAP` (Ethernet frames, not IP packets)
/// and `IFF_NO_PI` (no 4-byte packet-information header before each frame), so a read returns
/// exactly one Ethernet frame from the destination address on, without the frame check
/// sequence. The descriptor is non-blocking: register `fileDescriptor` with the `EventLoop` for
/// readability and read until `readFrame()` returns nil.
///
/// The interface lives as long as the device is open (it is not made persistent); `close()` or
/// releasing the object removes it, unless it existed before (`ip tuntap add`).
public final class TAPDevice: FrameDevice {
  /// The interface's name as the kernel assigned it (a `%d` in the requested name becomes a
  /// number, as in `tap%d` → `tap0`).
  public let name: String
  /// The open `/dev/net/tun` descriptor, or -1 after `close()`.
  ///
  /// This and `readBuffer` are read and written only by this class's own methods, none of
  /// which calls out while holding them, so accesses cannot overlap: the run-time exclusivity
  /// check Swift otherwise makes on each access to a class's property (a few per frame) is
  /// turned off for them.
  @exclusivity(unchecked) public private(set) var fileDescriptor: Int32

  /// The longest frame a read can return: an Ethernet header (14 bytes) and a VLAN tag (4)
  /// around the largest MTU a TAP interface allows (65,535).
  public static let maximumFrameLength = 14 + 4 + 65_535

  /// Linux's limit on interface names, without the terminating zero (IFNAMSIZ - 1).
  private static let maximumNameLength = 15

  @exclusivity(unchecked) private var readBuffer = [UInt8](
    repeating: 0, count: TAPDevice.maximumFrameLength)

  /// Opens (creating it if needed) the TAP interface `name`. The interface starts down and
  /// without addresses; configure it with `ip` or, for the stack, leave it to Loam.
  public init(name requestedName: String) throws(TAPDeviceError) {
    guard Self.isValidName(requestedName) else { throw .invalidName(requestedName) }
    let descriptor = Glibc.open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
      let error = SystemError.fromErrno("open", subject: "/dev/net/tun")
      switch error.errorNumber {
      case ENOENT, ENODEV, ENXIO: throw .driverMissing(error)
      case EACCES, EPERM: throw .permissionDenied(name: requestedName, error)
      default: throw .failed(error)
      }
    }
    var request = ifreq()
    withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { field in
      field.copyBytes(from: requestedName.utf8)  // isValidName left room for the zero
    }
    request.ifr_ifru.ifru_flags = Int16(IFF_TAP | IFF_NO_PI)
    guard ioctl(descriptor, loam_TUNSETIFF, &request) == 0 else {
      let error = SystemError.fromErrno("ioctl(TUNSETIFF)", subject: requestedName)
      Glibc.close(descriptor)
      switch error.errorNumber {
      case EPERM, EACCES: throw .permissionDenied(name: requestedName, error)
      case EBUSY, EINVAL: throw .busy(name: requestedName, error)
      default: throw .failed(error)
      }
    }
    fileDescriptor = descriptor
    name = withUnsafeBytes(of: request.ifr_ifrn.ifrn_name) { field in
      String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  deinit {
    close()
  }

  /// The next frame the kernel sent out of the interface, or nil if none is waiting.
  public func readFrame() throws(SystemError) -> [UInt8]? {
    try readFrame { Array($0) }
  }

  /// Hands the next frame to `body` as a slice of the device's read buffer, or nil if none is
  /// waiting. (A slice kept past `body` stays valid: the next read then copies the buffer.)
  public func readFrame<Result>(
    _ body: (ArraySlice<UInt8>) -> Result
  ) throws(SystemError) -> Result? {
    let count = readBuffer.withUnsafeMutableBytes { buffer in
      retryingOnInterrupt { read(fileDescriptor, buffer.baseAddress!, buffer.count) }
    }
    guard count >= 0 else {
      if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
      throw .fromErrno("read", subject: name)
    }
    return body(readBuffer[0..<count])
  }

  /// Hands `frame` (from the destination address on, without a frame check sequence) to the
  /// kernel as if it had arrived on the interface. The kernel takes a frame whole or not at
  /// all; it refuses frames shorter than an Ethernet header (`EINVAL`).
  public func writeFrame(_ frame: [UInt8]) throws(SystemError) {
    guard !frame.isEmpty else {
      throw SystemError(call: "write", subject: name, errorNumber: EINVAL)
    }
    let count = frame.withUnsafeBytes { bytes in
      retryingOnInterrupt { write(fileDescriptor, bytes.baseAddress!, bytes.count) }
    }
    guard count >= 0 else { throw .fromErrno("write", subject: name) }
    // The TAP driver never writes part of a frame; a short count would be a kernel bug.
    assert(count == frame.count, "the TAP driver wrote part of a frame")
  }

  /// Closes the descriptor, which removes a non-persistent interface. Safe to call twice.
  public func close() {
    guard fileDescriptor >= 0 else { return }
    Glibc.close(fileDescriptor)
    fileDescriptor = -1
  }

  /// Whether Linux accepts `name` for an interface (the kernel's `dev_valid_name`).
  private static func isValidName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard !bytes.isEmpty, bytes.count <= maximumNameLength, name != ".", name != ".." else {
      return false
    }
    let forbidden: Set<UInt8> = [0, UInt8(ascii: "/"), UInt8(ascii: ":")]
    return bytes.allSatisfy { !forbidden.contains($0) && !isWhiteSpace($0) }
  }

  /// The kernel's `isspace`: space, tab, line feed, vertical tab, form feed, carriage return.
  private static func isWhiteSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }
}
