/// A request method (RFC 9110 §9). Methods are case-sensitive tokens; the common ones have cases
/// of their own and any other valid token is kept as `other`.
public enum HTTPMethod: Hashable, Sendable, CustomStringConvertible {
  case get
  case head
  case post
  case put
  case delete
  case options
  case patch
  /// Any other method token, such as `TRACE` or `PROPFIND`. Never holds a name that has a case.
  case other(String)

  /// The method named `name`, mapping the standard names onto their cases.
  public init(_ name: String) {
    switch name {
    case "GET": self = .get
    case "HEAD": self = .head
    case "POST": self = .post
    case "PUT": self = .put
    case "DELETE": self = .delete
    case "OPTIONS": self = .options
    case "PATCH": self = .patch
    default: self = .other(name)
    }
  }

  /// The method's name as it appears on the request line.
  /// The method named by `bytes`, a token from a request line. The standard methods are told
  /// apart by their bytes, without making a string for them.
  init(bytes: ArraySlice<UInt8>) {
    for (name, method) in HTTPMethod.standard
    where name.count == bytes.count && name.elementsEqual(bytes) {
      self = method
      return
    }
    self = .other(String(decoding: bytes, as: UTF8.self))
  }

  /// The methods with a case of their own, by name, the most used first.
  private static let standard: [(name: [UInt8], method: HTTPMethod)] =
    [HTTPMethod.get, .post, .head, .put, .delete, .options, .patch].map {
      (Array($0.name.utf8), $0)
    }

  public var name: String {
    switch self {
    case .get: return "GET"
    case .head: return "HEAD"
    case .post: return "POST"
    case .put: return "PUT"
    case .delete: return "DELETE"
    case .options: return "OPTIONS"
    case .patch: return "PATCH"
    case .other(let name): return name
    }
  }

  /// The method's name, for logs.
  public var description: String { name }
}
