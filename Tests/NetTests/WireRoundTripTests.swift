import Net
import XCTest

/// parse(emit(x)) == x for thousands of generated TCP and UDP headers, and emit(parse(bytes))
/// gives the bytes back.
final class WireRoundTripTests: XCTestCase {
  func testTCPHeadersRoundTrip() throws {
    var random = SplitMix64(seed: 0x7C9_2026)
    for iteration in 0..<5000 {
      let source = IPv4Address(random.next(UInt32.self))
      let destination = IPv4Address(random.next(UInt32.self))
      let header = randomTCPHeader(&random)
      let payload = (0..<random.next(upTo: 64)).map { _ in random.next(UInt8.self) }
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
    var random = SplitMix64(seed: 17)
    for iteration in 0..<5000 {
      let source = IPv4Address(random.next(UInt32.self))
      let destination = IPv4Address(random.next(UInt32.self))
      let header = UDPHeader(
        sourcePort: random.next(UInt16.self), destinationPort: random.next(UInt16.self))
      let payload = (0..<random.next(upTo: 64)).map { _ in random.next(UInt8.self) }
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
  private func randomTCPHeader(_ random: inout SplitMix64) -> TCPHeader {
    var flags = TCPFlags(rawValue: random.next(UInt8.self))
    if flags.contains(.syn) { flags.subtract([.fin, .rst]) }
    var options = TCPOptions()
    if random.next(upTo: 2) == 0 {
      options.timestamps = .init(
        value: random.next(UInt32.self), echoReply: random.next(UInt32.self))
    }
    if flags.contains(.syn) {
      if random.next(upTo: 2) == 0 { options.maximumSegmentSize = random.next(UInt16.self) }
      if random.next(upTo: 2) == 0 { options.windowScale = UInt8(random.next(upTo: 15)) }
      options.sackPermitted = random.next(upTo: 2) == 0
    } else {
      let room = options.timestamps == nil ? 4 : 3
      options.sackBlocks = (0..<random.next(upTo: room + 1)).map { _ in
        .init(
          leftEdge: SequenceNumber(random.next(UInt32.self)),
          rightEdge: SequenceNumber(random.next(UInt32.self)))
      }
    }
    return TCPHeader(
      sourcePort: random.next(UInt16.self), destinationPort: random.next(UInt16.self),
      sequenceNumber: SequenceNumber(random.next(UInt32.self)),
      acknowledgementNumber: SequenceNumber(random.next(UInt32.self)), flags: flags,
      window: random.next(UInt16.self), urgentPointer: random.next(UInt16.self),
      options: options)
  }
}

/// A deterministic generator (SplitMix64) so that a failing iteration replays exactly.
/// (ApplianceCore's `SeededRandom` is the same algorithm; NetTests does not depend on it.)
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }

  mutating func next<Value: FixedWidthInteger & UnsignedInteger>(_: Value.Type) -> Value {
    next()
  }

  mutating func next(upTo bound: Int) -> Int {
    Int(next(upperBound: UInt64(bound)))
  }
}
