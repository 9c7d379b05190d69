import Net
import Randomness
import Time
import XCTest

/// Random bytes and random fragments, seeded so that a failure replays: parsers return slices
/// inside their input or throw, and the reassembler never exceeds its limits.
final class HostileInputTests: XCTestCase {
  func testRandomBytesNeverEscapeTheirInput() {
    var random = SeededRandom(seed: 0x5EED)
    for _ in 0..<20_000 {
      var bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in
        UInt8.random(in: 0...255, using: &random)
      }
      if bytes.count >= 20 && Bool.random(using: &random) {
        // Give IPv4 a fair chance: a plausible first byte and a valid checksum.
        bytes[0] = 0x45 + UInt8.random(in: 0...3, using: &random)
        bytes[10] = 0
        bytes[11] = 0
        let headerLength = min(Int(bytes[0] & 0x0F) * 4, bytes.count)
        let checksum = InternetChecksum.checksum(bytes[..<headerLength])
        bytes[10] = UInt8(checksum >> 8)
        bytes[11] = UInt8(checksum & 0xFF)
      }
      let input = bytes[...]
      if let (_, payload) = try? EthernetHeader.parse(input) {
        XCTAssertEqual(payload.endIndex, input.endIndex)
      }
      if let (_, payload) = try? IPv4Header.parse(input) {
        let totalLength = Int(bytes[2]) << 8 | Int(bytes[3])
        XCTAssertEqual(payload.endIndex, totalLength)
        XCTAssertEqual(payload.startIndex, Int(bytes[0] & 0x0F) * 4)
      }
      if let message = try? ICMPv4Message.parse(input) {
        XCTAssertEqual(message.length, bytes.count)
      }
      if (try? ARPPacket.parse(input)) != nil {
        XCTAssertGreaterThanOrEqual(bytes.count, ARPPacket.length)
      }
    }
  }

  func testRandomFragmentsStayWithinTheLimits() {
    let limits = IPv4Reassembler.Limits(
      maximumDatagrams: 4, maximumBytes: 6000, maximumFragmentsPerDatagram: 16)
    var reassembler = IPv4Reassembler(limits: limits)
    var random = SeededRandom(seed: 0xF4A9)
    var now = Instant.zero
    var outcomes = (complete: 0, dropped: 0)
    for _ in 0..<50_000 {
      now = now.advanced(by: .milliseconds(Int64.random(in: 0...20, using: &random)))
      let header = IPv4Header(
        source: IPv4Address(192, 0, 2, 1), destination: IPv4Address(192, 0, 2, 2),
        payloadProtocol: .udp, identification: UInt16.random(in: 0...5, using: &random),
        moreFragments: Bool.random(using: &random),
        fragmentOffset: UInt16.random(in: 0...6, using: &random) * 32)
      let payload = [UInt8](
        repeating: UInt8(header.fragmentOffset & 0xFF),
        count: 8 * Int.random(in: 0...40, using: &random))
      switch reassembler.accept(header, payload: payload[...], now: now) {
      case .complete(let whole, let bytes):
        XCTAssertFalse(whole.isFragment)
        XCTAssertLessThanOrEqual(bytes.count, IPv4Header.maximumDatagramLength)
        outcomes.complete += 1
      case .dropped: outcomes.dropped += 1
      case .incomplete: break
      }
      XCTAssertLessThanOrEqual(reassembler.bytesHeld, limits.maximumBytes)
      XCTAssertLessThanOrEqual(reassembler.datagramsInProgress, limits.maximumDatagrams)
    }
    XCTAssertGreaterThan(outcomes.complete, 0, "the test exercises completion")
    XCTAssertGreaterThan(outcomes.dropped, 0, "and dropping")
  }
}
