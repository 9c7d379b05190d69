import Net
import XCTest

final class IPv4FragmentationTests: XCTestCase {
  let header = IPv4Header(
    source: IPv4Address(192, 0, 2, 1), destination: IPv4Address(192, 0, 2, 2),
    payloadProtocol: .udp, identification: 42)

  func testADatagramThatFitsComesBackWhole() throws {
    let payload = ArraySlice([UInt8](repeating: 1, count: 1480))
    let fragments = try header.fragments(of: payload, maximumTransmissionUnit: 1500)
    XCTAssertEqual(fragments, [IPv4Fragment(header: header, payload: payload)])
    var dontFragment = header
    dontFragment.dontFragment = true
    XCTAssertEqual(
      try dontFragment.fragments(of: payload, maximumTransmissionUnit: 1500).count, 1)
  }

  func testSplitsIntoMultiplesOfEightWithMoreFragmentsOnAllButTheLast() throws {
    let payload = ArraySlice((0..<1000).map { UInt8(truncatingIfNeeded: $0) })
    // MTU 100 leaves 80 bytes, already a multiple of 8; MTU 107 leaves 87, rounded down to 80.
    for mtu in [100, 107] {
      let fragments = try header.fragments(of: payload, maximumTransmissionUnit: mtu)
      XCTAssertEqual(fragments.count, 13)
      XCTAssertEqual(fragments.map { $0.header.fragmentOffset }, (0..<13).map { UInt16($0 * 10) })
      XCTAssertEqual(
        fragments.map { $0.header.moreFragments }, Array(repeating: true, count: 12) + [false])
      XCTAssertEqual(fragments.last?.payload.count, 40)
      XCTAssertEqual(Array(fragments.map { $0.payload }.joined()), Array(payload))
      for fragment in fragments {
        var bytes: [UInt8] = []
        fragment.header.emit(payload: fragment.payload, into: &bytes)
        XCTAssertLessThanOrEqual(bytes.count, mtu)
        XCTAssertEqual(fragment.header.identification, 42)
      }
    }
  }

  func testRefragmentingAFragmentKeepsItsOffsetAndMoreFragmentsFlag() throws {
    var middle = header
    middle.fragmentOffset = 185
    middle.moreFragments = true
    let payload = ArraySlice([UInt8](repeating: 3, count: 1480))
    let fragments = try middle.fragments(of: payload, maximumTransmissionUnit: 576)
    XCTAssertEqual(fragments.map { $0.header.fragmentOffset }, [185, 254, 323])
    XCTAssertEqual(fragments.map { $0.header.moreFragments }, [true, true, true])
    XCTAssertEqual(fragments.map { $0.payload.count }, [552, 552, 376])
  }

  func testDontFragmentIsAnError() {
    var dontFragment = header
    dontFragment.dontFragment = true
    let payload = ArraySlice([UInt8](repeating: 0, count: 1481))
    XCTAssertThrowsError(try dontFragment.fragments(of: payload, maximumTransmissionUnit: 1500)) {
      XCTAssertEqual(
        $0 as? IPv4FragmentationError,
        .dontFragment(datagramLength: 1501, maximumTransmissionUnit: 1500))
    }
  }
}
