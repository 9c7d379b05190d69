import Net
import XCTest

final class TCPOptionsTests: XCTestCase {
  private let client = IPv4Address(192, 0, 2, 1)
  private let server = IPv4Address(198, 51, 100, 7)

  private func parse(_ options: [UInt8], flags: TCPFlags = .syn) throws -> TCPOptions {
    let segment = TCPSegmentBuilder.segment(
      flags: flags, options: options, source: client, destination: server)
    return try TCPHeader.parse(segment[...], source: client, destination: server).header.options
  }

  private func assertMalformed(
    _ options: [UInt8], _ reason: String, flags: TCPFlags = .syn, line: UInt = #line
  ) {
    XCTAssertThrowsError(try parse(options, flags: flags), line: line) {
      XCTAssertEqual(
        $0 as? WireError, .malformed(protocol: "TCP", reason: reason), line: line)
    }
  }

  func testMalformedLengths() {
    assertMalformed([30, 0, 1, 1], "option 30 has length 0")
    assertMalformed([30, 1, 1, 1], "option 30 has length 1")
    assertMalformed([1, 1, 30, 3], "option 30 of length 3 runs past the header")
    assertMalformed([1, 1, 1, 30], "option 30 has no room for its length")
    assertMalformed([2, 40, 5, 0xB4], "option 2 of length 40 runs past the header")
    assertMalformed([2, 0, 0, 0], "option 2 has length 0")
  }

  func testKnownOptionsWithTheWrongLength() {
    assertMalformed([2, 3, 5, 1], "MSS option has length 3, not 4")
    assertMalformed([2, 6, 5, 0xB4, 0, 0, 0, 0], "MSS option has length 6, not 4")
    assertMalformed([3, 4, 7, 0], "window scale option has length 4, not 3")
    assertMalformed([3, 2, 1, 1], "window scale option has length 2, not 3")
    assertMalformed([4, 3, 0, 1], "SACK-permitted option has length 3, not 2")
    assertMalformed([8, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1], "timestamps option has length 9, not 10")
    assertMalformed(
      [1, 1, 5, 2], "SACK option of 0 bytes is not whole 8-byte blocks", flags: .ack)
    assertMalformed(
      [1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9], "SACK option of 9 bytes is not whole 8-byte blocks",
      flags: .ack)
  }

  func testEndOfOptionsStopsParsingAndUnknownOptionsAreSkipped() throws {
    // After End-of-options anything goes, even what would be malformed.
    XCTAssertEqual(try parse([2, 4, 5, 0xB4, 0, 30, 0, 0]).maximumSegmentSize, 1460)
    XCTAssertEqual(
      try parse([30, 6, 9, 9, 9, 9, 2, 4, 1, 0, 1, 1]), TCPOptions(maximumSegmentSize: 256))
    XCTAssertEqual(try parse([1, 1, 1, 1, 1, 1, 1, 1]), TCPOptions())
  }

  func testWindowScaleAboveFourteenIsTakenAsFourteen() throws {
    XCTAssertEqual(try parse([1, 3, 3, 14]).windowScale, 14)
    XCTAssertEqual(try parse([1, 3, 3, 15]).windowScale, 14)
    XCTAssertEqual(try parse([1, 3, 3, 255]).windowScale, 14)
    XCTAssertEqual(try parse([1, 3, 3, 0]).windowScale, 0)
  }

  func testSACKBlocks() throws {
    let blocks: [UInt8] = [0, 0, 0, 10, 0, 0, 0, 20, 0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 5]
    let options = try parse([1, 1, 5, 18] + blocks, flags: .ack)
    XCTAssertEqual(
      options.sackBlocks,
      [
        .init(leftEdge: SequenceNumber(10), rightEdge: SequenceNumber(20)),
        .init(leftEdge: SequenceNumber(0xFFFF_FFF0), rightEdge: SequenceNumber(5)),
      ])
    let fourBlocks = [1, 1, 5, 34] + blocks + blocks
    XCTAssertEqual(try parse(fourBlocks, flags: .ack).sackBlocks.count, 4)
  }

  /// Options that belong to the other kind of segment are ignored, as RFC 7323 section 2.2 and
  /// RFC 2018 section 2 tell a receiver.
  func testOptionsInTheWrongKindOfSegmentAreIgnored() throws {
    let synOnly: [UInt8] = [2, 4, 5, 0xB4, 1, 3, 3, 7, 1, 1, 4, 2]
    XCTAssertEqual(try parse(synOnly, flags: .syn).windowScale, 7)
    XCTAssertEqual(try parse(synOnly, flags: .ack), TCPOptions())
    let sack: [UInt8] = [1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20]
    XCTAssertEqual(try parse(sack, flags: .ack).sackBlocks.count, 1)
    XCTAssertEqual(try parse(sack, flags: [.syn, .ack]), TCPOptions())
  }

  /// Packed tightly, timestamps, window scale and three SACK blocks take 39 bytes, but aligned
  /// as emit writes them they would take 44. Such a segment still re-emits within 40 bytes,
  /// because window scale belongs to SYN segments and is dropped from this one.
  func testTightlyPackedOptionsReEmitWithinFortyBytes() throws {
    let blocks: [UInt8] = (0..<24).map { UInt8($0) }
    let packed = [8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 3, 3, 7, 5, 26] + blocks + [0]
    let segment = TCPSegmentBuilder.segment(
      flags: .ack, options: packed, source: client, destination: server)
    let header = try TCPHeader.parse(segment[...], source: client, destination: server).header
    XCTAssertNil(header.options.windowScale)
    XCTAssertEqual(header.options.sackBlocks.count, 3)
    XCTAssertEqual(header.length, 60)
    var buffer: [UInt8] = []
    header.emit(payload: [UInt8](), source: client, destination: server, into: &buffer)
    XCTAssertEqual(
      try TCPHeader.parse(buffer[...], source: client, destination: server).header, header)
  }

  func testEncodedLengthAndLayout() {
    XCTAssertEqual(TCPOptions().encodedLength, 0)
    XCTAssertEqual(TCPOptions(sackPermitted: true).encodedLength, 4)
    let sackOnly = TCPOptions(
      sackBlocks: Array(
        repeating: .init(leftEdge: SequenceNumber(1), rightEdge: SequenceNumber(2)), count: 4))
    XCTAssertEqual(sackOnly.encodedLength, 36)
    let header = TCPHeader(
      sourcePort: 1, destinationPort: 2, sequenceNumber: SequenceNumber(3),
      flags: [.syn], window: 4, options: TCPOptions(windowScale: 2, sackPermitted: true))
    var buffer: [UInt8] = []
    header.emit(payload: [UInt8](), source: client, destination: server, into: &buffer)
    XCTAssertEqual(Array(buffer[12...12]), [0x70])  // 7 words
    XCTAssertEqual(Array(buffer[20...]), [1, 1, 4, 2, 1, 3, 3, 2])
  }
}
