import HTTP
import XCTest

final class HTTPRouterTests: XCTestCase {
  private enum Endpoint: Equatable {
    case listSensors
    case readings
    case postReadings
    case deleteSensor
    case status
  }

  private var router: HTTPRouter<Endpoint> {
    var router = HTTPRouter<Endpoint>()
    router.add(.get, "/api/v1/sensors", .listSensors)
    router.add(.get, "/api/v1/sensors/{id}/readings", .readings)
    router.add(.post, "/api/v1/sensors/{id}/readings", .postReadings, maximumBodyBytes: 65_536)
    router.add(.delete, "/api/v1/sensors/{id}", .deleteSensor)
    router.add(.get, "/status", .status)
    return router
  }

  func testFoundWithParametersAndLimit() {
    guard
      case .found(let endpoint, let parameters, let limit) = router.match(
        method: .post, path: "/api/v1/sensors/k%C3%BCche%2F2/readings")
    else { return XCTFail("the route exists") }
    XCTAssertEqual(endpoint, .postReadings)
    XCTAssertEqual(parameters["id"], "küche/2", "an encoded slash stays in its segment")
    XCTAssertNil(parameters["other"])
    XCTAssertEqual(limit, 65_536)
  }

  func testHeadMatchesGet() {
    guard case .found(let endpoint, _, let limit) = router.match(method: .head, path: "/status")
    else { return XCTFail("HEAD matches GET") }
    XCTAssertEqual(endpoint, .status)
    XCTAssertEqual(limit, 0)
  }

  func testMethodNotAllowedListsTheAllowedMethods() {
    guard
      case .methodNotAllowed(let allowed) = router.match(
        method: .put, path: "/api/v1/sensors/7/readings")
    else { return XCTFail("the path exists for other methods") }
    XCTAssertEqual(allowed, [.get, .head, .post])
    XCTAssertEqual(HTTPRouter<Endpoint>.allowHeaderValue(allowed), "GET, HEAD, POST")
  }

  func testNotFound() {
    for path in [
      "/api/v1/sensors//readings", "/api/v1/sensors/", "/nope", "",
      "/api/v1/sensors/%zz/readings", "/api/v1/sensors/7/readings/extra",
    ] {
      switch router.match(method: .get, path: path) {
      case .notFound: continue
      default: XCTFail("\(path) has no GET route")
      }
    }
    if case .methodNotAllowed = router.match(method: .get, path: "/api/v1/sensors/7") {
    } else {
      XCTFail("DELETE exists for /api/v1/sensors/7")
    }
  }

  func testLiteralSegmentsMatchAfterDecoding() {
    guard case .found(.status, let parameters, _) = router.match(method: .get, path: "/st%61tus")
    else { return XCTFail("an escaped letter is the letter") }
    XCTAssertTrue(parameters.items.isEmpty)
    if case .found = router.match(method: .get, path: "/api/v1/sensors/%FF/readings") {
      XCTFail("a segment that decodes to invalid UTF-8 is not routed")
    }
  }

  func testMatchingAParsedHead() throws {
    let head = try HTTPRequestHead(
      method: .get, target: "/api/v1/sensors/a%20b/readings?since=3", headers: ["Host": "h"])
    guard case .found(.readings, let parameters, _) = router.match(head) else {
      return XCTFail("the route exists")
    }
    XCTAssertEqual(parameters["id"], "a b")
    XCTAssertEqual(parameters.items.count, 1)
  }
}
