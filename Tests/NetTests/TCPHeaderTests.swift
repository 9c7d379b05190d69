import Net
import XCTest

/// Golden segments of a connection from 192.0.2.1:49152 to 198.51.100.7:80, laid out the way
/// Linux lays out its options. Checksums computed independently (a short Python script over the
/// pseudo-header and segment words) and checked here byte for byte.
final class TCPHeaderTests: XCTestCase {
  private let client = IPv4Address(192, 0, 2, 1)
  private let server = IPv4Address(198, 51, 100, 7)

  private let synBytes: [UInt8] = [
    0xC0, 0x00, 0x00, 0x50,  // ports 49152, 80
    0x12, 0x34, 0x56, 0x78,  // sequence number
    0x00, 0x00, 0x00, 0x00,  // acknowledgement number
    0xA0, 0x02, 0xFA, 0xF0,  // data offset 10 words, SYN, window 64240
    0x33, 0xD0, 0x00, 0x00,  // checksum, urgent pointer
    0x02, 0x04, 0x05, 0xB4,  // MSS 1460
    0x04, 0x02, 0x08, 0x0A,  // SACK-permitted, timestamps kind and length
    0x01, 0x02, 0x03, 0x04,  // TSval
    0x00, 0x00, 0x00, 0x00,  // TSecr
    0x01, 0x03, 0x03, 0x07,  // NOP, window scale 7
  ]

  private var syn: TCPHeader {
    TCPHeader(
      sourcePort: 49152, destinationPort: 80, sequenceNumber: SequenceNumber(0x1234_5678),
      flags: .syn, window: 64240,
      options: TCPOptions(
        maximumSegmentSize: 1460, windowScale: 7, sackPermitted: true,
        timestamps: .init(value: 0x0102_0304, echoReply: 0)))
  }

  private let synAcknowledgementBytes: [UInt8] = [
    0x00, 0x50, 0xC0, 0x00, 0xFE, 0xDC, 0xBA, 0x98, 0x12, 0x34, 0x56, 0x79, 0xA0, 0x12, 0xFE,
    0x88, 0x60, 0x99, 0x00, 0x00, 0x02, 0x04, 0x05, 0xB4, 0x04, 0x02, 0x08, 0x0A, 0x0A, 0x0B,
    0x0C, 0x0D, 0x01, 0x02, 0x03, 0x04, 0x01, 0x03, 0x03, 0x07,
  ]

  private var synAcknowledgement: TCPHeader {
    TCPHeader(
      sourcePort: 80, destinationPort: 49152, sequenceNumber: SequenceNumber(0xFEDC_BA98),
      acknowledgementNumber: SequenceNumber(0x1234_5679), flags: [.syn, .ack], window: 65160,
      options: TCPOptions(
        maximumSegmentSize: 1460, windowScale: 7, sackPermitted: true,
        timestamps: .init(value: 0x0A0B_0C0D, echoReply: 0x0102_0304)))
  }

  private let dataBytes: [UInt8] =
    [
      0xC0, 0x00, 0x00, 0x50, 0x12, 0x34, 0x56, 0x79, 0xFE, 0xDC, 0xBA, 0x99,
      0x80, 0x18, 0x01, 0xF6,  // data offset 8 words, PSH|ACK, window 502
      0xAD, 0x3C, 0x00, 0x00,
      0x01, 0x01, 0x08, 0x0A, 0x01, 0x02, 0x03, 0x05, 0x0A, 0x0B, 0x0C, 0x0D,  // NOP NOP timestamps
    ] + Array("GET / HTTP/1.1\r\n\r\n".utf8)

  private var data: TCPHeader {
    TCPHeader(
      sourcePort: 49152, destinationPort: 80, sequenceNumber: SequenceNumber(0x1234_5679),
      acknowledgementNumber: SequenceNumber(0xFEDC_BA99), flags: [.psh, .ack], window: 502,
      options: TCPOptions(timestamps: .init(value: 0x0102_0305, echoReply: 0x0A0B_0C0D)))
  }

  private func emit(_ header: TCPHeader, payload: [UInt8] = [], from source: IPv4Address)
    -> [UInt8]
  {
    var buffer: [UInt8] = []
    let destination = source == client ? server : client
    header.emit(payload: payload, source: source, destination: destination, into: &buffer)
    return buffer
  }

  func testEmitsGoldenSegments() {
    XCTAssertEqual(emit(syn, from: client), synBytes)
    XCTAssertEqual(syn.length, 40)
    XCTAssertEqual(emit(synAcknowledgement, from: server), synAcknowledgementBytes)
    XCTAssertEqual(
      emit(data, payload: Array("GET / HTTP/1.1\r\n\r\n".utf8), from: client), dataBytes)
    XCTAssertEqual(data.length, 32)
  }

  func testParsesGoldenSegments() throws {
    let parsedSyn = try TCPHeader.parse(synBytes[...], source: client, destination: server)
    XCTAssertEqual(parsedSyn.header, syn)
    XCTAssertTrue(parsedSyn.payload.isEmpty)
    let parsedSynAcknowledgement = try TCPHeader.parse(
      synAcknowledgementBytes[...], source: server, destination: client)
    XCTAssertEqual(parsedSynAcknowledgement.header, synAcknowledgement)
    let parsedData = try TCPHeader.parse(dataBytes[...], source: client, destination: server)
    XCTAssertEqual(parsedData.header, data)
    XCTAssertEqual(Array(parsedData.payload), Array("GET / HTTP/1.1\r\n\r\n".utf8))
  }

  func testEmitAppendsAfterExistingBytes() {
    var buffer: [UInt8] = [1, 2, 3]
    syn.emit(payload: [UInt8](), source: client, destination: server, into: &buffer)
    XCTAssertEqual(buffer, [1, 2, 3] + synBytes)
  }

  func testRejectsEveryFlippedBitAndWrongAddresses() {
    for bit in 0..<(dataBytes.count * 8) {
      var corrupted = dataBytes
      corrupted[bit / 8] ^= 1 << (bit % 8)
      XCTAssertThrowsError(
        try TCPHeader.parse(corrupted[...], source: client, destination: server), "bit \(bit)")
    }
    XCTAssertThrowsError(
      try TCPHeader.parse(dataBytes[...], source: client, destination: IPv4Address(192, 0, 2, 9))
    ) { XCTAssertEqual($0 as? WireError, .badChecksum(protocol: "TCP")) }
  }

  func testTruncationAtEveryLength() {
    for count in 0..<synBytes.count {
      XCTAssertThrowsError(
        try TCPHeader.parse(synBytes.prefix(count), source: client, destination: server)
      ) { error in
        let needed = count < 20 ? 20 : 40
        XCTAssertEqual(
          error as? WireError, .truncated(protocol: "TCP", needed: needed, available: count))
      }
    }
  }

  func testRejectsDataOffsetBelowFive() {
    for offset: UInt8 in 0..<5 {
      var segment = dataBytes
      segment[12] = offset << 4
      XCTAssertThrowsError(
        try TCPHeader.parse(segment[...], source: client, destination: server)
      ) {
        XCTAssertEqual(
          $0 as? WireError,
          .malformed(protocol: "TCP", reason: "data offset \(offset) is below 5"))
      }
    }
  }

  func testRejectsContradictoryFlags() {
    let cases: [(TCPFlags, String)] = [
      ([.syn, .fin], "SYN with FIN"), ([.syn, .rst], "SYN with RST"),
      ([.syn, .fin, .rst, .ack], "SYN with FIN"),
    ]
    for (flags, reason) in cases {
      let segment = TCPSegmentBuilder.segment(
        flags: flags, options: [], source: client, destination: server)
      XCTAssertThrowsError(
        try TCPHeader.parse(segment[...], source: client, destination: server)
      ) { XCTAssertEqual($0 as? WireError, .malformed(protocol: "TCP", reason: reason)) }
    }
    XCTAssertEqual(TCPFlags([.syn, .ack]).description, "SYN|ACK")
    XCTAssertEqual(TCPFlags().description, "none")
    XCTAssertNil(TCPFlags([.fin, .rst, .ack, .psh, .urg, .ece, .cwr]).contradiction)
  }

  func testReservedBitsAreIgnored() throws {
    let segment = TCPSegmentBuilder.segment(
      flags: .ack, options: [], reservedBits: 0x0F, source: client, destination: server)
    let (header, _) = try TCPHeader.parse(segment[...], source: client, destination: server)
    XCTAssertEqual(header.flags, .ack)
    XCTAssertEqual(emit(header, from: client)[12], 0x50)
  }
}

/// Builds segments with hand-written option bytes and a correct checksum, to test what emit
/// would never produce.
enum TCPSegmentBuilder {
  static func segment(
    flags: TCPFlags, options: [UInt8], reservedBits: UInt8 = 0, payload: [UInt8] = [],
    source: IPv4Address, destination: IPv4Address
  ) -> [UInt8] {
    precondition(options.count % 4 == 0 && options.count <= 40)
    var segment: [UInt8] = [0xC0, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 2]
    segment += [UInt8(5 + options.count / 4) << 4 | reservedBits, flags.rawValue, 0x10, 0x00]
    segment += [0, 0, 0, 0] + options + payload
    var checksum = InternetChecksum()
    checksum.add(source.octets + destination.octets + [0, 6])
    checksum.add(UInt16(segment.count))
    checksum.add(segment)
    segment[16] = UInt8(checksum.value >> 8)
    segment[17] = UInt8(checksum.value & 0xFF)
    return segment
  }
}
