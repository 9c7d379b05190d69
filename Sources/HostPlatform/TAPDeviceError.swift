/// Why a TAP device could not be opened, with what to do about it.
public enum TAPDeviceError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The interface name is one Linux refuses: empty, longer than 15 bytes, `.` or `..`, or
  /// holding `/`, `:` or white space.
  case invalidName(String)
  /// `/dev/net/tun` is missing or its driver is not loaded.
  case driverMissing(SystemError)
  /// The process may not use `/dev/net/tun` or create the interface.
  case permissionDenied(name: String, SystemError)
  /// The interface exists and is in use by another process, or is not a TAP device.
  case busy(name: String, SystemError)
  /// Any other failure of the calls that open the device.
  case failed(SystemError)

  public var description: String {
    switch self {
    case .invalidName(let name):
      return "TAP device name '\(name)' is invalid: use 1 to 15 bytes without '/', ':' or spaces"
    case .driverMissing(let error):
      return "\(error). The TUN/TAP driver is missing: load it with `modprobe tun`; "
        + "in a container, pass the device in (`--device /dev/net/tun --cap-add NET_ADMIN`)"
    case .permissionDenied(let name, let error):
      return "\(error). Creating TAP device \(name) needs CAP_NET_ADMIN: run as root, or "
        + "create it once as root with `ip tuntap add dev \(name) mode tap user $USER`"
    case .busy(let name, let error):
      return "\(error). Interface \(name) is attached to another process or is not a "
        + "TAP device: choose another name or remove it with `ip link delete \(name)`"
    case .failed(let error):
      return "\(error)"
    }
  }
}
