/// The endpoint-independent half of `HTTPRouter`: route patterns matched against request paths,
/// answering with the position of the route that matched.
///
/// It is not generic on purpose. Matching is the per-request work of every server, and code
/// generic over the endpoint type would run unspecialised in the module that routes (creating
/// type metadata at run time on each request); as concrete code it compiles once, here.
@usableFromInline
struct RouteTable {
  private enum Segment {
    case literal([UInt8])
    case parameter(String)
  }

  private struct Route {
    var method: HTTPMethod
    var segments: [Segment]
    var maximumBodyBytes: Int
  }

  /// The most segments in a pattern or a routed path.
  static let maximumSegments = 32

  private var routes: [Route] = []

  /// The number of routes.
  var count: Int { routes.count }

  init() {}

  /// Adds a route; see `HTTPRouter.add` for the pattern's form.
  mutating func add(_ method: HTTPMethod, _ pattern: String, maximumBodyBytes: Int) {
    precondition(pattern.utf8.first == ASCII.slash, "a route pattern starts with '/'")
    precondition(maximumBodyBytes >= 0, "a body limit is not negative")
    var segments: [Segment] = []
    for part in Array(pattern.utf8).dropFirst().split(
      separator: ASCII.slash, omittingEmptySubsequences: false)
    {
      if part.first == UInt8(ascii: "{") {
        precondition(part.count > 2 && part.last == UInt8(ascii: "}"), "a parameter is {name}")
        segments.append(.parameter(String(decoding: part.dropFirst().dropLast(), as: UTF8.self)))
      } else {
        precondition(!part.contains(UInt8(ascii: "{")), "a parameter fills a whole segment")
        segments.append(.literal(Array(part)))
      }
    }
    precondition(segments.count <= RouteTable.maximumSegments, "a pattern has too many segments")
    routes.append(Route(method: method, segments: segments, maximumBodyBytes: maximumBodyBytes))
  }

  /// Routes `method` and the still-encoded `path`; `.found` carries the route's position.
  @usableFromInline
  func match(method: HTTPMethod, path: String) -> HTTPRouteMatch<Int> {
    guard let path = RoutedPath(path) else { return .notFound }
    var allowed: [HTTPMethod] = []
    for position in routes.indices {
      let route = routes[position]
      guard let parameters = parameters(of: route, in: path) else { continue }
      if route.method == method || (method == .head && route.method == .get) {
        return .found(position, parameters: parameters, maximumBodyBytes: route.maximumBodyBytes)
      }
      allow(route.method, in: &allowed)
      if route.method == .get { allow(.head, in: &allowed) }
    }
    return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
  }

  private func allow(_ method: HTTPMethod, in allowed: inout [HTTPMethod]) {
    if !allowed.contains(method) { allowed.append(method) }
  }

  /// The parameters `route` captures from `path`, or nil if the path does not fit the pattern.
  private func parameters(of route: Route, in path: RoutedPath) -> HTTPRouteParameters? {
    guard route.segments.count == path.segmentCount else { return nil }
    var parameters = HTTPRouteParameters()
    for index in route.segments.indices {
      let segment = path.segment(index)
      switch route.segments[index] {
      case .literal(let literal):
        guard segment.elementsEqual(literal) else { return nil }
      case .parameter(let name):
        guard !segment.isEmpty else { return nil }
        parameters.append(name: name, value: String(decoding: segment, as: UTF8.self))
      }
    }
    return parameters
  }
}

/// A request path cut at its slashes, each segment then percent-decoded, so that an encoded
/// slash (`%2F`) stays inside its segment. All segments share one buffer.
private struct RoutedPath {
  private var decoded: [UInt8] = []
  private var segmentBounds: [Range<Int>] = []

  var segmentCount: Int { segmentBounds.count }

  /// The decoded bytes of segment `index`.
  func segment(_ index: Int) -> ArraySlice<UInt8> { decoded[segmentBounds[index]] }

  /// Splits and decodes `path`; nil if it does not start with `/`, has too many segments, or a
  /// segment has a bad escape or does not decode to UTF-8.
  init?(_ path: String) {
    var path = path
    guard let routed = path.withUTF8({ RoutedPath.split($0) }) else { return nil }
    self = routed
  }

  private init() {}

  private static func split(_ path: UnsafeBufferPointer<UInt8>) -> RoutedPath? {
    guard path.first == ASCII.slash else { return nil }
    var routed = RoutedPath()
    routed.decoded.reserveCapacity(path.count)
    var start = 1
    while true {
      let end = path[start...].firstIndex(of: ASCII.slash) ?? path.endIndex
      let part = path[start..<end]
      let decodedStart = routed.decoded.count
      guard routed.segmentBounds.count < RouteTable.maximumSegments,
        appendPercentDecoded(part, plusAsSpace: false, to: &routed.decoded)
      else { return nil }
      let bounds = decodedStart..<routed.decoded.count
      // The path is a String, so only an escape can make a segment invalid UTF-8.
      if part.contains(ASCII.percent), validUTF8String(routed.decoded[bounds]) == nil {
        return nil
      }
      routed.segmentBounds.append(bounds)
      guard end < path.endIndex else { return routed }
      start = end + 1
    }
  }
}
