// libFuzzer entry for the HTTP server connection (and, on the same bytes, the client's response
// parser). Invariants checked on every input:
// - nothing traps;
// - non-empty server output starts with a well-formed status line and holds a complete head;
// - feeding the input in two pieces gives exactly the output of feeding it whole;
// - a connection that said it would close reports `isClosed` and has no deadline.
import HTTP
import Time

/// Answers every request with 200 and its body echoed, and errors with their message.
struct FuzzResponder: HTTPResponder {
  func maximumBodyBytes(for head: HTTPRequestHead) -> Int { 4096 }

  mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    HTTPResponse(status: .ok, body: request.body, isChunked: request.body.count % 2 == 1)
  }

  func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    HTTPResponse(status: status, body: Array(message.utf8))
  }
}

/// Whether `bytes` start with `HTTP/1.1 ddd ` and contain the end of a head.
func startsWithStatusLine(_ bytes: [UInt8]) -> Bool {
  let prefix = Array("HTTP/1.1 ".utf8)
  guard bytes.count >= 13, bytes.starts(with: prefix), bytes[12] == UInt8(ascii: " ") else {
    return false
  }
  let digitsAreValid = bytes[9..<12].allSatisfy {
    $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")
  }
  let headEnd = Array("\r\n\r\n".utf8)
  let hasHeadEnd = (0...(bytes.count - headEnd.count)).contains {
    bytes[$0..<($0 + headEnd.count)].elementsEqual(headEnd)
  }
  return digitsAreValid && hasHeadEnd
}

/// Feeds `pieces` to a fresh server connection, then the end of the stream, and returns the
/// concatenated output after checking each step.
func serve(_ pieces: [ArraySlice<UInt8>]) -> [UInt8] {
  // The pipelining limit counts the requests answered per `receive` call, so more requests
  // than it in one piece are answered differently when split: it is set beyond what an input
  // can hold (libFuzzer's inputs stay under 4 KiB; a request takes at least 18 bytes), and
  // unit tests cover it.
  let configuration = HTTPServerConfiguration(
    maximumHeadBytes: 1024, maximumPipelinedRequests: 1024)
  var connection = HTTPServerConnection(configuration: configuration, now: .zero)
  var responder = FuzzResponder()
  var output: [UInt8] = []
  for piece in pieces {
    let step = connection.receive(Array(piece), now: .zero, responder: &responder)
    check(step, connection)
    output += step.bytes
  }
  let end = connection.receiveEndOfStream(now: .zero, responder: &responder)
  check(end, connection)
  precondition(end.shouldClose && connection.isClosed, "the end of the stream closes")
  return output + end.bytes
}

func check(_ output: HTTPServerOutput, _ connection: HTTPServerConnection) {
  precondition(output.bytes.isEmpty || startsWithStatusLine(output.bytes), "bad status line")
  if output.shouldClose {
    precondition(connection.isClosed && connection.deadline == nil, "closed connection state")
  }
}

/// Feeds the bytes to a client waiting for a GET response: it may fail, never trap.
func parseAsResponse(_ input: [UInt8]) {
  var client = HTTPClientConnection(
    configuration: HTTPClientConfiguration(
      maximumResponseHeadBytes: 1024, maximumResponseBodyBytes: 4096))
  _ = client.send(HTTPClientRequest(method: .get, target: "/"), host: "fuzz")
  do {
    var response = try client.receive(input)
    while response != nil, client.outstandingRequests > 0 {
      response = try client.receive([])
    }
    _ = try client.receiveEndOfStream()
  } catch {
    precondition(!client.isReusable, "a failed client is not reusable")
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let input = Array(UnsafeBufferPointer(start: data, count: size))
  guard let first = input.first else { return 0 }
  // The first byte chooses where the rest is split.
  let rest = input[1...]
  let split = rest.startIndex + Int(first) % (rest.count + 1)
  let whole = serve([rest])
  let pieces = serve([rest[..<split], rest[split...]])
  precondition(whole == pieces, "splitting the input changed the output")
  parseAsResponse(Array(rest))
  return 0
}
