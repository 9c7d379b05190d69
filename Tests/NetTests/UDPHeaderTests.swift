import Net
import XCTest

final class UDPHeaderTests: XCTestCase {
  private let client = IPv4Address(192, 0, 2, 1)
  private let server = IPv4Address(198, 51, 100, 7)

  /// "hello" from 192.0.2.1:49153 to 198.51.100.7:53. The checksum by hand: the pseudo-header
  /// words c000 0201 c633 6407 0011 000d, the header words c001 0035 000d 0000 and the payload
  /// words 6865 6c6c 6f00 (padded) sum to 3f06d; folded, f06d + 3 = f070; complemented, 0f8f.
  private let helloDatagram: [UInt8] = [
    0xC0, 0x01, 0x00, 0x35, 0x00, 0x0D, 0x0F, 0x8F, 0x68, 0x65, 0x6C, 0x6C, 0x6F,
  ]

  func testEmitsGoldenBytes() {
    var buffer: [UInt8] = [0xEE]  // emit appends, and checksums only what it appends
    UDPHeader(sourcePort: 49153, destinationPort: 53).emit(
      payload: Array("hello".utf8), source: client, destination: server, into: &buffer)
    XCTAssertEqual(buffer, [0xEE] + helloDatagram)
  }

  func testParsesGoldenBytes() throws {
    let (header, payload) = try UDPHeader.parse(
      helloDatagram[...], source: client, destination: server)
    XCTAssertEqual(header, UDPHeader(sourcePort: 49153, destinationPort: 53))
    XCTAssertEqual(Array(payload), Array("hello".utf8))
  }

  func testIgnoresBytesAfterTheLengthField() throws {
    let padded = helloDatagram + [0, 0, 0, 0]
    let (_, payload) = try UDPHeader.parse(padded[...], source: client, destination: server)
    XCTAssertEqual(Array(payload), Array("hello".utf8))
  }

  func testZeroChecksumMeansNone() throws {
    var unchecked = helloDatagram
    unchecked[6] = 0
    unchecked[7] = 0
    let (header, payload) = try UDPHeader.parse(
      unchecked[...], source: client, destination: server)
    XCTAssertEqual(header.destinationPort, 53)
    XCTAssertEqual(payload.count, 5)
  }

  /// A payload whose checksum computes to 0 goes out as 0xFFFF, and that verifies.
  func testComputedZeroIsSentAsAllOnes() throws {
    // Without the last payload word, the words sum (folded) to 0x1506; adding 0xeaf9 makes
    // 0xffff, whose complement is 0.
    let payload: [UInt8] = [0x68, 0x69, 0xEA, 0xF9]
    var buffer: [UInt8] = []
    UDPHeader(sourcePort: 49153, destinationPort: 53).emit(
      payload: payload, source: client, destination: server, into: &buffer)
    XCTAssertEqual(Array(buffer[6...7]), [0xFF, 0xFF])
    XCTAssertNoThrow(try UDPHeader.parse(buffer[...], source: client, destination: server))
  }

  func testRejectsBadChecksumsAndWrongAddresses() {
    var corrupted = helloDatagram
    corrupted[9] ^= 0x01
    XCTAssertThrowsError(try UDPHeader.parse(corrupted[...], source: client, destination: server)) {
      XCTAssertEqual($0 as? WireError, .badChecksum(protocol: "UDP"))
    }
    let otherHost = IPv4Address(198, 51, 100, 8)
    XCTAssertThrowsError(
      try UDPHeader.parse(helloDatagram[...], source: client, destination: otherHost)
    ) { XCTAssertEqual($0 as? WireError, .badChecksum(protocol: "UDP")) }
  }

  func testTruncationAtEveryLength() {
    for count in 0..<helloDatagram.count {
      XCTAssertThrowsError(
        try UDPHeader.parse(helloDatagram.prefix(count), source: client, destination: server)
      ) { error in
        let needed = count < 8 ? 8 : 13
        XCTAssertEqual(
          error as? WireError, .truncated(protocol: "UDP", needed: needed, available: count))
      }
    }
  }

  func testRejectsLengthFieldBelowTheHeader() {
    var short = helloDatagram
    short[5] = 7
    XCTAssertThrowsError(try UDPHeader.parse(short[...], source: client, destination: server)) {
      XCTAssertEqual(
        $0 as? WireError, .malformed(protocol: "UDP", reason: "length 7 is below 8"))
    }
  }
}
