import Net
import Time

/// The stack under fuzz, set up once before the fuzz loop and copied for each input (a
/// `NetworkInterface` is a value), so that every input meets the same state and a finding
/// replays from its input alone.
///
/// The server (192.0.2.10) listens on two ports and holds a connection in each TCP state a
/// hostile frame can reach:
/// - port 8080 (backlog 4): an ESTABLISHED connection whose last 3000 bytes from the server
///   were lost on the way, so that ACKs, SACKs and duplicate ACKs from the fuzzer meet data in
///   flight; and a TIME-WAIT entry left by a second connection the server closed first;
/// - port 8081 (backlog 1): a connection in SYN-RECEIVED whose SYN-ACK was lost, which fills
///   the backlog, so that every further SYN to 8081 is answered with a SYN cookie.
///
/// The scripted client (192.0.2.11) that opened them is kept in the state it reached, so that a
/// seed generator can take real frames, with exact sequence numbers, from a copy of it.
struct FuzzScenario {
  var hosts = ScriptedHosts()
  /// The ESTABLISHED connection's two ends.
  var connection: (server: TCPSocketHandle, client: TCPSocketHandle)
  /// The listeners on ports 8080 and 8081.
  let listeners: [TCPListenerHandle]
  /// Connections the server table holds at most: small, so that a short SYN storm fills it.
  static let maximumConnections = 6

  /// Sets the scene; a precondition fails if the script does not go as planned.
  init() {
    listeners = [
      try! hosts.server.listenTCP(port: 8080, backlog: 4),
      try! hosts.server.listenTCP(port: 8081, backlog: 1),
    ]
    connection = hosts.open(listeners[0])
    let now = hosts.now
    _ = try! hosts.client.sendTCP(
      connection.client, [UInt8](repeating: 0x61, count: 1000), now: now)
    hosts.exchange(for: .milliseconds(500))
    let received = try! hosts.server.receiveTCP(connection.server, upTo: 2000, now: hosts.now)
    precondition(received.count == 1000, "data from the client")
    leaveTimeWaitEntry()
    leaveHalfOpenConnection()
    // The last data from the server never reaches the client.
    _ = try! hosts.server.sendTCP(
      connection.server, [UInt8](repeating: 0x62, count: 3000), now: hosts.now)
    while hosts.server.transmit() != nil {}
  }

  /// A second connection that the server closes first, so that the server ends in TIME-WAIT.
  private mutating func leaveTimeWaitEntry() {
    let second = hosts.open(listeners[0])
    hosts.server.closeTCP(second.server, now: hosts.now)
    hosts.exchange(for: .milliseconds(100))
    hosts.client.closeTCP(second.client, now: hosts.now)
    hosts.exchange(for: .milliseconds(100))
    precondition(hosts.server.tcpTimeWaitCount == 1, "TIME-WAIT entry")
  }

  /// A SYN to port 8081 whose SYN-ACK is lost: the server holds it in SYN-RECEIVED.
  private mutating func leaveHalfOpenConnection() {
    _ = try! hosts.client.connectTCP(to: ScriptedHosts.serverAddress, port: 8081, now: hosts.now)
    while let frame = hosts.client.transmit() { hosts.server.receive(frame: frame, now: hosts.now) }
    while hosts.server.transmit() != nil {}
    precondition(hosts.server.tcpConnectionCount == 2, "half-open connection")
  }
}

/// The server under fuzz and the scripted client that sets the scene, joined by a wire with
/// no delay and no loss.
struct ScriptedHosts {
  static let serverAddress = IPv4Address(192, 0, 2, 10)
  static let clientAddress = IPv4Address(192, 0, 2, 11)
  static let serverMAC = MACAddress(2, 0, 0, 0, 0, 0x10)
  static let clientMAC = MACAddress(2, 0, 0, 0, 0, 0x11)

  var server = NetworkInterface(configuration: ScriptedHosts.configuration(server: true))
  var client = NetworkInterface(configuration: ScriptedHosts.configuration(server: false))
  var now = Instant.zero

  init() {
    server.start(now: now)
    client.start(now: now)
  }

  private static func configuration(server: Bool) -> NetworkInterface.Configuration {
    let subnet = IPv4Subnet(address: server ? serverAddress : clientAddress, prefixLength: 24)!
    var configuration = NetworkInterface.Configuration(
      macAddress: server ? serverMAC : clientMAC,
      routes: IPv4Routes(subnet: subnet, gateway: nil)!,
      secret: (0..<16).map { UInt8($0) &* (server ? 7 : 11) })
    configuration.tcp.maximumConnections = FuzzScenario.maximumConnections
    return configuration
  }

  /// Opens a connection from the client to `listener` and accepts it.
  mutating func open(
    _ listener: TCPListenerHandle
  ) -> (server: TCPSocketHandle, client: TCPSocketHandle) {
    let clientEnd = try! client.connectTCP(
      to: ScriptedHosts.serverAddress, port: listener.port, now: now)
    exchange(for: .milliseconds(100))
    precondition(client.statusTCP(clientEnd)?.state == .established, "handshake")
    return (server.acceptTCP(listener)!, clientEnd)
  }

  /// Moves frames between the hosts and runs their timers for `duration`.
  mutating func exchange(for duration: Duration) {
    let end = now + duration
    for _ in 0..<10_000 {
      var moved = false
      while let frame = server.transmit() {
        client.receive(frame: frame, now: now)
        moved = true
      }
      while let frame = client.transmit() {
        server.receive(frame: frame, now: now)
        moved = true
      }
      if moved { continue }
      guard let next = [server.deadline, client.deadline].compactMap({ $0 }).min(), next <= end
      else { break }
      now = max(now, next)
      server.poll(now: now)
      client.poll(now: now)
    }
    now = end
  }
}
