/// An HTTP protocol version, `HTTP/major.minor` (RFC 9110 §2.5).
public struct HTTPVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The major version; Loam speaks only 1.
  public var major: Int
  /// The minor version: 0 or 1 for the versions Loam speaks.
  public var minor: Int

  /// The version `HTTP/major.minor`.
  public init(major: Int, minor: Int) {
    self.major = major
    self.minor = minor
  }

  // The underscores stand for the dots of "1.0" and "1.1", as in SwiftNIO's names.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// HTTP/1.0: connections close after each response unless the client asks for keep-alive.
  public static let http1_0 = HTTPVersion(major: 1, minor: 0)
  // swift-format-ignore: AlwaysUseLowerCamelCase
  /// HTTP/1.1: persistent connections by default, chunked transfer coding.
  public static let http1_1 = HTTPVersion(major: 1, minor: 1)

  public static func < (lhs: HTTPVersion, rhs: HTTPVersion) -> Bool {
    (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
  }

  /// The version as written on the wire, for example `HTTP/1.1`.
  public var description: String { "HTTP/\(major).\(minor)" }
}
