import Hashing
import Net

/// Where and how a process attaches Loam's own stack, from a `--net` option:
///
///     tap:NAME,ip=ADDRESS/PREFIX[,gw=ADDRESS]     a TAP device, a static address
///     tap:NAME,dhcp                               a TAP device, an address by DHCP
///     segment:PATH,ip=...|dhcp                    a port on the rootless virtual switch at PATH
///
/// and `mac=02:...` to choose the MAC address (by default one derived from the host name and
/// the device, locally administered, so that it stays the same from run to run and a DHCP
/// server hands out the same address again).
///
/// For testing, `impair=loss:0.05,delay:20ms,reorder:0.1[,jitter:5ms][,seed:N][,limit:N]`
/// (last, its settings continuing after commas) puts the device behind an
/// `ImpairedFrameDevice`: a wire that loses, delays and reorders frames both ways.
public struct NetworkAttachment: Equatable, Sendable {
  /// The kind of device.
  public enum Device: Equatable, Sendable, CustomStringConvertible {
    /// A TAP device of this name (created if it does not exist; needs CAP_NET_ADMIN).
    case tap(String)
    /// A port on the virtual Ethernet switch listening at this socket path.
    case segment(String)

    public var description: String {
      switch self {
      case .tap(let name): return "TAP device \(name)"
      case .segment(let path): return "the virtual Ethernet segment at \(path)"
      }
    }
  }

  /// The device.
  public var device: Device
  /// A static address and routes, or nil for DHCP.
  public var routes: IPv4Routes?
  /// A MAC address given with `mac=`.
  public var macAddress: MACAddress?
  /// A bad wire to put between the stack and the device, given with `impair=`; for testing.
  public var impairment: FrameImpairment?

  /// Parses the option's value; the error says what is wrong in terms of the syntax above.
  public init(parsing text: String) throws(NetworkAttachmentError) {
    let fields = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let head = fields[0]
    if head.hasPrefix("tap:"), head.count > 4 {
      device = .tap(String(head.dropFirst(4)))
    } else if head.hasPrefix("segment:"), head.count > 8 {
      device = .segment(String(head.dropFirst(8)))
    } else {
      throw .invalid(text, "it starts with tap:NAME or segment:PATH")
    }
    var subnet: IPv4Subnet?
    var gateway: IPv4Address?
    var dhcp = false
    var impairmentText: String?
    for field in fields.dropFirst() {
      if let text = impairmentText, field.contains(":"), !field.contains("=") {
        impairmentText = text + "," + field  // the next setting of impair=
      } else if field.hasPrefix("impair=") {
        impairmentText = String(field.dropFirst(7))
      } else if field == "dhcp" {
        dhcp = true
      } else if field.hasPrefix("ip=") {
        guard let parsed = IPv4Subnet(String(field.dropFirst(3))) else {
          throw .invalid(text, "ip= takes ADDRESS/PREFIX, such as 192.0.2.2/24")
        }
        subnet = parsed
      } else if field.hasPrefix("gw=") {
        guard let parsed = IPv4Address(String(field.dropFirst(3))) else {
          throw .invalid(text, "gw= takes an IPv4 address")
        }
        gateway = parsed
      } else if field.hasPrefix("mac=") {
        guard let parsed = MACAddress(parsing: String(field.dropFirst(4))) else {
          throw .invalid(text, "mac= takes six hexadecimal bytes, such as 02:00:00:00:00:01")
        }
        macAddress = parsed
      } else {
        throw .invalid(text, "unknown setting '\(field)'")
      }
    }
    if let impairmentText {
      do {
        impairment = try FrameImpairment(parsing: impairmentText)
      } catch {
        throw .invalid(text, "impair=: \(error)")
      }
    }
    switch (subnet, dhcp) {
    case (nil, true):
      routes = nil
    case (let subnet?, false):
      guard let routes = IPv4Routes(subnet: subnet, gateway: gateway) else {
        throw .invalid(text, "the gateway lies outside \(subnet)")
      }
      self.routes = routes
    default:
      throw .invalid(text, "give either ip=ADDRESS/PREFIX or dhcp")
    }
  }

  /// Whether the address comes from DHCP.
  public var usesDHCP: Bool { routes == nil }

  /// The MAC address to use: the one given, or one derived from `hostLabel` and the device.
  public func macAddress(hostLabel: String) -> MACAddress {
    if let macAddress { return macAddress }
    let name: String
    switch device {
    case .tap(let tap): name = "tap:" + tap
    case .segment(let path): name = "segment:" + path
    }
    let hash = SipHash.hash(
      Array((hostLabel + "@" + name).utf8), key: [UInt8](repeating: 0, count: 16))
    // Locally administered (bit 1 set), unicast (bit 0 clear).
    return MACAddress(
      UInt8(truncatingIfNeeded: hash) & 0xFC | 0x02, UInt8(truncatingIfNeeded: hash >> 8),
      UInt8(truncatingIfNeeded: hash >> 16), UInt8(truncatingIfNeeded: hash >> 24),
      UInt8(truncatingIfNeeded: hash >> 32), UInt8(truncatingIfNeeded: hash >> 40))
  }

  /// Opens the device, behind an `ImpairedFrameDevice` on `loop` if `impair=` was given.
  public func openDevice(loop: EventLoop) throws -> FrameDevice {
    let opened: FrameDevice
    switch device {
    case .tap(let name): opened = try TAPDevice(name: name)
    case .segment(let path): opened = try VirtualEthernetPort(switchPath: path)
    }
    guard let impairment else { return opened }
    return try ImpairedFrameDevice(wrapping: opened, impairment: impairment, loop: loop)
  }

  /// The interface configuration for this attachment, with a fresh secret from the kernel.
  public func interfaceConfiguration(hostLabel: String) -> NetworkInterface.Configuration {
    NetworkInterface.Configuration(
      macAddress: macAddress(hostLabel: hostLabel), routes: routes,
      secret: SystemEntropy.bytes(16))
  }
}

/// A `--net` value that does not parse.
public enum NetworkAttachmentError: Error, Equatable, CustomStringConvertible {
  /// The text, and what is wrong with it.
  case invalid(String, String)

  public var description: String {
    switch self {
    case .invalid(let text, let reason): return "--net \(text): \(reason)"
    }
  }
}

extension MACAddress {
  /// A MAC address written as six hexadecimal bytes separated by colons.
  init?(parsing text: String) {
    let parts = text.split(separator: ":")
    guard parts.count == 6 else { return nil }
    var bytes: [UInt8] = []
    for part in parts {
      guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
      bytes.append(byte)
    }
    self.init(bytes[...])
  }
}

extension NetworkStack {
  /// A stack on `device` as `attachment` describes it: its MAC address, and its static address
  /// or DHCP.
  public convenience init(
    loop: EventLoop, device: FrameDevice, attachment: NetworkAttachment, hostLabel: String,
    onEvent: @escaping (NetworkServicesEvent) -> Void = { _ in }
  ) throws {
    try self.init(
      loop: loop, device: device,
      configuration: attachment.interfaceConfiguration(hostLabel: hostLabel),
      hostLabel: hostLabel, dhcp: attachment.usesDHCP, onEvent: onEvent)
  }
}
