import Net
import XCTest

final class IPv4HeaderTests: XCTestCase {
  /// A UDP datagram's header from a capture (also InternetChecksumTests' sample): total length
  /// 115, DF, TTL 64, UDP, 192.168.0.1 to 192.168.0.199, checksum 0xb861.
  let captured = hexBytes("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
  let payload = (0..<95).map { UInt8($0) }

  func testParsesGoldenHeaderAndSlicesThePayload() throws {
    let datagram = captured + payload + [0, 0, 0]  // Ethernet padding after the datagram.
    let (header, parsedPayload) = try IPv4Header.parse(datagram[...])
    XCTAssertEqual(
      header,
      IPv4Header(
        source: IPv4Address(192, 168, 0, 1), destination: IPv4Address(192, 168, 0, 199),
        payloadProtocol: .udp, identification: 0, timeToLive: 64, dontFragment: true))
    XCTAssertFalse(header.isFragment)
    XCTAssertEqual(Array(parsedPayload), payload, "padding is not payload")

    var emitted: [UInt8] = []
    header.emit(payload: payload, into: &emitted)
    XCTAssertEqual(emitted, captured + payload)
  }

  func testRoundTripsEveryField() throws {
    let header = IPv4Header(
      source: IPv4Address(198, 51, 100, 7), destination: IPv4Address(192, 0, 2, 200),
      payloadProtocol: IPProtocol(rawValue: 132), identification: 0xBEEF, timeToLive: 1,
      dontFragment: false, moreFragments: true, fragmentOffset: 0x1ABC,
      differentiatedServicesCodePoint: 46, explicitCongestionNotification: 3)
    var bytes: [UInt8] = [0xFF, 0xFF]
    header.emit(payload: [1, 2, 3], into: &bytes)
    XCTAssertEqual(bytes[2], 0x45)
    XCTAssertEqual(bytes[3], 46 << 2 | 3)
    XCTAssertEqual(Array(bytes[8..<10]), [0x3A, 0xBC], "MF and the 13-bit offset")
    let (parsed, parsedPayload) = try IPv4Header.parse(bytes.dropFirst(2))
    XCTAssertEqual(parsed, header)
    XCTAssertEqual(Array(parsedPayload), [1, 2, 3])
    XCTAssertTrue(parsed.isFragment)
    XCTAssertEqual(parsed.fragmentByteOffset, 0x1ABC * 8)
  }

  func testSkipsOptionsBoundedByTheHeaderLength() throws {
    // IHL 6: a record-route-less option word (NOP NOP NOP EOL) before the payload.
    var bytes = hexBytes("4600 0020 0001 0000 4006 0000 c000 0201 c000 0202 0101 0100")
    bytes += [9, 8, 7, 6, 5, 4, 3, 2]
    bytes[10] = 0
    bytes[11] = 0
    let checksum = InternetChecksum.checksum(bytes[..<24])
    bytes[10] = UInt8(checksum >> 8)
    bytes[11] = UInt8(checksum & 0xFF)
    let (header, payload) = try IPv4Header.parse(bytes[...])
    XCTAssertEqual(header.payloadProtocol, .tcp)
    XCTAssertEqual(Array(payload), [9, 8, 7, 6, 5, 4, 3, 2])
  }

  func testEveryTruncationIsReported() {
    let datagram = captured + payload
    for length in 0..<datagram.count {
      let needed = length < 20 ? 20 : 115
      XCTAssertThrowsError(try IPv4Header.parse(datagram[..<length])) { error in
        XCTAssertEqual(
          error as? WireError, .truncated(protocol: "IPv4", needed: needed, available: length))
      }
    }
  }

  func testRejectsBadFieldsAndChecksums() {
    func parseError(_ patch: (inout [UInt8]) -> Void, fixChecksum: Bool = true) -> WireError? {
      var datagram = captured + payload
      patch(&datagram)
      if fixChecksum {
        datagram[10] = 0
        datagram[11] = 0
        let checksum = InternetChecksum.checksum(datagram[..<20])
        datagram[10] = UInt8(checksum >> 8)
        datagram[11] = UInt8(checksum & 0xFF)
      }
      do {
        _ = try IPv4Header.parse(datagram[...])
        return nil
      } catch {
        return error
      }
    }
    XCTAssertEqual(
      parseError { $0[0] = 0x65 }, .malformed(protocol: "IPv4", reason: "version 6"))
    XCTAssertEqual(
      parseError { $0[0] = 0x44 },
      .malformed(protocol: "IPv4", reason: "header length 16 below 20"))
    XCTAssertEqual(
      parseError { $0[3] = 19 },
      .malformed(protocol: "IPv4", reason: "total length 19 below header length 20"))
    XCTAssertEqual(
      parseError { $0[0] = 0x4F }, .badChecksum(protocol: "IPv4"),
      "IHL 15: the checksum covers all 60 header bytes")
    XCTAssertEqual(
      parseError {
        $0[0] = 0x4F
        $0[3] = 40
      }, .malformed(protocol: "IPv4", reason: "total length 40 below header length 60"))
    XCTAssertEqual(
      parseError {
        $0[0] = 0x4F
        $0.removeLast(85)
      }, .truncated(protocol: "IPv4", needed: 60, available: 30))
    XCTAssertEqual(
      parseError { $0[3] = 116 }, .truncated(protocol: "IPv4", needed: 116, available: 115))
    XCTAssertEqual(
      parseError { $0[6] |= 0x80 }, .malformed(protocol: "IPv4", reason: "reserved flag set"))
    XCTAssertEqual(
      parseError({ $0[8] = 63 }, fixChecksum: false), .badChecksum(protocol: "IPv4"))
    XCTAssertEqual(
      parseError({ $0[11] ^= 1 }, fixChecksum: false), .badChecksum(protocol: "IPv4"))
  }
}
