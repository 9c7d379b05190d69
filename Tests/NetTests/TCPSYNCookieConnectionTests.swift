import Net
import Time
import XCTest

/// A connection opened by a SYN cookie carries data from the server. (It once could not, for
/// half of all client sequence numbers: its first window was taken through the "newer segment"
/// test against a zero SND.WL1, which serial arithmetic fails when the peer's sequence number
/// lies 2^31 or more past 0; seed 3 gives such a number.)
final class TCPSYNCookieConnectionTests: XCTestCase {
  func testACookieConnectionCarriesDataFromTheServer() throws {
    var bed = try TCPTestBed(seed: 3)
    let source = IPv4Address(198, 51, 100, 1)
    for port in UInt16(2000)..<2016 {  // fill the backlog of 16: the next SYN gets a cookie
      let syn = TCPHeader(
        sourcePort: port, destinationPort: 8080, sequenceNumber: SequenceNumber(1000),
        flags: .syn, window: 65_535)
      var segment: [UInt8] = []
      syn.emit(
        payload: [], source: source, destination: SimulatedHosts.address(host: 0), into: &segment)
      var datagram: [UInt8] = []
      IPv4Header(
        source: source, destination: SimulatedHosts.address(host: 0), payloadProtocol: .tcp
      ).emit(payload: segment, into: &datagram)
      var frame: [UInt8] = []
      EthernetHeader(
        destination: SimulatedHosts.mac(host: 0), source: SimulatedHosts.mac(host: 1),
        etherType: .ipv4
      ).emit(payload: datagram, into: &frame)
      bed.hosts.hosts[0].receive(frame: frame, now: bed.now)
    }
    let pair = try bed.connect()
    XCTAssertEqual(bed.hosts.hosts[0].counters.tcpSYNCookiesAccepted, 1)
    _ = try bed.hosts.hosts[0].sendTCP(
      pair.server, [UInt8](repeating: 7, count: 1000), now: bed.now)
    bed.hosts.run(for: .seconds(10))
    XCTAssertEqual(bed.hosts.hosts[1].statusTCP(pair.client)?.readableBytes, 1000)
    XCTAssertEqual(bed.hosts.hosts[0].statusTCP(pair.server)?.unacknowledgedBytes, 0)
  }
}
