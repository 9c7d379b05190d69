// A benchmark peer, not an appliance: Loam's own TCP/IP stack on a TAP device serving the two
// endpoints that bench/lwip-httpd (lwIP) and nginx (the kernel) serve in scripts/bench-stack,
// through the same HTTP code the hub uses (HTTPServerConnection over StackHTTPServer):
//
//   GET /api/v1/health   {"status":"ok"}
//   GET /bulk?bytes=N    N bytes of a repeating 64-byte line (at most 1 GiB)

import Glibc
import HTTP
import HostPlatform
import Time

let usage = """
  usage: bench-httpd --net tap:NAME,ip=ADDRESS/PREFIX [--port N]
    --net SPEC   where Loam's stack runs (see `hub --help`)
    --port N     TCP port (default 80)
  """

/// The bulk body's line, the one lwip-httpd and the benchmark's nginx file repeat.
let patternLine = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n".utf8)

/// The health response's fields and body, made once, as lwip-httpd's constant response is.
let healthHeaders: HTTPHeaders = ["Content-Type": "application/json"]
let healthBody = Array(#"{"status":"ok"}"#.utf8)

/// Answers the two endpoints; the bulk body is made as it is sent, as lwip-httpd makes it.
struct BenchResponder: HTTPResponder {
  func maximumBodyBytes(for head: HTTPRequestHead) -> Int { 0 }

  mutating func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    switch (request.head.method, request.head.path) {
    case (.get, "/api/v1/health"):
      return HTTPResponse(status: .ok, headers: healthHeaders, body: healthBody)
    case (.get, "/bulk"):
      guard let text = request.head.queryValue("bytes"), let count = Int(text),
        (0...(1 << 30)).contains(count)
      else { return errorResponse(status: .badRequest, message: "bytes=N, N up to 1 GiB") }
      return HTTPResponse(
        status: .ok, headers: ["Content-Type": "application/octet-stream"],
        streamedBody: HTTPBodySource(length: count, produce: appendPattern))
    default:
      return errorResponse(status: .notFound, message: "not found")
    }
  }

  func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    HTTPResponse(status: status, body: Array((message + "\n").utf8))
  }
}

/// `patternLine` repeated over 64 KiB and one line more, so that any run of up to 64 KiB of the
/// body, wherever it starts, is one slice of it.
let patternBlock = Array(repeating: patternLine, count: 65_536 / 64 + 1).flatMap { $0 }

/// Appends the `count` bytes of the repeated `patternLine` that start at `offset`: the byte at
/// offset i is `patternLine[i % 64]`.
@Sendable func appendPattern(offset: Int, count: Int, to output: inout [UInt8]) {
  var position = offset
  let end = offset + count
  while position < end {
    let start = position % patternLine.count
    let length = min(patternBlock.count - start, end - position)
    output.append(contentsOf: patternBlock[start..<(start + length)])
    position += length
  }
}

func runBenchServer() -> Int32 {
  var options = CommandLineOptions(CommandLine.arguments.dropFirst(), usage: usage)
  let port = options.port("--port") ?? 80
  guard let spec = options.value("--net") else {
    writeLine("bench-httpd: --net is required\n\(usage)", to: STDERR_FILENO)
    return 2
  }
  options.finish()
  do {
    let attachment = try NetworkAttachment(parsing: spec)
    let loop = try EventLoop()
    let stack = try NetworkStack(
      loop: loop, device: try attachment.openDevice(loop: loop), attachment: attachment,
      hostLabel: "bench")
    let server = try StackHTTPServer(
      stack: stack, port: port, responder: HTTPResponderBox(BenchResponder()))
    try loop.onSignals([SIGINT, SIGTERM]) { _ in loop.stop() }
    writeLine("bench-httpd: serving on \(attachment.device), port \(server.port)")
    try loop.run()
    stack.close()
    return 0
  } catch {
    writeLine("bench-httpd: \(error)")
    return 1
  }
}

exit(runBenchServer())
