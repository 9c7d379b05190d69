import Net
import Randomness
import XCTest

/// parse(emit(x)) == x for thousands of generated TCP and UDP headers, and emit(parse(bytes))
/// gives the bytes back.
final class WireRoundTripTests: XCTestCase {
  func testTCPHeadersRoundTrip() throws {
    var random = SeededRandom(seed: 0x7C9_2026)
    for iteration in 0..<5000 {
      let source = IPv4Address(UInt32(truncatingIfNeeded: random.next()))
      let destination = IPv4Address(UInt32(truncatingIfNeeded: random.next()))
      let header = randomTCPHeader(&random)
      let payload = (0..<Int(random.next(below: UInt64(64)))).map { _ in
        UInt8(truncatingIfNeeded: random.next())
      }
      var bytes: [UInt8] = []
      header.emit(payload: payload, source: source, destination: destination, into: &bytes)
      XCTAssertEqual(bytes.count, header.length + payload.count)
      let parsed = try TCPHeader.parse(bytes[...], source: source, destination: destination)
      XCTAssertEqual(parsed.header, header, "iteration \(iteration)")
      XCTAssertEqual(Array(parsed.payload), payload, "iteration \(iteration)")
      var again: [UInt8] = []
      parsed.header.emit(
        payload: parsed.payload, source: source, destination: destination, into: &again)
      XCTAssertEqual(again, bytes, "iteration \(iteration)")
    }
  }

  func testUDPHeadersRoundTrip() throws {
    var random = SeededRandom(seed: 17)
    for iteration in 0..<5000 {
      let source = IPv4Address(UInt32(truncatingIfNeeded: random.next()))
      let destination = IPv4Address(UInt32(truncatingIfNeeded: random.next()))
      let header = UDPHeader(
        sourcePort: UInt16(truncatingIfNeeded: random.next()),
        destinationPort: UInt16(truncatingIfNeeded: random.next()))
      let payload = (0..<Int(random.next(below: UInt64(64)))).map { _ in
        UInt8(truncatingIfNeeded: random.next())
      }
      var bytes: [UInt8] = []
      header.emit(payload: payload, source: source, destination: destination, into: &bytes)
      XCTAssertNotEqual(Array(bytes[6...7]), [0, 0], "a computed checksum is never sent as 0")
      let parsed = try UDPHeader.parse(bytes[...], source: source, destination: destination)
      XCTAssertEqual(parsed.header, header, "iteration \(iteration)")
      XCTAssertEqual(Array(parsed.payload), payload, "iteration \(iteration)")
    }
  }

  /// A header with the fields and options a segment of its kind may carry: SYN options on SYN
  /// segments, SACK blocks (three at most beside timestamps) on the others.
  private func randomTCPHeader(_ random: inout SeededRandom) -> TCPHeader {
    var flags = TCPFlags(rawValue: UInt8(truncatingIfNeeded: random.next()))
    if flags.contains(.syn) { flags.subtract([.fin, .rst]) }
    var options = TCPOptions()
    if Int(random.next(below: UInt64(2))) == 0 {
      options.timestamps = .init(
        value: UInt32(truncatingIfNeeded: random.next()),
        echoReply: UInt32(truncatingIfNeeded: random.next()))
    }
    if flags.contains(.syn) {
      if Int(random.next(below: UInt64(2))) == 0 {
        options.maximumSegmentSize = UInt16(truncatingIfNeeded: random.next())
      }
      if Int(random.next(below: UInt64(2))) == 0 {
        options.windowScale = UInt8(Int(random.next(below: UInt64(15))))
      }
      options.sackPermitted = Int(random.next(below: UInt64(2))) == 0
    } else {
      let room = options.timestamps == nil ? 4 : 3
      options.sackBlocks = (0..<Int(random.next(below: UInt64(room + 1)))).map { _ in
        .init(
          leftEdge: SequenceNumber(UInt32(truncatingIfNeeded: random.next())),
          rightEdge: SequenceNumber(UInt32(truncatingIfNeeded: random.next())))
      }
    }
    return TCPHeader(
      sourcePort: UInt16(truncatingIfNeeded: random.next()),
      destinationPort: UInt16(truncatingIfNeeded: random.next()),
      sequenceNumber: SequenceNumber(UInt32(truncatingIfNeeded: random.next())),
      acknowledgementNumber: SequenceNumber(UInt32(truncatingIfNeeded: random.next())),
      flags: flags,
      window: UInt16(truncatingIfNeeded: random.next()),
      urgentPointer: UInt16(truncatingIfNeeded: random.next()),
      options: options)
  }
}
