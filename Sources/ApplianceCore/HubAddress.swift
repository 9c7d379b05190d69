/// Where the hub listens, from a URL such as `http://hub.local:8080` or `http://[::1]:8080`.
public struct HubAddress: CustomStringConvertible, Sendable {
  /// The host name or address.
  public var host: String
  /// The TCP port.
  public var port: UInt16

  /// Reads an `http://` URL with an optional port (default 80) and no path beyond `/`.
  public init?(url: String) {
    guard url.hasPrefix("http://") else { return nil }
    var authority = Substring(url.dropFirst("http://".count))
    if authority.hasSuffix("/") { authority = authority.dropLast() }
    guard !authority.isEmpty, !authority.contains("/") else { return nil }
    if authority.hasPrefix("[") {
      // An IPv6 literal: [address]:port.
      guard let close = authority.firstIndex(of: "]") else { return nil }
      host = String(authority[authority.index(after: authority.startIndex)..<close])
      let rest = authority[authority.index(after: close)...]
      guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
      guard let port = rest.isEmpty ? 80 : UInt16(rest.dropFirst()) else { return nil }
      self.port = port
    } else if let colon = authority.lastIndex(of: ":") {
      host = String(authority[..<colon])
      guard let port = UInt16(authority[authority.index(after: colon)...]) else { return nil }
      self.port = port
    } else {
      host = String(authority)
      port = 80
    }
    guard !host.isEmpty, port > 0 else { return nil }
  }

  /// The `Host` header value.
  public var hostHeader: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return port == 80 ? shownHost : "\(shownHost):\(port)"
  }

  public var description: String { "http://\(hostHeader)" }
}
