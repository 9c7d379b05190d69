import Net
import XCTest

final class AddressTests: XCTestCase {
  func testIPv4TextRoundTripsAndRejectsNonsense() {
    XCTAssertEqual(IPv4Address("192.0.2.1"), IPv4Address(192, 0, 2, 1))
    XCTAssertEqual(IPv4Address(192, 0, 2, 1).value, 0xC000_0201)
    XCTAssertEqual(IPv4Address(198, 51, 100, 255).description, "198.51.100.255")
    XCTAssertEqual(IPv4Address(192, 0, 2, 1).octets, [192, 0, 2, 1])
    for text in [
      "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", " 1.2.3.4",
    ] {
      XCTAssertNil(IPv4Address(text), text)
    }
    XCTAssertTrue(IPv4Address(224, 0, 0, 251).isMulticast)
    XCTAssertFalse(IPv4Address(192, 0, 2, 1).isMulticast)
  }

  func testMACAddressFormsAndBits() {
    let address = MACAddress(0x02, 0x00, 0x5E, 0x10, 0xAB, 0xFF)
    XCTAssertEqual(address.description, "02:00:5e:10:ab:ff")
    XCTAssertEqual(
      MACAddress(ArraySlice([9, 0x02, 0x00, 0x5E, 0x10, 0xAB, 0xFF]).dropFirst()), address)
    XCTAssertTrue(address.isLocallyAdministered)
    XCTAssertFalse(address.isMulticast)
    XCTAssertTrue(MACAddress.broadcast.isMulticast)
    XCTAssertEqual(Set([address, address, MACAddress.broadcast]).count, 2)
  }
}
