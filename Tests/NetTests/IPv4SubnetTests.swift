import Net
import XCTest

final class IPv4SubnetTests: XCTestCase {
  func testMasksNetworksAndBroadcasts() throws {
    let subnet = try XCTUnwrap(IPv4Subnet("192.0.2.10/24"))
    XCTAssertEqual(subnet.mask, 0xFFFF_FF00)
    XCTAssertEqual(subnet.network, IPv4Address(192, 0, 2, 0))
    XCTAssertEqual(subnet.broadcast, IPv4Address(192, 0, 2, 255))
    XCTAssertTrue(subnet.contains(IPv4Address(192, 0, 2, 200)))
    XCTAssertFalse(subnet.contains(IPv4Address(198, 51, 100, 1)))
    XCTAssertEqual(IPv4Subnet("0.0.0.0/0")?.mask, 0)
    XCTAssertEqual(IPv4Subnet("192.0.2.1/32")?.broadcast, IPv4Address(192, 0, 2, 1))
    XCTAssertEqual(IPv4Subnet("198.51.100.7/30")?.broadcast, IPv4Address(198, 51, 100, 7))
    for text in [
      "192.0.2.1", "192.0.2.1/33", "192.0.2.1/", "192.0.2.1/+4", "x/24", "192.0.2.1/24/1",
    ] {
      XCTAssertNil(IPv4Subnet(text), text)
    }
  }

  func testNextHopIsTheNeighbourOrTheGateway() throws {
    let subnet = try XCTUnwrap(IPv4Subnet("192.0.2.10/24"))
    let routes = try XCTUnwrap(IPv4Routes(subnet: subnet, gateway: IPv4Address(192, 0, 2, 1)))
    XCTAssertEqual(routes.nextHop(for: IPv4Address(192, 0, 2, 77)), IPv4Address(192, 0, 2, 77))
    XCTAssertEqual(routes.nextHop(for: IPv4Address(198, 51, 100, 5)), IPv4Address(192, 0, 2, 1))
    XCTAssertEqual(routes.nextHop(for: .broadcast), .broadcast)
    let isolated = try XCTUnwrap(IPv4Routes(subnet: subnet, gateway: nil))
    XCTAssertNil(isolated.nextHop(for: IPv4Address(198, 51, 100, 5)), "no gateway: unreachable")
    let group = IPv4Address(224, 0, 0, 251)
    XCTAssertEqual(isolated.nextHop(for: group), group, "multicast goes out on the link")
    XCTAssertNil(
      IPv4Routes(subnet: subnet, gateway: IPv4Address(198, 51, 100, 1)), "off-link gateway")
  }
}
