import Net
import XCTest

final class EthernetHeaderTests: XCTestCase {
  /// A broadcast ARP request frame as it appears on the wire, padded to 60 bytes.
  let arpRequestFrame = hexBytes(
    "ffffffffffff 02005e100001 0806"
      + " 0001 0800 06 04 0001 02005e100001 c0000201 000000000000 c0000202"
      + " 000000000000000000000000000000000000")

  func testParsesGoldenFrame() throws {
    let (header, payload) = try EthernetHeader.parse(arpRequestFrame[...])
    XCTAssertEqual(header.destination, .broadcast)
    XCTAssertEqual(header.source, MACAddress(0x02, 0x00, 0x5E, 0x10, 0x00, 0x01))
    XCTAssertEqual(header.etherType, .arp)
    XCTAssertEqual(payload.count, 46)
    XCTAssertEqual(payload.startIndex, 14)
  }

  func testEmitPadsToTheMinimumFrameAndRoundTrips() throws {
    let header = EthernetHeader(
      destination: .broadcast, source: MACAddress(0x02, 0x00, 0x5E, 0x10, 0x00, 0x01),
      etherType: .arp)
    var frame: [UInt8] = [0xAA]  // Emitting appends after what the buffer already holds.
    header.emit(payload: arpRequestFrame[14..<42], into: &frame)
    XCTAssertEqual(Array(frame.dropFirst()), arpRequestFrame)
    XCTAssertEqual(try EthernetHeader.parse(frame.dropFirst()).header, header)

    var large: [UInt8] = []
    let ipv6 = EthernetHeader(destination: header.source, source: header.source, etherType: .ipv6)
    ipv6.emit(payload: [UInt8](repeating: 7, count: 100), into: &large)
    XCTAssertEqual(large.count, 114, "no padding past the minimum")
    let parsed = try EthernetHeader.parse(large[...])
    XCTAssertEqual(parsed.header, ipv6)
    XCTAssertEqual(Array(parsed.payload), [UInt8](repeating: 7, count: 100))
  }

  func testEveryTruncationIsReported() {
    for length in 0..<EthernetHeader.length {
      XCTAssertThrowsError(try EthernetHeader.parse(arpRequestFrame[..<length])) { error in
        XCTAssertEqual(
          error as? WireError,
          .truncated(protocol: "Ethernet", needed: 14, available: length))
      }
    }
    XCTAssertNoThrow(try EthernetHeader.parse(arpRequestFrame[..<14]))
  }

  func testRefusesVLANTagsAndLengthFields() {
    for etherType: [UInt8] in [[0x81, 0x00], [0x88, 0xA8], [0x05, 0xDC], [0x00, 0x2E]] {
      var frame = arpRequestFrame
      frame[12] = etherType[0]
      frame[13] = etherType[1]
      XCTAssertThrowsError(try EthernetHeader.parse(frame[...])) { error in
        guard case .unsupported(protocol: "Ethernet", _)? = error as? WireError else {
          return XCTFail("\(error)")
        }
      }
    }
  }

  func testUnknownEtherTypesPassThrough() throws {
    var frame = arpRequestFrame
    frame[12] = 0x88
    frame[13] = 0xCC  // LLDP
    XCTAssertEqual(try EthernetHeader.parse(frame[...]).header.etherType.rawValue, 0x88CC)
    XCTAssertEqual(EtherType(rawValue: 0x88CC).description, "EtherType 35020")
    XCTAssertEqual(EtherType.ipv4.description, "IPv4")
  }
}
