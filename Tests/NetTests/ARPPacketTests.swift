import Net
import XCTest

final class ARPPacketTests: XCTestCase {
  /// "Who has 192.0.2.2? Tell 192.0.2.1", the 28 bytes of RFC 826 for Ethernet and IPv4.
  let request = hexBytes(
    "0001 0800 06 04 0001 02005e100001 c0000201 000000000000 c0000202")
  let sender = MACAddress(0x02, 0x00, 0x5E, 0x10, 0x00, 0x01)

  func testParsesGoldenRequestIgnoringPadding() throws {
    let packet = try ARPPacket.parse((request + [UInt8](repeating: 0, count: 18))[...])
    XCTAssertEqual(
      packet,
      ARPPacket(
        operation: .request, senderHardwareAddress: sender,
        senderProtocolAddress: IPv4Address(192, 0, 2, 1),
        targetHardwareAddress: MACAddress(0, 0, 0, 0, 0, 0),
        targetProtocolAddress: IPv4Address(192, 0, 2, 2)))
  }

  func testEmitsGoldenBytesAndRoundTripsAReply() throws {
    var bytes: [UInt8] = []
    try ARPPacket.parse(request[...]).emit(into: &bytes)
    XCTAssertEqual(bytes, request)

    let reply = ARPPacket(
      operation: .reply, senderHardwareAddress: MACAddress(0x02, 0, 0x5E, 0x10, 0, 2),
      senderProtocolAddress: IPv4Address(192, 0, 2, 2), targetHardwareAddress: sender,
      targetProtocolAddress: IPv4Address(192, 0, 2, 1))
    var replyBytes: [UInt8] = []
    reply.emit(into: &replyBytes)
    XCTAssertEqual(replyBytes.count, ARPPacket.length)
    XCTAssertEqual(Array(replyBytes[6..<8]), [0x00, 0x02])
    XCTAssertEqual(try ARPPacket.parse(replyBytes[...]), reply)
  }

  func testEveryTruncationIsReported() {
    for length in 0..<ARPPacket.length {
      let needed = length < 8 ? 8 : 28
      XCTAssertThrowsError(try ARPPacket.parse(request[..<length])) { error in
        XCTAssertEqual(
          error as? WireError, .truncated(protocol: "ARP", needed: needed, available: length))
      }
    }
  }

  func testRefusesOtherHardwareProtocolsAndOperations() {
    func error(patching index: Int, with values: [UInt8]) -> WireError? {
      var bytes = request
      bytes.replaceSubrange(index..<index + values.count, with: values)
      do {
        _ = try ARPPacket.parse(bytes[...])
        return nil
      } catch {
        return error
      }
    }
    XCTAssertEqual(
      error(patching: 0, with: [0x00, 0x06]),
      .unsupported(protocol: "ARP", reason: "hardware type 6"))
    XCTAssertEqual(
      error(patching: 2, with: [0x86, 0xDD]),
      .unsupported(protocol: "ARP", reason: "protocol type 34525"))
    XCTAssertEqual(
      error(patching: 6, with: [0x00, 0x03]),
      .unsupported(protocol: "ARP", reason: "operation 3"))
    XCTAssertEqual(
      error(patching: 4, with: [0x08]),
      .malformed(protocol: "ARP", reason: "address lengths are not 6 and 4"))
    XCTAssertEqual(
      error(patching: 5, with: [0x10]),
      .malformed(protocol: "ARP", reason: "address lengths are not 6 and 4"))
  }
}
