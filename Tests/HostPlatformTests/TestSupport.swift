import Foundation
import Glibc
import HostPlatform
import Synchronization
import Time

/// A value shared between the test thread and client threads.
final class Shared<Value: Sendable>: Sendable {
  private let mutex: Mutex<Value>

  init(_ value: Value) {
    mutex = Mutex(value)
  }

  var value: Value { mutex.withLock { $0 } }

  func update(_ body: (inout Value) -> Void) {
    mutex.withLock { body(&$0) }
  }
}

/// Runs `body` on a new thread (blocking client code lives there while the loop runs here).
func spawn(_ body: @escaping @Sendable () -> Void) {
  Thread.detachNewThread(body)
}

/// Polls `condition` every 10 ms for up to `seconds`; whether it came true.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

extension EventLoop {
  /// Runs the loop until `condition` holds (checked every couple of milliseconds) or `limit`
  /// passes. Returns whether the condition was met. The limit only guards against hangs.
  @discardableResult
  func run(until condition: @escaping () -> Bool, limit: Duration = .seconds(8)) throws -> Bool {
    let poller = Poller(loop: self, condition: condition, giveUpAt: MonotonicClock.now() + limit)
    poller.check()
    try run()
    return poller.met
  }
}

private final class Poller {
  let loop: EventLoop
  let condition: () -> Bool
  let giveUpAt: Instant
  var met = false

  init(loop: EventLoop, condition: @escaping () -> Bool, giveUpAt: Instant) {
    self.loop = loop
    self.condition = condition
    self.giveUpAt = giveUpAt
  }

  func check() {
    if condition() {
      met = true
      loop.stop()
    } else if MonotonicClock.now() >= giveUpAt {
      loop.stop()
    } else {
      loop.schedule(at: MonotonicClock.now() + .milliseconds(2)) { self.check() }
    }
  }
}

/// Plain blocking sockets for the far side of a test connection.
enum TestSocket {
  /// A blocking TCP connection to 127.0.0.1:`port`, with 5-second send and receive timeouts so
  /// that a broken test fails instead of hanging.
  static func connect(port: UInt16, receiveBufferSize: Int32? = nil) -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(descriptor >= 0, "socket failed")
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    let timeoutLength = socklen_t(MemoryLayout<timeval>.size)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, timeoutLength)
    setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, timeoutLength)
    if var size = receiveBufferSize {
      setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let result = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    precondition(result == 0, "connect failed: errno \(errno)")
    return descriptor
  }

  /// Sends all of `bytes`; false if the connection failed first.
  @discardableResult
  static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let count = bytes.withUnsafeBytes { buffer in
        send(descriptor, buffer.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return false }
      sent += count
    }
    return true
  }

  /// Reads until end of stream, an error or a timeout; returns what arrived.
  static func receiveUntilEnd(_ descriptor: Int32) -> [UInt8] {
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return received }
      received.append(contentsOf: chunk[0..<count])
    }
  }

  /// Sends `payload`, half-closes, and reads the reply to its end, concurrently (a writer
  /// thread), so that an echoing server never deadlocks on full buffers.
  static func exchange(port: UInt16, payload: [UInt8]) -> [UInt8] {
    let descriptor = connect(port: port)
    defer { close(descriptor) }
    spawn {
      sendAll(descriptor, payload)
      shutdown(descriptor, Int32(SHUT_WR))
    }
    return receiveUntilEnd(descriptor)
  }
}

/// Deterministic test bytes that differ per `seed`, so a misrouted or reordered chunk shows.
/// (A xorshift generator, eight bytes per step, fast enough for megabytes in a debug build.)
func pattern(count: Int, seed: UInt32) -> [UInt8] {
  var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
  var bytes = [UInt8](repeating: 0, count: (count + 7) / 8 * 8)
  bytes.withUnsafeMutableBytes { memory in
    for offset in stride(from: 0, to: memory.count, by: 8) {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      memory.storeBytes(of: state, toByteOffset: offset, as: UInt64.self)
    }
  }
  bytes.removeLast(bytes.count - count)
  return bytes
}

/// Echoes every byte; on end of stream sends `trailer` and closes. Optionally times out.
struct EchoHandler: StreamConnectionHandler {
  static let trailer = Array("<end>".utf8)
  static let timeoutMessage = Array("timeout\n".utf8)
  var deadline: Instant?

  init(now: Instant, idleTimeout: Duration? = nil) {
    deadline = idleTimeout.map { now + $0 }
  }

  mutating func received(_ bytes: UnsafeRawBufferPointer, now: Instant) -> StreamOutput {
    StreamOutput(bytes: Array(bytes))
  }

  mutating func receivedEndOfStream(now: Instant) -> StreamOutput {
    StreamOutput(bytes: Self.trailer, shouldClose: true)
  }

  mutating func deadlineReached(now: Instant) -> StreamOutput {
    deadline = nil
    return StreamOutput(bytes: Self.timeoutMessage, shouldClose: true)
  }
}
