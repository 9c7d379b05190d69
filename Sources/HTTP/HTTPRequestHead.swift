/// The head of a request: its request line and header section (RFC 9112 §3, §5).
///
/// The raw target is kept; its path and query are also given decoded, because routing and
/// handlers want text while logs and signatures want the bytes as sent.
public struct HTTPRequestHead: Sendable {
  /// The request method.
  public var method: HTTPMethod
  /// The request target exactly as on the request line, for example `/a%20b?x=1`.
  public var target: String
  /// The target's path, still percent-encoded: what `HTTPRouter` matches, segment by segment,
  /// so that an encoded `/` (`%2F`) stays inside its segment.
  public var rawPath: String
  /// The target's path, percent-decoded, without the query.
  public var path: String
  /// The query's `name=value` pairs in order, percent-decoded with `+` read as a space.
  public var queryItems: [(name: String, value: String)]
  /// The protocol version on the request line.
  public var version: HTTPVersion
  /// The header section.
  public var headers: HTTPHeaders

  /// A head for `target`, whose path and query are split and decoded here.
  ///
  /// The target must be in origin form (`/path?query`), absolute form (`http://host/path`), or
  /// `*` (only with OPTIONS). Throws a 400 error for any other target, an invalid `%` escape,
  /// or a path or query that does not decode to UTF-8.
  public init(
    method: HTTPMethod, target: String, version: HTTPVersion = .http1_1,
    headers: HTTPHeaders = HTTPHeaders()
  ) throws(HTTPParseError) {
    try self.init(
      method: method, targetBytes: Array(target.utf8)[...], version: version, headers: headers)
  }

  /// A head for the target in `targetBytes`, as the parser finds it on the request line.
  init(
    method: HTTPMethod, targetBytes: ArraySlice<UInt8>, version: HTTPVersion,
    headers: HTTPHeaders
  ) throws(HTTPParseError) {
    // Everything that can fail comes first, so that a head is built only once it is valid.
    let parts = try HTTPRequestHead.splitTarget(targetBytes, method: method)
    let queryItems = try HTTPRequestHead.decodeQuery(parts.query)
    let target = String(decoding: targetBytes, as: UTF8.self)
    // A plain path (`/a/b`, no query) is the whole target: the string is made once.
    let isWholeTarget =
      parts.path.startIndex == targetBytes.startIndex && parts.path.endIndex == targetBytes.endIndex
    let rawPath = isWholeTarget ? target : String(decoding: parts.path, as: UTF8.self)
    var path = rawPath  // visible ASCII without escapes decodes to itself
    if parts.path.contains(ASCII.percent) {
      guard let decodedPath = percentDecoded(parts.path, plusAsSpace: false) else {
        throw .badRequest("the path has an invalid percent-escape or is not UTF-8")
      }
      path = decodedPath
    }
    self.method = method
    self.target = target
    self.rawPath = rawPath
    self.path = path
    self.queryItems = queryItems
    self.version = version
    self.headers = headers
  }

  /// The first value of the query item `name`, or nil.
  public func queryValue(_ name: String) -> String? {
    for item in queryItems where item.name == name { return item.value }
    return nil
  }

  /// Whether the connection stays open after this request's response: by default in
  /// HTTP/1.1 unless `Connection: close`; in HTTP/1.0 only with `Connection: keep-alive`
  /// (RFC 9112 §9.3).
  public var keepAlive: Bool {
    if headers.containsToken("close", in: "Connection") { return false }
    if version >= .http1_1 { return true }
    return headers.containsToken("keep-alive", in: "Connection")
  }

  /// The path and query bytes of a target, after checking its form.
  private static func splitTarget(
    _ bytes: ArraySlice<UInt8>, method: HTTPMethod
  ) throws(HTTPParseError) -> (path: ArraySlice<UInt8>, query: ArraySlice<UInt8>) {
    // One pass checks every byte (visible ASCII, no fragment) and finds the query.
    var queryStart = bytes.endIndex
    for index in bytes.indices {
      let byte = bytes[index]
      guard byte > 0x20, byte < 0x7F, byte != 0x23 else {
        throw .badRequest("the request target has bytes a URI cannot hold")
      }
      if byte == ASCII.questionMark, queryStart == bytes.endIndex { queryStart = index }
    }
    guard let first = bytes.first else {
      throw .badRequest("the request target has bytes a URI cannot hold")
    }
    if bytes.count == 1, first == UInt8(ascii: "*") {
      guard method == .options else { throw .badRequest("only OPTIONS may target '*'") }
      return (bytes, [])
    }
    var start = bytes.startIndex
    if first != ASCII.slash {
      // Absolute form: the path starts at the first slash after `scheme://authority`.
      guard let schemeEnd = absoluteFormAuthorityStart(bytes) else {
        throw .badRequest("the request target is neither a path nor an absolute URI")
      }
      start = bytes[schemeEnd...].firstIndex(of: ASCII.slash) ?? bytes.endIndex
      queryStart = bytes[start...].firstIndex(of: ASCII.questionMark) ?? bytes.endIndex
    }
    let path: ArraySlice<UInt8> = start == queryStart ? [ASCII.slash] : bytes[start..<queryStart]
    let query = queryStart < bytes.endIndex ? bytes[(queryStart + 1)...] : []
    return (path, query)
  }

  /// Where the authority of an `http://` or `https://` target starts, or nil for other targets.
  private static func absoluteFormAuthorityStart(_ bytes: ArraySlice<UInt8>) -> Int? {
    for scheme in ["http://", "https://"] {
      let prefix = Array(scheme.utf8)
      if bytes.count > prefix.count, equalsIgnoringASCIICase(bytes.prefix(prefix.count), prefix) {
        return bytes.startIndex + prefix.count
      }
    }
    return nil
  }

  /// The decoded `name=value` pairs of a query; a pair without `=` has an empty value.
  private static func decodeQuery(
    _ query: ArraySlice<UInt8>
  ) throws(HTTPParseError) -> [(name: String, value: String)] {
    var items: [(name: String, value: String)] = []
    guard !query.isEmpty else { return items }
    for pair in query.split(separator: ASCII.ampersand) {
      let equals = pair.firstIndex(of: ASCII.equals) ?? pair.endIndex
      let value = equals < pair.endIndex ? pair[(equals + 1)...] : []
      guard let name = percentDecoded(pair[..<equals], plusAsSpace: true),
        let decodedValue = percentDecoded(value, plusAsSpace: true)
      else { throw .badRequest("the query has an invalid percent-escape or is not UTF-8") }
      items.append((name, decodedValue))
    }
    return items
  }
}

/// A complete request: head and body, as the server hands it to an `HTTPResponder`.
public struct HTTPRequest: Sendable {
  /// The request line and headers.
  public var head: HTTPRequestHead
  /// The body, with any chunked framing removed; empty if there was none.
  public var body: [UInt8]

  /// A request from its parts.
  public init(head: HTTPRequestHead, body: [UInt8] = []) {
    self.head = head
    self.body = body
  }
}
