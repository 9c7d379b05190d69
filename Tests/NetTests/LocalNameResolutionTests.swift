import Net
import Time
import XCTest

/// An appliance finds the hub by name with no configuration: the hub's `NetworkServices` claims
/// `hub.local` over mDNS, and the appliance's resolves it with a one-shot query to the mDNS
/// group, which the hub's responder answers by unicast (RFC 6762 sections 5.1 and 6.7).
final class LocalNameResolutionTests: XCTestCase {
  func testAnApplianceResolvesHubLocalOverMDNS() throws {
    var hosts = SimulatedHosts(count: 2)
    var services = [
      NetworkServices(hostLabel: "hub", macAddress: SimulatedHosts.mac(host: 0), seed: 1)!,
      NetworkServices(hostLabel: "plant-pot", macAddress: SimulatedHosts.mac(host: 1), seed: 2)!,
    ]
    for index in 0..<2 {
      try services[index].start(interface: &hosts.hosts[index], now: hosts.now, dhcp: false)
    }
    var events: [NetworkServicesEvent] = []
    func run(for duration: Duration) {
      let end = hosts.now + duration
      for _ in 0..<10_000 {
        for index in 0..<2 {
          events += services[index].poll(interface: &hosts.hosts[index], now: hosts.now)
        }
        if hosts.step(until: end) { continue }
        guard let next = services.indices.compactMap({ services[$0].deadline }).min(), next <= end
        else { break }
        hosts.now = max(hosts.now, next)
      }
      hosts.now = end
    }
    run(for: .seconds(3))  // the hub probes for its name and announces it

    let name = DNSName("hub.local")!
    let immediate = try services[1].resolve(name, interface: &hosts.hosts[1], now: hosts.now)
    XCTAssertNil(immediate, "nothing cached yet: a query goes out")
    run(for: .seconds(2))
    XCTAssertEqual(events, [.resolved(name, .addresses([SimulatedHosts.address(host: 0)]))])

    events = []
    let missing = DNSName("fridge.local")!
    _ = try services[1].resolve(missing, interface: &hosts.hosts[1], now: hosts.now)
    run(for: .seconds(10))
    XCTAssertEqual(events, [.resolved(missing, .failed(.timedOut))], "no one claims it")
  }
}
