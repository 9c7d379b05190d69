import CLinux
import Glibc

/// Why a host name or address could not be turned into a socket address.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The text is not an IPv4 (`192.168.1.20`) or IPv6 (`::1`) literal.
  case notNumeric(host: String)
  /// `getaddrinfo` could not resolve the name; `message` is its `gai_strerror` text.
  case resolutionFailed(host: String, message: String)

  public var description: String {
    switch self {
    case .notNumeric(let host): "not an IPv4 or IPv6 address: \(host)"
    case .resolutionFailed(let host, let message): "cannot resolve \(host): \(message)"
    }
  }
}

/// An IPv4 or IPv6 address and TCP port, the value form of a `sockaddr_in`/`sockaddr_in6`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
  /// `AF_INET` or `AF_INET6`.
  public let family: Int32
  /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
  public let addressBytes: [UInt8]
  /// The port, in host byte order.
  public let port: UInt16

  /// Parses a numeric host: an IPv4 dotted quad or an IPv6 literal (without brackets).
  public init(numericHost host: String, port: UInt16) throws(AddressError) {
    var bytes = [UInt8](repeating: 0, count: 16)
    if inet_pton(AF_INET, host, &bytes) == 1 {
      self.init(family: AF_INET, addressBytes: Array(bytes.prefix(4)), port: port)
    } else if inet_pton(AF_INET6, host, &bytes) == 1 {
      self.init(family: AF_INET6, addressBytes: bytes, port: port)
    } else {
      throw .notNumeric(host: host)
    }
  }

  private init(family: Int32, addressBytes: [UInt8], port: UInt16) {
    precondition(addressBytes.count == (family == AF_INET ? 4 : 16), "address length mismatch")
    self.family = family
    self.addressBytes = addressBytes
    self.port = port
  }

  /// Resolves `host` (a name or a literal) to its TCP addresses, in `getaddrinfo`'s order of
  /// preference. This blocks the calling thread while DNS answers; see `TCPClientConnection`.
  public static func resolve(host: String, port: UInt16) throws(AddressError) -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, &hints, &list)
    guard status == 0 else {
      throw .resolutionFailed(host: host, message: String(cString: gai_strerror(status)))
    }
    defer { freeaddrinfo(list) }
    var addresses: [SocketAddress] = []
    var entry = list
    while let current = entry, addresses.count < 16 {
      if let address = current.pointee.ai_addr, var found = SocketAddress(address) {
        found = SocketAddress(family: found.family, addressBytes: found.addressBytes, port: port)
        if !addresses.contains(found) { addresses.append(found) }
      }
      entry = current.pointee.ai_next
    }
    guard !addresses.isEmpty else {
      throw .resolutionFailed(host: host, message: "no IPv4 or IPv6 address")
    }
    return addresses
  }

  /// Reads a `sockaddr` of family `AF_INET` or `AF_INET6`; nil for any other family.
  init?(_ address: UnsafePointer<sockaddr>) {
    switch Int32(address.pointee.sa_family) {
    case AF_INET:
      let ipv4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
      let bytes = withUnsafeBytes(of: ipv4.sin_addr) { Array($0) }
      self.init(family: AF_INET, addressBytes: bytes, port: UInt16(bigEndian: ipv4.sin_port))
    case AF_INET6:
      let ipv6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
      let bytes = withUnsafeBytes(of: ipv6.sin6_addr) { Array($0) }
      self.init(family: AF_INET6, addressBytes: bytes, port: UInt16(bigEndian: ipv6.sin6_port))
    default:
      return nil
    }
  }

  /// Calls `body` with this address as a `sockaddr` and its length, for `bind` and `connect`.
  func withSocketAddress<Result>(
    _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
  ) -> Result {
    var storage = sockaddr_storage()
    return withUnsafeMutableBytes(of: &storage) { memory in
      if family == AF_INET {
        var ipv4 = sockaddr_in()
        ipv4.sin_family = sa_family_t(AF_INET)
        ipv4.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &ipv4.sin_addr) { $0.copyBytes(from: addressBytes) }
        memory.storeBytes(of: ipv4, as: sockaddr_in.self)
      } else {
        var ipv6 = sockaddr_in6()
        ipv6.sin6_family = sa_family_t(AF_INET6)
        ipv6.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &ipv6.sin6_addr) { $0.copyBytes(from: addressBytes) }
        memory.storeBytes(of: ipv6, as: sockaddr_in6.self)
      }
      let length =
        family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size
      let pointer = memory.baseAddress!.assumingMemoryBound(to: sockaddr.self)
      return body(pointer, socklen_t(length))
    }
  }

  /// `127.0.0.1:8080` or `[::1]:8080`.
  public var description: String {
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    _ = addressBytes.withUnsafeBytes { bytes in
      inet_ntop(family, bytes.baseAddress, &text, socklen_t(text.count))
    }
    let host = String(
      decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
  }
}
