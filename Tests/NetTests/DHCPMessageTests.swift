import Net
import XCTest

final class DHCPMessageTests: XCTestCase {
  private let clientMAC = MACAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x0A)
  private let server = IPv4Address(192, 0, 2, 1)
  private let offered = IPv4Address(192, 0, 2, 10)

  // MARK: Golden bytes, written out field by field from RFC 2131's figure 1.

  func testDiscoverGoldenBytes() throws {
    var discover = DHCPMessage(
      operation: .request, transactionID: 0x1234_5678, clientHardwareAddress: clientMAC)
    discover.secondsElapsed = 3
    discover.isBroadcast = true
    discover.options.messageType = .discover
    discover.options.parameterRequestList = [1, 3, 6]
    discover.options.hostName = Array("hub".utf8)
    let header: [UInt8] = [
      0x01, 0x01, 0x06, 0x00,  // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
      0x12, 0x34, 0x56, 0x78,  // xid
      0x00, 0x03, 0x80, 0x00,  // secs 3, flags: broadcast
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // ciaddr, yiaddr, siaddr, giaddr
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // chaddr (16 bytes)
    ]
    let options: [UInt8] = [
      0x35, 0x01, 0x01,  // message type: DISCOVER
      0x0C, 0x03, 0x68, 0x75, 0x62,  // host name "hub"
      0x37, 0x03, 0x01, 0x03, 0x06,  // parameter request list: mask, router, DNS
      0xFF,  // end
    ]
    let expected = padded(header + zeros(64 + 128) + cookie + options)
    XCTAssertEqual(expected.count, 300)
    XCTAssertEqual(discover.bytes, expected)
    XCTAssertEqual(try DHCPMessage.parse(expected[...]), discover)
  }

  func testOfferGoldenBytes() throws {
    let offer = makeOffer()
    let expected = padded(offerBytes)
    XCTAssertEqual(offer.bytes, expected)
    XCTAssertEqual(try DHCPMessage.parse(expected[...]), offer)
  }

  func testRequestGoldenBytes() throws {
    var request = DHCPMessage(
      operation: .request, transactionID: 0x1234_5678, clientHardwareAddress: clientMAC)
    request.isBroadcast = true
    request.options.messageType = .request
    request.options.requestedAddress = offered
    request.options.serverIdentifier = server
    request.options.clientIdentifier = [0x01] + clientMAC.array
    let options: [UInt8] = [
      0x35, 0x01, 0x03,  // message type: REQUEST
      0x32, 0x04, 192, 0, 2, 10,  // requested address
      0x36, 0x04, 192, 0, 2, 1,  // server identifier
      0x3D, 0x07, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0A,  // client identifier: Ethernet, MAC
      0xFF,
    ]
    let header = fixedFields(
      op: 1, xid: 0x1234_5678, flags: 0x8000, addresses: [0, 0, 0, 0], mac: clientMAC)
    let expected = padded(header + cookie + options)
    XCTAssertEqual(request.bytes, expected)
    XCTAssertEqual(try DHCPMessage.parse(expected[...]), request)
  }

  func testAcknowledgementGoldenBytesWithUnknownOptionKept() throws {
    var ack = DHCPMessage(
      operation: .reply, transactionID: 0x1234_5678, clientHardwareAddress: clientMAC)
    ack.yourAddress = offered
    ack.options.messageType = .acknowledge
    ack.options.subnetPrefixLength = 24
    ack.options.routers = [server]
    ack.options.domainNameServers = [server, IPv4Address(198, 51, 100, 53)]
    ack.options.leaseTime = 3600
    ack.options.serverIdentifier = server
    ack.options.renewalTime = 1800
    ack.options.rebindingTime = 3150
    ack.options.unknown = [DHCPOption(code: 15, data: Array("lan".utf8))]
    let options: [UInt8] = [
      0x35, 0x01, 0x05,  // message type: ACK
      0x01, 0x04, 255, 255, 255, 0,  // subnet mask
      0x03, 0x04, 192, 0, 2, 1,  // router
      0x06, 0x08, 192, 0, 2, 1, 198, 51, 100, 53,  // DNS servers
      0x33, 0x04, 0x00, 0x00, 0x0E, 0x10,  // lease time 3600 s
      0x36, 0x04, 192, 0, 2, 1,  // server identifier
      0x3A, 0x04, 0x00, 0x00, 0x07, 0x08,  // T1 1800 s
      0x3B, 0x04, 0x00, 0x00, 0x0C, 0x4E,  // T2 3150 s
      0x0F, 0x03, 0x6C, 0x61, 0x6E,  // domain name "lan" (not interpreted, kept)
      0xFF,
    ]
    let header = fixedFields(
      op: 2, xid: 0x1234_5678, flags: 0, addresses: [0, offered.value, 0, 0], mac: clientMAC)
    let expected = padded(header + cookie + options)
    XCTAssertEqual(ack.bytes, expected)
    XCTAssertEqual(try DHCPMessage.parse(expected[...]), ack)
  }

  /// The DISCOVER and OFFER of Wireshark's sample capture `dhcp.pcap` (a Linksys router
  /// answering a client), rebuilt from their decoded field values; the zero padding after the
  /// end option is not part of the check.
  func testParsesTheWiresharkSampleExchange() throws {
    let mac = MACAddress(0x00, 0x0B, 0x82, 0x01, 0xFC, 0x42)
    let discoverOptions: [UInt8] = [
      0x35, 0x01, 0x01, 0x3D, 0x07, 0x01, 0x00, 0x0B, 0x82, 0x01, 0xFC, 0x42,
      0x32, 0x04, 0x00, 0x00, 0x00, 0x00, 0x37, 0x04, 0x01, 0x03, 0x06, 0x2A, 0xFF,
    ]
    let discoverBytes =
      fixedFields(op: 1, xid: 0x3D1D, flags: 0, addresses: [0, 0, 0, 0], mac: mac) + cookie
      + discoverOptions + zeros(7)
    let discover = try DHCPMessage.parse(discoverBytes[...])
    XCTAssertEqual(discover.operation, .request)
    XCTAssertEqual(discover.transactionID, 0x3D1D)
    XCTAssertFalse(discover.isBroadcast)
    XCTAssertEqual(discover.clientHardwareAddress, mac)
    XCTAssertEqual(discover.options.messageType, .discover)
    XCTAssertEqual(discover.options.clientIdentifier, [0x01, 0x00, 0x0B, 0x82, 0x01, 0xFC, 0x42])
    XCTAssertEqual(discover.options.requestedAddress, .any)
    XCTAssertEqual(discover.options.parameterRequestList, [1, 3, 6, 42])

    let offerOptions: [UInt8] = [
      0x35, 0x01, 0x02, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x3A, 0x04, 0x00, 0x00, 0x07, 0x08,
      0x3B, 0x04, 0x00, 0x00, 0x0C, 0x4E, 0x33, 0x04, 0x00, 0x00, 0x0E, 0x10,
      0x36, 0x04, 0xC0, 0xA8, 0x00, 0x01, 0xFF,
    ]
    let router = IPv4Address(192, 168, 0, 1)
    let offerBytes =
      fixedFields(
        op: 2, xid: 0x3D1D, flags: 0,
        addresses: [0, IPv4Address(192, 168, 0, 10).value, router.value, 0], mac: mac)
      + cookie + offerOptions
    let offer = try DHCPMessage.parse(offerBytes[...])
    XCTAssertEqual(offer.operation, .reply)
    XCTAssertEqual(offer.yourAddress, IPv4Address(192, 168, 0, 10))
    XCTAssertEqual(offer.nextServerAddress, router)
    XCTAssertEqual(offer.options.messageType, .offer)
    XCTAssertEqual(offer.options.subnetPrefixLength, 24)
    XCTAssertEqual(offer.options.renewalTime, 1800)
    XCTAssertEqual(offer.options.rebindingTime, 3150)
    XCTAssertEqual(offer.options.leaseTime, 3600)
    XCTAssertEqual(offer.options.serverIdentifier, router)
    // Re-emitting gives the same bytes up to the end option (our options come in our order).
    XCTAssertEqual(try DHCPMessage.parse(offer.bytes[...]), offer)
  }

  // MARK: Bad input

  func testEveryTruncationIsRejected() {
    let whole = offerBytes
    // Where the options begin and each option ends: a cut there leaves no end option.
    var boundaries: Set<Int> = [240]
    var index = 240
    for length in [3, 6, 6, 6, 6, 6, 6, 6] {
      index += length
      boundaries.insert(index)
    }
    XCTAssertEqual(whole[index], 0xFF, "the walk above ends at the end option")
    for cut in 0...index {
      XCTAssertThrowsError(try DHCPMessage.parse(whole[..<cut]), "cut at \(cut)") { error in
        guard let error = error as? WireError else { return XCTFail("\(error)") }
        if boundaries.contains(cut) {
          XCTAssertEqual(
            error,
            .malformed(protocol: "DHCP", reason: "options do not end with the end option (255)"))
        } else if case .truncated = error {
        } else {
          XCTFail("cut at \(cut): \(error)")
        }
      }
    }
    XCTAssertNoThrow(try DHCPMessage.parse(whole[..<(index + 1)]))
  }

  func testOptionLengthsAreChecked() {
    let cases: [(options: [UInt8], reason: String)] = [
      ([0x35, 0x02, 0x01, 0x01], "option 53 has a bad length (2)"),
      ([0x35, 0x00], "option 53 has a bad length (0)"),
      ([0x32, 0x05, 1, 2, 3, 4, 5], "option 50 has a bad length (5)"),
      ([0x33, 0x03, 0, 0, 1], "option 51 has a bad length (3)"),
      ([0x03, 0x06, 1, 2, 3, 4, 5, 6], "option 3 has a bad length (6)"),
      ([0x06, 0x00], "option 6 has a bad length (0)"),
      ([0x3D, 0x01, 0x01], "option 61 has a bad length (1)"),
      ([0x37, 0x00], "option 55 has a bad length (0)"),
      ([0x0C, 0x00], "option 12 has a bad length (0)"),
      ([0x01, 0x04, 255, 0, 255, 0], "subnet mask 255.0.255.0 is not contiguous"),
      ([0x35, 0x01, 0x01, 0x35, 0x01, 0x02], "option 53 appears twice"),
      ([0x34, 0x01, 0x04], "option 52 has a bad length (1)"),
    ]
    for (options, reason) in cases {
      let bytes =
        fixedFields(op: 1, xid: 1, flags: 0, addresses: [0, 0, 0, 0], mac: clientMAC)
        + cookie + options + [0xFF]
      XCTAssertThrowsError(try DHCPMessage.parse(bytes[...])) { error in
        XCTAssertEqual(error as? WireError, .malformed(protocol: "DHCP", reason: reason))
      }
    }
  }

  func testHeaderFieldsAreChecked() {
    var bytes = padded(offerBytes)
    bytes[0] = 3
    XCTAssertThrowsError(try DHCPMessage.parse(bytes[...])) { error in
      XCTAssertEqual(
        error as? WireError, .malformed(protocol: "DHCP", reason: "op 3 is neither 1 nor 2"))
    }
    bytes = padded(offerBytes)
    bytes[1] = 6  // IEEE 802 token ring
    XCTAssertThrowsError(try DHCPMessage.parse(bytes[...])) { error in
      XCTAssertEqual(
        error as? WireError,
        .unsupported(protocol: "DHCP", reason: "hardware type 6 is not Ethernet"))
    }
    bytes = padded(offerBytes)
    bytes[239] = 0
    XCTAssertThrowsError(try DHCPMessage.parse(bytes[...])) { error in
      XCTAssertEqual(
        error as? WireError, .unsupported(protocol: "DHCP", reason: "no magic cookie (plain BOOTP)")
      )
    }
    bytes = padded(offerBytes)
    bytes[242] = 9  // message type 9 (FORCERENEW, RFC 3203) is not handled
    XCTAssertThrowsError(try DHCPMessage.parse(bytes[...])) { error in
      XCTAssertEqual(error as? WireError, .unsupported(protocol: "DHCP", reason: "message type 9"))
    }
  }

  func testParsesFromASliceThatDoesNotStartAtZero() throws {
    let framed = [0xAA, 0xBB] + padded(offerBytes)
    XCTAssertEqual(try DHCPMessage.parse(framed.dropFirst(2)), makeOffer())
  }

  func testOverloadedOptionsAreReadFromFileThenServerName() throws {
    var bytes = fixedFields(op: 2, xid: 7, flags: 0, addresses: [0, 0, 0, 0], mac: clientMAC)
    bytes[108..<114] = [0x33, 0x04, 0x00, 0x00, 0x0E, 0x10]  // file: lease time
    bytes[114] = 0xFF
    bytes[44..<50] = [0x36, 0x04, 192, 0, 2, 1]  // sname: server identifier
    bytes[50] = 0xFF
    bytes += cookie + [0x35, 0x01, 0x02, 0x34, 0x01, 0x03, 0xFF]
    let message = try DHCPMessage.parse(bytes[...])
    XCTAssertEqual(message.options.messageType, .offer)
    XCTAssertEqual(message.options.leaseTime, 3600)
    XCTAssertEqual(message.options.serverIdentifier, server)
    bytes[114] = 0  // The options in `file` no longer end.
    XCTAssertThrowsError(try DHCPMessage.parse(bytes[...]))
  }

  func testUnknownOptionsAreKeptUpToTheLimitAndPadIsSkipped() throws {
    var options: [UInt8] = [0x35, 0x01, 0x01, 0x00, 0x00]
    for code in 100..<(100 + DHCPOptions.maximumUnknownOptions + 5) {
      options += [UInt8(code), 0x01, 0x2A]
    }
    let bytes =
      fixedFields(op: 1, xid: 1, flags: 0, addresses: [0, 0, 0, 0], mac: clientMAC)
      + cookie + options + [0xFF, 0x00, 0x13]  // bytes after the end option are ignored
    let message = try DHCPMessage.parse(bytes[...])
    XCTAssertEqual(message.options.unknown.count, DHCPOptions.maximumUnknownOptions)
    XCTAssertEqual(message.options.unknown.first, DHCPOption(code: 100, data: [0x2A]))
  }

  func testLongMessagesAreNotPadded() {
    var message = makeOffer()
    message.options.unknown = [DHCPOption(code: 200, data: Array(repeating: 7, count: 100))]
    XCTAssertEqual(message.bytes.count, 240 + 45 + 102 + 1)
  }

  // MARK: Helpers

  private let cookie: [UInt8] = [99, 130, 83, 99]

  private func makeOffer() -> DHCPMessage {
    var offer = DHCPMessage(
      operation: .reply, transactionID: 0x1234_5678, clientHardwareAddress: clientMAC)
    offer.isBroadcast = true
    offer.yourAddress = offered
    offer.nextServerAddress = server
    offer.options.messageType = .offer
    offer.options.subnetPrefixLength = 24
    offer.options.routers = [server]
    offer.options.domainNameServers = [server]
    offer.options.leaseTime = 3600
    offer.options.serverIdentifier = server
    offer.options.renewalTime = 1800
    offer.options.rebindingTime = 3150
    return offer
  }

  /// `makeOffer()` written out by hand, without padding.
  private var offerBytes: [UInt8] {
    fixedFields(
      op: 2, xid: 0x1234_5678, flags: 0x8000, addresses: [0, offered.value, server.value, 0],
      mac: clientMAC) + cookie + [
        0x35, 0x01, 0x02,  // message type: OFFER
        0x01, 0x04, 255, 255, 255, 0,  // subnet mask
        0x03, 0x04, 192, 0, 2, 1,  // router
        0x06, 0x04, 192, 0, 2, 1,  // DNS server
        0x33, 0x04, 0x00, 0x00, 0x0E, 0x10,  // lease time
        0x36, 0x04, 192, 0, 2, 1,  // server identifier
        0x3A, 0x04, 0x00, 0x00, 0x07, 0x08,  // T1
        0x3B, 0x04, 0x00, 0x00, 0x0C, 0x4E,  // T2
        0xFF,
      ]
  }

  /// The 236 bytes before the cookie: op, Ethernet, xid, secs 0, flags, ciaddr, yiaddr, siaddr,
  /// giaddr, chaddr, and zero sname and file.
  private func fixedFields(
    op: UInt8, xid: UInt32, flags: UInt16, addresses: [UInt32], mac: MACAddress
  ) -> [UInt8] {
    var bytes: [UInt8] = [op, 1, 6, 0]
    bytes += IPv4Address(xid).octets
    bytes += [0, 0, UInt8(flags >> 8), UInt8(flags & 0xFF)]
    for address in addresses { bytes += IPv4Address(address).octets }
    bytes += mac.array + zeros(10) + zeros(64 + 128)
    XCTAssertEqual(bytes.count, 236)
    return bytes
  }

  private func zeros(_ count: Int) -> [UInt8] { Array(repeating: 0, count: count) }

  private func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + zeros(max(0, 300 - bytes.count)) }
}
