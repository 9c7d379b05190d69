/// The kind of a DHCP message (option 53, RFC 2132 section 9.6).
public enum DHCPMessageType: UInt8, Sendable {
  /// Client broadcast to find servers.
  case discover = 1
  /// Server's answer to a DISCOVER, offering an address.
  case offer = 2
  /// Client asks for the offered address, or to extend its lease.
  case request = 3
  /// Client says the address is already in use.
  case decline = 4
  /// Server grants the lease, with its parameters.
  case acknowledge = 5
  /// Server refuses: the client's idea of its address is wrong.
  case negativeAcknowledge = 6
  /// Client gives its address back.
  case release = 7
  /// Client asks for parameters only, having an address already.
  case inform = 8
}

/// An option this stack does not interpret, kept as its code and bytes.
public struct DHCPOption: Equatable, Sendable {
  /// The option's code, 1 to 254 (0 is pad and 255 is end).
  public var code: UInt8
  /// The option's value, at most 255 bytes.
  public var data: [UInt8]

  /// An option with this code and value.
  public init(code: UInt8, data: [UInt8]) {
    precondition(code != 0 && code != 255, "pad and end are not options with data")
    precondition(data.count <= 255, "an option's length is one byte")
    self.code = code
    self.data = data
  }
}

/// The options of a DHCP message (RFC 2132) that the client uses, each parsed and checked, plus
/// any others kept as bytes. An absent option is nil or empty.
public struct DHCPOptions: Equatable, Sendable {
  /// Option 53, the message type. Every DHCP message has one.
  public var messageType: DHCPMessageType?
  /// Option 1, the subnet mask as its prefix length (a mask with holes is rejected).
  public var subnetPrefixLength: Int?
  /// Option 3, the routers on the client's subnet, in order of preference.
  public var routers: [IPv4Address] = []
  /// Option 6, the DNS servers, in order of preference.
  public var domainNameServers: [IPv4Address] = []
  /// Option 12, the client's host name.
  public var hostName: [UInt8]?
  /// Option 50, the address a client asks for.
  public var requestedAddress: IPv4Address?
  /// Option 51, the lease time in seconds; 0xFFFF_FFFF means infinite.
  public var leaseTime: UInt32?
  /// Option 54, the server's identifier: its address, which the client echoes back.
  public var serverIdentifier: IPv4Address?
  /// Option 55, the codes of the options the client wants in replies.
  public var parameterRequestList: [UInt8] = []
  /// Option 58, the renewal time T1 in seconds.
  public var renewalTime: UInt32?
  /// Option 59, the rebinding time T2 in seconds.
  public var rebindingTime: UInt32?
  /// Option 61, the client identifier (usually a hardware type then the address).
  public var clientIdentifier: [UInt8]?
  /// Every other option, in the order received, up to `maximumUnknownOptions`.
  public var unknown: [DHCPOption] = []

  /// The most unknown options kept from a parsed message; later ones are checked and skipped.
  public static let maximumUnknownOptions = 32

  /// No options.
  public init() {}
}

/// Option codes (RFC 2132).
enum DHCPOptionCode {
  static let pad: UInt8 = 0
  static let subnetMask: UInt8 = 1
  static let routers: UInt8 = 3
  static let domainNameServers: UInt8 = 6
  static let hostName: UInt8 = 12
  static let requestedAddress: UInt8 = 50
  static let leaseTime: UInt8 = 51
  static let overload: UInt8 = 52
  static let messageType: UInt8 = 53
  static let serverIdentifier: UInt8 = 54
  static let parameterRequestList: UInt8 = 55
  static let renewalTime: UInt8 = 58
  static let rebindingTime: UInt8 = 59
  static let clientIdentifier: UInt8 = 61
  static let end: UInt8 = 255
}

extension DHCPOptions {
  /// Reads the options in `bytes` (a run of code, length, value ending at the end option) into
  /// `self`. Returns the value of the overload option (52), if present.
  mutating func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> UInt8? {
    var overload: UInt8?
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let code = bytes[index]
      index += 1
      if code == DHCPOptionCode.pad { continue }
      if code == DHCPOptionCode.end { return overload }
      guard index < bytes.endIndex else {
        throw .truncated(protocol: "DHCP", needed: 1, available: 0)
      }
      let length = Int(bytes[index])
      index += 1
      guard bytes.endIndex - index >= length else {
        throw .truncated(protocol: "DHCP", needed: length, available: bytes.endIndex - index)
      }
      let value = bytes[index..<index + length]
      index += length
      if code == DHCPOptionCode.overload {
        guard overload == nil else { throw repeated(code) }
        guard length == 1, (1...3).contains(value.first!) else { throw badLength(code, length) }
        overload = value.first!
      } else {
        try store(code: code, value: value)
      }
    }
    throw .malformed(protocol: "DHCP", reason: "options do not end with the end option (255)")
  }

  /// Checks one option's value and sets the matching property.
  private mutating func store(code: UInt8, value: ArraySlice<UInt8>) throws(WireError) {
    switch code {
    case DHCPOptionCode.messageType:
      guard messageType == nil else { throw repeated(code) }
      guard value.count == 1 else { throw badLength(code, value.count) }
      guard let type = DHCPMessageType(rawValue: value.first!) else {
        throw .unsupported(protocol: "DHCP", reason: "message type \(value.first!)")
      }
      messageType = type
    case DHCPOptionCode.subnetMask:
      guard subnetPrefixLength == nil else { throw repeated(code) }
      subnetPrefixLength = try prefixLength(ofMask: IPv4Address(try word(code, value)))
    case DHCPOptionCode.routers:
      guard routers.isEmpty else { throw repeated(code) }
      routers = try addresses(code, value)
    case DHCPOptionCode.domainNameServers:
      guard domainNameServers.isEmpty else { throw repeated(code) }
      domainNameServers = try addresses(code, value)
    case DHCPOptionCode.hostName:
      guard hostName == nil else { throw repeated(code) }
      guard !value.isEmpty else { throw badLength(code, 0) }
      hostName = Array(value)
    case DHCPOptionCode.requestedAddress:
      guard requestedAddress == nil else { throw repeated(code) }
      requestedAddress = IPv4Address(try word(code, value))
    case DHCPOptionCode.serverIdentifier:
      guard serverIdentifier == nil else { throw repeated(code) }
      serverIdentifier = IPv4Address(try word(code, value))
    case DHCPOptionCode.leaseTime:
      guard leaseTime == nil else { throw repeated(code) }
      leaseTime = try word(code, value)
    case DHCPOptionCode.renewalTime:
      guard renewalTime == nil else { throw repeated(code) }
      renewalTime = try word(code, value)
    case DHCPOptionCode.rebindingTime:
      guard rebindingTime == nil else { throw repeated(code) }
      rebindingTime = try word(code, value)
    case DHCPOptionCode.parameterRequestList:
      guard parameterRequestList.isEmpty else { throw repeated(code) }
      guard !value.isEmpty else { throw badLength(code, 0) }
      parameterRequestList = Array(value)
    case DHCPOptionCode.clientIdentifier:
      guard clientIdentifier == nil else { throw repeated(code) }
      guard value.count >= 2 else { throw badLength(code, value.count) }
      clientIdentifier = Array(value)
    default:
      if unknown.count < DHCPOptions.maximumUnknownOptions {
        unknown.append(DHCPOption(code: code, data: Array(value)))
      }
    }
  }

  /// Appends the options, message type first, then the end option.
  func emit(into buffer: inout [UInt8]) {
    if let messageType { append(DHCPOptionCode.messageType, [messageType.rawValue], to: &buffer) }
    if let subnetPrefixLength {
      let mask = IPv4Subnet(address: .any, prefixLength: subnetPrefixLength)!.mask
      append(DHCPOptionCode.subnetMask, IPv4Address(mask).octets, to: &buffer)
    }
    appendAddresses(DHCPOptionCode.routers, routers, to: &buffer)
    appendAddresses(DHCPOptionCode.domainNameServers, domainNameServers, to: &buffer)
    if let hostName { append(DHCPOptionCode.hostName, hostName, to: &buffer) }
    if let requestedAddress {
      append(DHCPOptionCode.requestedAddress, requestedAddress.octets, to: &buffer)
    }
    if let leaseTime { append(DHCPOptionCode.leaseTime, seconds(leaseTime), to: &buffer) }
    if let serverIdentifier {
      append(DHCPOptionCode.serverIdentifier, serverIdentifier.octets, to: &buffer)
    }
    if !parameterRequestList.isEmpty {
      append(DHCPOptionCode.parameterRequestList, parameterRequestList, to: &buffer)
    }
    if let renewalTime { append(DHCPOptionCode.renewalTime, seconds(renewalTime), to: &buffer) }
    if let rebindingTime {
      append(DHCPOptionCode.rebindingTime, seconds(rebindingTime), to: &buffer)
    }
    if let clientIdentifier {
      append(DHCPOptionCode.clientIdentifier, clientIdentifier, to: &buffer)
    }
    for option in unknown { append(option.code, option.data, to: &buffer) }
    buffer.append(DHCPOptionCode.end)
  }
}

private func append(_ code: UInt8, _ value: [UInt8], to buffer: inout [UInt8]) {
  precondition(!value.isEmpty && value.count <= 255, "option \(code) needs 1 to 255 bytes")
  buffer.append(code)
  buffer.append(UInt8(value.count))
  buffer.append(contentsOf: value)
}

private func appendAddresses(_ code: UInt8, _ addresses: [IPv4Address], to buffer: inout [UInt8]) {
  guard !addresses.isEmpty else { return }
  var value: [UInt8] = []
  for address in addresses { value.append(contentsOf: address.octets) }
  append(code, value, to: &buffer)
}

/// A 32-bit time in seconds as its four bytes in network order.
private func seconds(_ value: UInt32) -> [UInt8] { IPv4Address(value).octets }

/// A four-byte big-endian value: an address, a mask or a time in seconds.
private func word(_ code: UInt8, _ value: ArraySlice<UInt8>) throws(WireError) -> UInt32 {
  guard value.count == 4 else { throw badLength(code, value.count) }
  return value.reduce(0) { $0 << 8 | UInt32($1) }
}

/// A list of one or more addresses.
private func addresses(
  _ code: UInt8, _ value: ArraySlice<UInt8>
) throws(WireError) -> [IPv4Address] {
  guard !value.isEmpty, value.count % 4 == 0 else { throw badLength(code, value.count) }
  var result: [IPv4Address] = []
  var start = value.startIndex
  while start < value.endIndex {
    result.append(IPv4Address(try word(code, value[start..<start + 4])))
    start += 4
  }
  return result
}

/// The prefix length of a mask whose one bits are contiguous from the top.
private func prefixLength(ofMask mask: IPv4Address) throws(WireError) -> Int {
  let length = (~mask.value).leadingZeroBitCount
  guard IPv4Subnet(address: .any, prefixLength: length)!.mask == mask.value else {
    throw .malformed(protocol: "DHCP", reason: "subnet mask \(mask) is not contiguous")
  }
  return length
}

private func badLength(_ code: UInt8, _ length: Int) -> WireError {
  .malformed(protocol: "DHCP", reason: "option \(code) has a bad length (\(length))")
}

private func repeated(_ code: UInt8) -> WireError {
  .malformed(protocol: "DHCP", reason: "option \(code) appears twice")
}
