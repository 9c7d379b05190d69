import Net
import Time

/// Interfaces on one `SimulatedWire`, run in simulated time: the test drives them by calling
/// their API and then `run(for:)`, which moves frames between them and the wire and runs their
/// timers until the time is up.
struct SimulatedHosts {
  var wire: SimulatedWire
  var hosts: [NetworkInterface]
  var ports: [SimulatedWire.PortID] = []
  var now = Instant.zero

  /// 192.0.2.(10 + i)/24 with MAC address 02:00:00:00:00:(10 + i) for each host i.
  /// `adjust` may change each host's configuration (its TCP limits, say) before it starts.
  init(
    count: Int, configuration: SimulatedWireConfiguration = .init(), seed: UInt64 = 1,
    adjust: (inout NetworkInterface.Configuration) -> Void = { _ in }
  ) {
    wire = SimulatedWire(configuration: configuration, seed: seed)
    hosts = (0..<count).map { index in
      var configuration = SimulatedHosts.configuration(host: index)
      adjust(&configuration)
      return NetworkInterface(configuration: configuration)
    }
    for index in hosts.indices {
      ports.append(wire.attach())
      hosts[index].start(now: now)
    }
  }

  static func address(host: Int) -> IPv4Address { IPv4Address(192, 0, 2, UInt8(10 + host)) }
  static func mac(host: Int) -> MACAddress { MACAddress(2, 0, 0, 0, 0, UInt8(10 + host)) }

  static func configuration(host: Int) -> NetworkInterface.Configuration {
    let subnet = IPv4Subnet(address: address(host: host), prefixLength: 24)!
    return NetworkInterface.Configuration(
      macAddress: mac(host: host), routes: IPv4Routes(subnet: subnet, gateway: nil)!,
      secret: testSecret(host: host))
  }

  /// Runs the wire and the hosts for `duration` of simulated time (at most 100,000 steps).
  mutating func run(for duration: Duration) {
    let end = now + duration
    for _ in 0..<100_000 {
      guard step(until: end) else { break }
    }
    now = end
  }

  /// One step of simulated time: moves the frames that are ready, or else advances the clock
  /// to the next timer or delivery. False when nothing is due before `limit`.
  mutating func step(until limit: Instant) -> Bool {
    if exchangeFrames() { return true }
    let deadlines =
      hosts.indices.compactMap { hosts[$0].deadline } + [wire.nextDeliveryTime].compactMap { $0 }
    guard let next = deadlines.min(), next <= limit else { return false }
    now = max(now, next)
    return true
  }

  /// Runs due timers, sends what the hosts have queued and delivers what the wire has due;
  /// true if anything moved.
  private mutating func exchangeFrames() -> Bool {
    var moved = false
    for index in hosts.indices {
      if let deadline = hosts[index].deadline, deadline <= now, deadline != .zero {
        hosts[index].poll(now: now)
      }
      while let frame = hosts[index].transmit() {
        wire.send(frame, from: ports[index], now: now)
        moved = true
      }
      while let frame = wire.receive(at: ports[index], now: now) {
        hosts[index].receive(frame: frame, now: now)
        moved = true
      }
    }
    return moved
  }
}

/// A fixed secret per host: tests want repeatable runs, not unguessable sequence numbers.
func testSecret(host: Int) -> [UInt8] {
  (0..<16).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ host) }
}
