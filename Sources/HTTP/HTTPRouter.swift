/// The parameters a route pattern captured, in pattern order, percent-decoded.
public struct HTTPRouteParameters: Sendable {
  /// The captured `(name, value)` pairs.
  public private(set) var items: [(name: String, value: String)] = []

  /// No parameters.
  public init() {}

  /// The value captured by `{name}`, or nil if the pattern has no such parameter.
  public subscript(name: String) -> String? {
    for item in items where item.name == name { return item.value }
    return nil
  }

  mutating func append(name: String, value: String) {
    items.append((name, value))
  }
}

/// The result of routing a request.
public enum HTTPRouteMatch<Endpoint> {
  /// A route matched: its endpoint, the captured parameters, and its body limit.
  case found(Endpoint, parameters: HTTPRouteParameters, maximumBodyBytes: Int)
  /// The path exists but not for this method: answer 405 with `Allow` listing `allowed`.
  case methodNotAllowed(allowed: [HTTPMethod])
  /// No route has this path: answer 404.
  case notFound
}

/// A routing table from method and path pattern to an endpoint value, as plain data (no
/// closures), so the table can be a constant and compiles in Embedded Swift.
///
/// A pattern is a path whose segments are literals or `{name}` parameters, for example
/// `/api/v1/sensors/{id}/readings`; a parameter matches one non-empty segment. Paths are
/// matched as sent (still percent-encoded) and split on `/` before decoding, so an encoded
/// slash stays inside its segment. Routes are tried in the order they were added. A HEAD request
/// matches a GET route.
public struct HTTPRouter<Endpoint> {
  /// The most routes a table holds.
  public static var maximumRoutes: Int { 256 }
  /// The most segments in a pattern or a routed path.
  public static var maximumSegments: Int { RouteTable.maximumSegments }

  // The patterns live in a non-generic table; this type only adds the endpoints. `match` is
  // inlinable so that the module that routes gets it specialised for its endpoint type.
  @usableFromInline var table = RouteTable()
  @usableFromInline var endpoints: [Endpoint] = []

  /// An empty table.
  public init() {}

  /// Adds a route. `pattern` must start with `/`; its `{name}` parameters must fill whole
  /// segments. `maximumBodyBytes` is the largest request body the route accepts.
  public mutating func add(
    _ method: HTTPMethod, _ pattern: String, _ endpoint: Endpoint, maximumBodyBytes: Int = 0
  ) {
    precondition(table.count < HTTPRouter.maximumRoutes, "too many routes")
    table.add(method, pattern, maximumBodyBytes: maximumBodyBytes)
    endpoints.append(endpoint)
  }

  /// Routes a request with `method` to the still-encoded `path` (`HTTPRequestHead.rawPath`).
  @inlinable
  public func match(method: HTTPMethod, path: String) -> HTTPRouteMatch<Endpoint> {
    switch table.match(method: method, path: path) {
    case .found(let position, let parameters, let maximumBodyBytes):
      return .found(
        endpoints[position], parameters: parameters, maximumBodyBytes: maximumBodyBytes)
    case .methodNotAllowed(let allowed):
      return .methodNotAllowed(allowed: allowed)
    case .notFound:
      return .notFound
    }
  }

  /// Routes a parsed request head.
  @inlinable
  public func match(_ head: HTTPRequestHead) -> HTTPRouteMatch<Endpoint> {
    match(method: head.method, path: head.rawPath)
  }

  /// The value of an `Allow` header listing `methods`, for a 405 response.
  public static func allowHeaderValue(_ methods: [HTTPMethod]) -> String {
    var value = ""
    for method in methods {
      value += value.isEmpty ? method.name : ", \(method.name)"
    }
    return value
  }
}
