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
  public static var maximumSegments: Int { 32 }

  private enum Segment {
    case literal(String)
    case parameter(String)
  }

  private struct Route {
    var method: HTTPMethod
    var segments: [Segment]
    var endpoint: Endpoint
    var maximumBodyBytes: Int
  }

  private var routes: [Route] = []

  /// An empty table.
  public init() {}

  /// Adds a route. `pattern` must start with `/`; its `{name}` parameters must fill whole
  /// segments. `maximumBodyBytes` is the largest request body the route accepts.
  public mutating func add(
    _ method: HTTPMethod, _ pattern: String, _ endpoint: Endpoint, maximumBodyBytes: Int = 0
  ) {
    precondition(routes.count < HTTPRouter.maximumRoutes, "too many routes")
    precondition(pattern.utf8.first == ASCII.slash, "a route pattern starts with '/'")
    precondition(maximumBodyBytes >= 0, "a body limit is not negative")
    var segments: [Segment] = []
    for part in Array(pattern.utf8).dropFirst().split(
      separator: ASCII.slash, omittingEmptySubsequences: false)
    {
      let text = String(decoding: part, as: UTF8.self)
      if part.first == UInt8(ascii: "{") {
        precondition(part.count > 2 && part.last == UInt8(ascii: "}"), "a parameter is {name}")
        segments.append(.parameter(String(decoding: part.dropFirst().dropLast(), as: UTF8.self)))
      } else {
        precondition(!part.contains(UInt8(ascii: "{")), "a parameter fills a whole segment")
        segments.append(.literal(text))
      }
    }
    precondition(segments.count <= HTTPRouter.maximumSegments, "a pattern has too many segments")
    routes.append(
      Route(
        method: method, segments: segments, endpoint: endpoint,
        maximumBodyBytes: maximumBodyBytes))
  }

  /// Routes a request with `method` to the still-encoded `path` (`HTTPRequestHead.rawPath`).
  public func match(method: HTTPMethod, path: String) -> HTTPRouteMatch<Endpoint> {
    guard let segments = decodedSegments(path) else { return .notFound }
    var allowed: [HTTPMethod] = []
    for route in routes {
      guard let parameters = match(route.segments, segments) else { continue }
      if route.method == method || (method == .head && route.method == .get) {
        return .found(
          route.endpoint, parameters: parameters, maximumBodyBytes: route.maximumBodyBytes)
      }
      for routeMethod in route.method == .get ? [.get, .head] : [route.method]
      where !allowed.contains(routeMethod) {
        allowed.append(routeMethod)
      }
    }
    return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
  }

  /// Routes a parsed request head.
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

  /// The percent-decoded segments of an encoded path, or nil if it is not a routable path.
  private func decodedSegments(_ path: String) -> [String]? {
    let bytes = Array(path.utf8)
    guard bytes.first == ASCII.slash else { return nil }
    var segments: [String] = []
    for part in bytes.dropFirst().split(separator: ASCII.slash, omittingEmptySubsequences: false) {
      guard segments.count < HTTPRouter.maximumSegments,
        let segment = percentDecoded(part, plusAsSpace: false)
      else { return nil }
      segments.append(segment)
    }
    return segments
  }

  private func match(_ pattern: [Segment], _ segments: [String]) -> HTTPRouteParameters? {
    guard pattern.count == segments.count else { return nil }
    var parameters = HTTPRouteParameters()
    for (patternSegment, segment) in zip(pattern, segments) {
      switch patternSegment {
      case .literal(let literal):
        guard literal == segment else { return nil }
      case .parameter(let name):
        guard !segment.isEmpty else { return nil }
        parameters.append(name: name, value: segment)
      }
    }
    return parameters
  }
}
