import Net
import XCTest

final class ICMPv4MessageTests: XCTestCase {
  /// An Ethernet frame with a ping from 192.0.2.2 to 192.0.2.1: identifier 0x1234, sequence 1,
  /// 56 data bytes 0x10...0x47 (checksums computed independently of this code).
  let pingFrame = hexBytes(
    "02005e100001 02005e100002 0800"
      + " 4500 0054 abcd 4000 4001 0ad8 c000 0202 c000 0201"
      + " 0800 2cf6 1234 0001"
      + " 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
      + " 303132333435363738393a3b3c3d3e3f4041424344454647")
  /// Port unreachable about a UDP datagram from 192.0.2.1:5353 to 192.0.2.2:9, quoting its
  /// 20-byte header and 8 bytes.
  let portUnreachable = hexBytes(
    "0303 e7fe 0000 0000 4500 0020 0007 0000 4011 f6c2 c000 0201 c000 0202 14e9 0009 000c 0000")

  func testParsesAGoldenPingThroughEveryLayerAndAnswersIt() throws {
    let (ethernet, ethernetPayload) = try EthernetHeader.parse(pingFrame[...])
    XCTAssertEqual(ethernet.etherType, .ipv4)
    let (ip, ipPayload) = try IPv4Header.parse(ethernetPayload)
    XCTAssertEqual(ip.payloadProtocol, .icmp)
    XCTAssertEqual(ip.identification, 0xABCD)
    let message = try ICMPv4Message.parse(ipPayload)
    guard case .echoRequest(let identifier, let sequenceNumber, let data) = message else {
      return XCTFail("\(message)")
    }
    XCTAssertEqual(identifier, 0x1234)
    XCTAssertEqual(sequenceNumber, 1)
    XCTAssertEqual(Array(data), Array(0x10...0x47))

    var emitted: [UInt8] = []
    message.emit(into: &emitted)
    XCTAssertEqual(emitted[...], ipPayload)
    XCTAssertEqual(message.length, 64)

    // The reply differs in type only, so its checksum is the request's plus 8 << 8.
    var reply: [UInt8] = []
    ICMPv4Message.echoReply(identifier: identifier, sequenceNumber: sequenceNumber, data: data)
      .emit(into: &reply)
    XCTAssertEqual(Array(reply[0..<4]), [0x00, 0x00, 0x34, 0xF6])
    XCTAssertEqual(Array(reply[4...]), Array(emitted[4...]))
  }

  func testParsesGoldenPortUnreachableAndBuildsTheSameQuote() throws {
    let message = try ICMPv4Message.parse(portUnreachable[...])
    guard case .destinationUnreachable(let code, let nextHopMTU, let original) = message else {
      return XCTFail("\(message)")
    }
    XCTAssertEqual(code, .portUnreachable)
    XCTAssertEqual(nextHopMTU, 0)
    // The quote is cut short of its own total length (32), so it is read field by field.
    XCTAssertEqual(original.count, 28)
    XCTAssertEqual(original[original.startIndex + 9], IPProtocol.udp.rawValue)
    XCTAssertEqual(Array(original.suffix(8).prefix(4)), [0x14, 0xE9, 0x00, 0x09], "ports 5353, 9")

    // The offending datagram had 4 more payload bytes than the quote keeps.
    let offending = Array(original) + Array("abcd".utf8)
    let rebuilt = ICMPv4Message.destinationUnreachable(
      code: .portUnreachable, nextHopMTU: 0, original: ICMPv4Message.quote(of: offending[...]))
    var bytes: [UInt8] = []
    rebuilt.emit(into: &bytes)
    XCTAssertEqual(bytes, portUnreachable)
  }

  func testRoundTripsEveryKind() throws {
    let quote = ArraySlice(portUnreachable[8...])
    let messages: [ICMPv4Message] = [
      .echoRequest(identifier: 0, sequenceNumber: 0xFFFF, data: []),
      .echoReply(identifier: 7, sequenceNumber: 9, data: [1, 2, 3]),
      .destinationUnreachable(code: .fragmentationNeeded, nextHopMTU: 1280, original: quote),
      .timeExceeded(code: 1, original: quote),
      .other(type: 13, code: 0, rest: ArraySlice(repeating: 5, count: 16)),
      .other(type: 8, code: 1, rest: [0, 0, 0, 0]),
    ]
    for message in messages {
      var bytes: [UInt8] = []
      message.emit(into: &bytes)
      XCTAssertEqual(bytes.count, message.length)
      XCTAssertTrue(InternetChecksum.verifies(bytes))
      XCTAssertEqual(try ICMPv4Message.parse(bytes[...]), message)
    }
    var mtuBytes: [UInt8] = []
    messages[2].emit(into: &mtuBytes)
    XCTAssertEqual(Array(mtuBytes[4..<8]), [0, 0, 0x05, 0x00], "next-hop MTU in the low word")
  }

  func testEveryTruncationAndEveryFlippedBitIsRejected() {
    for length in 0..<8 {
      XCTAssertThrowsError(try ICMPv4Message.parse(portUnreachable[..<length])) { error in
        XCTAssertEqual(
          error as? WireError, .truncated(protocol: "ICMPv4", needed: 8, available: length))
      }
    }
    // A short quote with a correct checksum is still truncated.
    for length in 8..<portUnreachable.count {
      var bytes = Array(portUnreachable[..<length])
      bytes[2] = 0
      bytes[3] = 0
      let checksum = InternetChecksum.checksum(bytes)
      bytes[2] = UInt8(checksum >> 8)
      bytes[3] = UInt8(checksum & 0xFF)
      XCTAssertThrowsError(try ICMPv4Message.parse(bytes[...])) { error in
        XCTAssertEqual(
          error as? WireError, .truncated(protocol: "ICMPv4", needed: 36, available: length))
      }
    }
    for bit in 0..<(portUnreachable.count * 8) {
      var bytes = portUnreachable
      bytes[bit / 8] ^= 1 << (bit % 8)
      XCTAssertThrowsError(try ICMPv4Message.parse(bytes[...])) { error in
        XCTAssertEqual(error as? WireError, .badChecksum(protocol: "ICMPv4"))
      }
    }
  }
}
