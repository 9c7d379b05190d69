import Hashing
import XCTest

/// The example vectors of NIST's "Cryptographic Standards and Guidelines: Examples with
/// Intermediate Values" for SHA-256 (the FIPS 180-4 examples), and the long-message vector of
/// FIPS 180-2 appendix B.3.
final class SHA256Tests: XCTestCase {
  private func hex(_ bytes: some Collection<UInt8>) -> String {
    hexadecimal(SHA256.hash(bytes))
  }

  private func hexadecimal(_ digest: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
  }

  func testOneBlockMessageABC() {
    XCTAssertEqual(
      hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  func testTwoBlockMessageOf448Bits() {
    let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    XCTAssertEqual(message.utf8.count * 8, 448)
    XCTAssertEqual(
      hex(Array(message.utf8)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  func testOneMillionRepetitionsOfA() {
    XCTAssertEqual(
      hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  func testEmptyMessage() {
    XCTAssertEqual(
      hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }

  /// Lengths around the padding's edges: 55 bytes pad within one block, 56 spill into a second.
  func testMessagesAtThePaddingBoundaries() {
    XCTAssertEqual(
      hex([UInt8](repeating: UInt8(ascii: "a"), count: 55)),
      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
    XCTAssertEqual(
      hex([UInt8](repeating: UInt8(ascii: "a"), count: 56)),
      "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    XCTAssertEqual(
      hex([UInt8](repeating: UInt8(ascii: "a"), count: 64)),
      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
  }

  func testUpdatesInOddChunkSizesEqualOneShot() {
    let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    let oneShot = SHA256.hash(bytes)
    for chunkSize in [1, 3, 7, 63, 64, 65, 127, 1000, 4099] {
      var hasher = SHA256()
      var offset = 0
      while offset < bytes.count {
        let end = min(offset + chunkSize, bytes.count)
        hasher.update(bytes[offset..<end])
        offset = end
      }
      XCTAssertEqual(hasher.finalize(), oneShot, "chunks of \(chunkSize)")
    }
  }

  func testFinalizeLeavesTheHashUsable() {
    var hasher = SHA256()
    hasher.update(Array("ab".utf8))
    _ = hasher.finalize()
    hasher.update(Array("c".utf8))
    XCTAssertEqual(
      hexadecimal(hasher.finalize()),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  func testNonContiguousInputTakesTheSamePath() {
    let bytes = Array("abc".utf8)
    var hasher = SHA256()
    hasher.update(bytes.lazy.map { $0 })
    XCTAssertEqual(hasher.finalize(), SHA256.hash(bytes))
  }
}
