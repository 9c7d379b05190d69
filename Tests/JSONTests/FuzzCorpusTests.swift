import Foundation
import JSON
import XCTest

/// Replays the committed fuzz corpus (fuzz/corpus/json) through the fuzz target's property, so
/// seeds and any findings saved there keep being checked by `swift test`.
final class FuzzCorpusTests: XCTestCase {
  private static let corpus = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fuzz/corpus/json")

  /// The property fuzz/json/main.swift checks: rejected, or a stable round trip.
  private func checkRoundTrip(_ bytes: [UInt8], _ name: String) {
    guard let value = try? JSONParser.parse(bytes) else { return }
    let serialized = value.serialized()
    XCTAssertEqual(try JSONParser.parse(serialized), value, name)
    XCTAssertEqual(try JSONParser.parse(serialized).serialized(), serialized, name)
  }

  func testCorpusKeepsTheRoundTripProperty() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
    XCTAssertGreaterThanOrEqual(names.count, 6, "corpus missing")
    var accepted = 0
    for name in names {
      let bytes = try Array(Data(contentsOf: Self.corpus.appendingPathComponent(name)))
      if (try? JSONParser.parse(bytes)) != nil { accepted += 1 }
      checkRoundTrip(bytes, name)
    }
    XCTAssertGreaterThanOrEqual(accepted, 4, "the seeds should mostly be valid documents")
  }
}
