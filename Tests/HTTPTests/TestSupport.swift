import HTTP
import Time
import XCTest

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// `bytes` as text, for readable assertions.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// The status code on the first status line of `output`, or nil if it does not start with one.
func statusCode(_ output: [UInt8]) -> Int? {
  let prefix = bytes("HTTP/1.1 ")
  guard output.count >= 12, output.starts(with: prefix) else { return nil }
  return Int(text(Array(output[9..<12])))
}

/// A responder that answers `METHOD target body` as text and records what it was asked.
struct EchoResponder: HTTPResponder {
  var maximumBody = 1024
  var requests: [HTTPRequest] = []
  var errors: [(status: HTTPStatus, message: String)] = []
  /// Whether responses ask the server to close the connection.
  var closeAfterResponse = false

  /// The targets whose body limit the connection asked for, in order.
  let bodyLimitQuestions = TargetLog()

  func maximumBodyBytes(for head: HTTPRequestHead) -> Int {
    bodyLimitQuestions.targets.append(head.target)
    return maximumBody
  }

  mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    requests.append(request)
    var headers: HTTPHeaders = ["Content-Type": "text/plain"]
    if closeAfterResponse { headers.add(name: "Connection", value: "close") }
    let reply = "\(request.head.method) \(request.head.target) \(text(request.body))"
    return HTTPResponse(status: .ok, headers: headers, body: bytes(reply))
  }

  func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["Content-Type": "text/plain"], body: bytes(message))
  }
}

/// Request targets, recorded by a responder's non-mutating methods.
final class TargetLog {
  var targets: [String] = []
}

/// Feeds `input` to a fresh server connection in one piece.
func serve(
  _ input: String, responder: inout EchoResponder,
  configuration: HTTPServerConfiguration = HTTPServerConfiguration()
) -> HTTPServerOutput {
  var connection = HTTPServerConnection(configuration: configuration, now: .zero)
  return connection.receive(bytes(input), now: .zero, responder: &responder)
}

/// Feeds `input` to a fresh server connection one byte at a time and concatenates the output.
func serveByteByByte(_ input: String, responder: inout EchoResponder) -> HTTPServerOutput {
  var connection = HTTPServerConnection(now: .zero)
  var output = HTTPServerOutput()
  for byte in bytes(input) where !output.shouldClose {
    let step = connection.receive([byte], now: .zero, responder: &responder)
    output.bytes += step.bytes
    output.shouldClose = step.shouldClose
  }
  return output
}

/// The output bytes `input` produces when split into two pieces at `offset`.
func serveSplit(_ input: [UInt8], at offset: Int) -> HTTPServerOutput {
  var responder = EchoResponder()
  var connection = HTTPServerConnection(now: .zero)
  var output = connection.receive(Array(input[..<offset]), now: .zero, responder: &responder)
  if !output.shouldClose {
    let rest = connection.receive(Array(input[offset...]), now: .zero, responder: &responder)
    output.bytes += rest.bytes
    output.shouldClose = rest.shouldClose
  }
  return output
}
