import Net
import XCTest

final class DNSNameTests: XCTestCase {
  func testReadsDottedText() {
    XCTAssertEqual(DNSName("hub.local")?.labels, [Array("hub".utf8), Array("local".utf8)])
    XCTAssertEqual(DNSName("hub.local."), DNSName("hub.local"))
    XCTAssertEqual(DNSName("."), DNSName.root)
    XCTAssertEqual(DNSName.root.wireLength, 1)
    XCTAssertNil(DNSName("a..b"))
    XCTAssertNil(DNSName(""))
    XCTAssertNil(DNSName(".a"))
  }

  func testComparesWithoutASCIICase() {
    XCTAssertEqual(DNSName("Hub.LOCAL"), DNSName("hub.local"))
    XCTAssertEqual(Set([DNSName("Hub.LOCAL")!, DNSName("hub.local")!]).count, 1)
    XCTAssertNotEqual(DNSName("hub.local"), DNSName("hub2.local"))
    XCTAssertNotEqual(DNSName("hub.local"), DNSName("hub.local.example"))
    // Only ASCII folds: 0xC3 and 0xE3 are different bytes.
    XCTAssertNotEqual(DNSName(labels: [[0xC3]]), DNSName(labels: [[0xE3]]))
  }

  func testLimits() {
    let label63 = String(repeating: "a", count: 63)
    XCTAssertNotNil(DNSName(label63 + ".local"))
    XCTAssertNil(DNSName(label63 + "a.local"))
    let name255 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(
      separator: ".")
    XCTAssertEqual(DNSName(name255)?.wireLength, 255)
    XCTAssertNil(DNSName(name255 + "b"))
    XCTAssertNil(DNSName("local")!.prepending(Array(repeating: 0x61, count: 64)))
    XCTAssertEqual(DNSName("local")!.prepending(Array("hub".utf8)), DNSName("hub.local"))
  }

  func testDescriptionEscapesUnprintableBytes() {
    XCTAssertEqual(DNSName("Hub.local")!.description, "Hub.local")
    XCTAssertEqual(DNSName.root.description, ".")
    XCTAssertEqual(
      DNSName(labels: [[0x61, 0x2E, 0x00], Array("b".utf8)])!.description, "a\\046\\000.b")
  }
}
