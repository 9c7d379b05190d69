import HTTP
import Net
import NetHTTP
import Time
import XCTest

/// An HTTP exchange over Loam's stack between two simulated hosts: host 0 is the client, host 1
/// a server the test plays by hand on a listening socket.
final class NetHTTPExchangeTests: XCTestCase {
  private static let port: UInt16 = 8080
  private static let request = HTTPClientRequest(
    method: .post, target: "/api/v1/readings", body: Array(#"{"readings":[]}"#.utf8))

  /// Runs the exchange and the server until the exchange has an outcome or `limit` passes.
  /// `serve` gets every byte the server received so far and returns what to answer (once).
  private func exchange(
    configuration: SimulatedWireConfiguration = .init(), timeout: Duration = .seconds(5),
    limit: Duration = .seconds(10), listening: Bool = true,
    serve: @escaping ([UInt8]) -> (answer: [UInt8], close: Bool)? = { _ in nil }
  ) throws -> (NetHTTPExchange.Outcome?, Instant) {
    var hosts = SimulatedHosts(count: 2, configuration: configuration, seed: 7)
    let listener = listening ? try hosts.hosts[1].listenTCP(port: Self.port) : nil
    var exchange = NetHTTPExchange(
      request: Self.request, host: "hub.local", address: SimulatedHosts.address(host: 1),
      port: Self.port, timeout: timeout, interface: &hosts.hosts[0], now: hosts.now)
    var server: TCPSocketHandle?
    var received: [UInt8] = []
    var answered = false
    let end = hosts.now + limit
    while hosts.now < end {
      if let outcome = exchange.poll(interface: &hosts.hosts[0], now: hosts.now) {
        return (outcome, hosts.now)
      }
      if let listener, server == nil { server = hosts.hosts[1].acceptTCP(listener) }
      if let socket = server {
        received += try hosts.hosts[1].receiveTCP(socket, upTo: 65_536, now: hosts.now)
        if !answered, let (answer, close) = serve(received) {
          answered = true
          _ = try hosts.hosts[1].sendTCP(socket, answer, now: hosts.now)
          if close { hosts.hosts[1].closeTCP(socket, now: hosts.now) }
        }
      }
      hosts.run(for: .milliseconds(10))
    }
    return (nil, hosts.now)
  }

  /// Answers once the whole request (head and its 15-byte body) has arrived.
  private static func answer(_ response: String, close: Bool = false) -> ([UInt8]) -> (
    answer: [UInt8], close: Bool
  )? {
    { received in
      let text = String(decoding: received, as: UTF8.self)
      guard text.hasSuffix("\r\n\r\n" + #"{"readings":[]}"#) else { return nil }
      XCTAssertTrue(text.hasPrefix("POST /api/v1/readings HTTP/1.1\r\n"), text)
      XCTAssertTrue(text.contains("\r\nHost: hub.local\r\n"), text)
      return (Array(response.utf8), close)
    }
  }

  func testARequestGetsItsResponse() throws {
    let (outcome, _) = try exchange(
      serve: Self.answer(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n"
          + #"{"acknowledged_seq": 41}"#))
    guard case .response(let response) = outcome else {
      return XCTFail("no response: \(String(describing: outcome))")
    }
    XCTAssertEqual(response.status.code, 200)
    XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"acknowledged_seq": 41}"#)
  }

  func testACloseDelimitedResponseEndsWithTheConnection() throws {
    let (outcome, _) = try exchange(
      serve: Self.answer("HTTP/1.1 200 OK\r\n\r\nall of it", close: true))
    guard case .response(let response) = outcome else {
      return XCTFail("no response: \(String(describing: outcome))")
    }
    XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "all of it")
  }

  func testALossyWireStillCarriesTheExchange() throws {
    var lossy = SimulatedWireConfiguration()
    lossy.dropProbability = 0.2
    let (outcome, _) = try exchange(
      configuration: lossy, timeout: .seconds(60), limit: .seconds(70),
      serve: Self.answer("HTTP/1.1 204 No Content\r\n\r\n"))
    guard case .response(let response) = outcome else {
      return XCTFail("no response: \(String(describing: outcome))")
    }
    XCTAssertEqual(response.status.code, 204)
  }

  func testNoListenerIsAConnectionFailure() throws {
    let (outcome, _) = try exchange(listening: false)
    guard case .failure(let reason) = outcome else {
      return XCTFail("expected a failure: \(String(describing: outcome))")
    }
    XCTAssertTrue(reason.hasPrefix("connection failed"), reason)
  }

  func testAServerThatClosesWithoutAnAnswerIsAFailure() throws {
    let (outcome, _) = try exchange(serve: { received in
      received.count >= 15 ? ([], true) : nil
    })
    guard case .failure(let reason) = outcome else {
      return XCTFail("expected a failure: \(String(describing: outcome))")
    }
    XCTAssertEqual(reason, "the server closed before a whole response")
  }

  func testASilentServerTimesOut() throws {
    let (outcome, finishedAt) = try exchange(timeout: .seconds(2), limit: .seconds(5))
    guard case .failure(let reason) = outcome else {
      return XCTFail("expected a failure: \(String(describing: outcome))")
    }
    XCTAssertEqual(reason, "no response within the timeout")
    XCTAssertGreaterThanOrEqual(finishedAt, Instant.zero + .seconds(2))
    XCTAssertLessThan(finishedAt, Instant.zero + .milliseconds(2100))
  }

  func testGarbageFromTheServerIsAnInvalidResponse() throws {
    let (outcome, _) = try exchange(serve: Self.answer("SMTP ready\r\n\r\n"))
    guard case .failure(let reason) = outcome else {
      return XCTFail("expected a failure: \(String(describing: outcome))")
    }
    XCTAssertTrue(reason.hasPrefix("invalid HTTP response"), reason)
  }
}
