import Net
import Randomness
import Time
import XCTest

/// Two hosts on a `SimulatedWire` (host 0 the server at 192.0.2.10, host 1 the client at
/// 192.0.2.11) and applications on both ends that push and read bytes as fast as the sockets
/// allow, in simulated time: a whole transfer under loss runs in a fraction of a second of wall
/// time, and a seed fixes every drop, duplicate and reordering.
struct TCPTestBed {
  var hosts: SimulatedHosts
  let port: UInt16 = 8080
  var listener: TCPListenerHandle

  /// A bed whose wire drops, duplicates and reorders frames with these probabilities;
  /// `adjust` may change both hosts' TCP configuration further.
  init(
    loss: Double = 0, duplication: Double = 0, reordering: Double = 0, seed: UInt64,
    adjust: (inout TCPConfiguration) -> Void = { _ in }
  ) throws {
    var wire = SimulatedWireConfiguration()
    wire.dropProbability = loss
    wire.duplicateProbability = duplication
    wire.reorderProbability = reordering
    wire.latency = .milliseconds(1)
    wire.bitsPerSecond = 100_000_000
    wire.queueLimit = 512
    hosts = SimulatedHosts(count: 2, configuration: wire, seed: seed) { configuration in
      configuration.tcp.timeWaitDuration = .seconds(2)
      configuration.tcp.maximumRetransmissions = 30
      configuration.maximumQueuedFrames = 512
      adjust(&configuration.tcp)
    }
    listener = try hosts.hosts[0].listenTCP(port: 8080)
  }

  var now: Instant { hosts.now }

  /// Opens a connection from the client and accepts it on the server.
  mutating func connect(
    within limit: Duration = .seconds(60)
  ) throws -> (server: TCPSocketHandle, client: TCPSocketHandle) {
    let client = try hosts.hosts[1].connectTCP(
      to: SimulatedHosts.address(host: 0), port: port, now: now)
    let end = now + limit
    while true {
      if let server = hosts.hosts[0].acceptTCP(listener),
        hosts.hosts[1].statusTCP(client)?.state == .established
      {
        return (server, client)
      }
      guard hosts.step(until: end) else {
        throw TCPTestBedError.stuck(
          "connect: \(String(describing: hosts.hosts[1].statusTCP(client)))")
      }
    }
  }

  /// Sends `upload` from the client and `download` from the server at once, each side closing
  /// its sending half when done, and returns what each side read up to the peer's FIN.
  mutating func exchange(
    _ connection: (server: TCPSocketHandle, client: TCPSocketHandle), upload: [UInt8],
    download: [UInt8], within limit: Duration
  ) throws -> (atServer: [UInt8], atClient: [UInt8]) {
    var ends = [
      Endpoint(host: 0, socket: connection.server, outgoing: download),
      Endpoint(host: 1, socket: connection.client, outgoing: upload),
    ]
    let end = now + limit
    while !(ends[0].finished && ends[1].finished) {
      for index in ends.indices {
        try ends[index].act(on: &hosts.hosts[ends[index].host], now: now)
      }
      if ends[0].finished && ends[1].finished { break }
      guard hosts.step(until: end) else {
        throw TCPTestBedError.stuck(
          "exchange at \(now): server \(ends[0].progress), client \(ends[1].progress)")
      }
    }
    return (ends[0].incoming, ends[1].incoming)
  }

  /// Closes both sockets and runs until both hosts' tables are empty (TIME-WAIT included).
  mutating func closeAndDrain(
    _ connection: (server: TCPSocketHandle, client: TCPSocketHandle),
    within limit: Duration = .seconds(120)
  ) {
    hosts.hosts[0].closeTCP(connection.server, now: now)
    hosts.hosts[1].closeTCP(connection.client, now: now)
    drain(within: limit)
  }

  /// Runs until no connection or TIME-WAIT entry is left on either host, or `limit` passes.
  mutating func drain(within limit: Duration) {
    let end = now + limit
    while hosts.hosts.contains(where: { $0.tcpConnectionCount + $0.tcpTimeWaitCount > 0 }) {
      guard hosts.step(until: end) else { break }
    }
  }
}

enum TCPTestBedError: Error {
  case stuck(String)
  case failed(String)
}

/// One application end of a transfer: writes its bytes, shuts down, reads to the end.
private struct Endpoint {
  let host: Int
  let socket: TCPSocketHandle
  let outgoing: [UInt8]
  var sent = 0
  var shutDown = false
  var incoming: [UInt8] = []
  var reachedEnd = false

  var finished: Bool { shutDown && reachedEnd }
  var progress: String {
    "sent \(sent)/\(outgoing.count), read \(incoming.count), end \(reachedEnd)"
  }

  mutating func act(on interface: inout NetworkInterface, now: Instant) throws {
    while sent < outgoing.count {
      let accepted = try interface.sendTCP(
        socket, outgoing[sent..<min(sent + 16_384, outgoing.count)], now: now)
      if accepted == 0 { break }
      sent += accepted
    }
    if sent == outgoing.count && !shutDown {
      try interface.shutdownTCP(socket, now: now)
      shutDown = true
    }
    while true {
      let bytes = try interface.receiveTCP(socket, upTo: 65_536, now: now)
      if bytes.isEmpty { break }
      incoming += bytes
    }
    guard let status = interface.statusTCP(socket) else {
      throw TCPTestBedError.failed("host \(host): socket gone")
    }
    if let error = status.error { throw TCPTestBedError.failed("host \(host): \(error)") }
    reachedEnd = status.reachedEndOfStream
  }
}

/// `count` bytes that differ from seed to seed and from offset to offset, so that a misplaced
/// or repeated piece cannot go unnoticed.
func patternBytes(_ count: Int, seed: UInt64) -> [UInt8] {
  var random = SeededRandom(seed: seed)
  var bytes: [UInt8] = []
  bytes.reserveCapacity(count)
  while bytes.count < count {
    let word = random.next()
    for shift in stride(from: 0, to: 64, by: 8) where bytes.count < count {
      bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
    }
  }
  return bytes
}
