import Net
import XCTest

final class DNSMessageTests: XCTestCase {
  private let hubLocal = DNSName("hub.local")!

  /// Bytes from a hex string such as "0001 c00c" (spaces ignored).
  private func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") })
    return stride(from: 0, to: digits.count, by: 2).map {
      UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
  }

  private func assertMalformed(
    _ message: [UInt8], file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try DNSMessage.parse(message[...]), file: file, line: line) { error in
      guard case .malformed = error as? WireError else {
        return XCTFail("expected malformed, got \(error)", file: file, line: line)
      }
    }
  }

  // The golden packets below were built independently twice: by Python's `struct` by hand, and
  // by python-zeroconf 0.154.0 (DNSOutgoing); both gave these bytes.
  private var hubQueryBytes: [UInt8] {
    bytes("0000 0000 0001 0000 0000 0000 03687562 056c6f63616c 00 0001 0001")
  }
  private var hubResponseBytes: [UInt8] {
    bytes(
      "0000 8400 0001 0001 0000 0000 03687562 056c6f63616c 00 0001 0001"
        + "c00c 0001 8001 00000078 0004 c000020a")
  }

  func testQueryForHubLocalMatchesIndependentBytes() throws {
    let query = DNSMessage(id: 0, questions: [DNSQuestion(name: hubLocal, type: .a)])
    XCTAssertEqual(query.bytes, hubQueryBytes)
    XCTAssertEqual(try DNSMessage.parse(hubQueryBytes[...]), query)
  }

  func testResponseCompressesTheRepeatedName() throws {
    let response = DNSMessage(
      id: 0, isResponse: true, isAuthoritative: true,
      questions: [DNSQuestion(name: hubLocal, type: .a)],
      answers: [
        DNSResourceRecord(
          name: hubLocal, cacheFlush: true, timeToLive: 120, data: .a(IPv4Address(192, 0, 2, 10)))
      ])
    XCTAssertEqual(response.bytes, hubResponseBytes)
    let parsed = try DNSMessage.parse(hubResponseBytes[...])
    XCTAssertEqual(parsed, response)
    XCTAssertEqual(parsed.answers.first?.cacheFlush, true)
    XCTAssertEqual(parsed.answers.first?.recordClass, .internet)
  }

  func testHeaderFlagsAndResponseCode() throws {
    // id 0xBEEF; QR, opcode 0, AA, TC, RD, RA; RCODE 3 (NXDOMAIN); no sections.
    let header = bytes("beef 8783 0000 0000 0000 0000")
    let message = try DNSMessage.parse(header[...])
    XCTAssertEqual(message.id, 0xBEEF)
    XCTAssertTrue(message.isResponse && message.isAuthoritative && message.isTruncated)
    XCTAssertTrue(message.recursionDesired && message.recursionAvailable)
    XCTAssertEqual(message.responseCode, .nameError)
    XCTAssertEqual(message.bytes, header)
    let query = DNSMessage(id: 0x0102, opcode: 2, recursionDesired: true)
    XCTAssertEqual(query.bytes, bytes("0102 1100 0000 0000 0000 0000"))
  }

  func testEveryTruncationIsRejected() {
    let whole = hubResponseBytes
    for length in 0..<whole.count {
      XCTAssertThrowsError(try DNSMessage.parse(whole[..<length])) { error in
        guard case .truncated = error as? WireError else {
          return XCTFail("\(length) bytes: expected truncated, got \(error)")
        }
      }
    }
  }

  func testParsesASliceThatDoesNotStartAtZero() throws {
    let framed = [0xAA, 0xBB] + hubResponseBytes
    XCTAssertEqual(try DNSMessage.parse(framed[2...]), try DNSMessage.parse(hubResponseBytes[...]))
  }

  func testBadPointersAreRejected() {
    let header = bytes("0000 0000 0001 0000 0000 0000")
    assertMalformed(header + bytes("c00c 0001 0001"))  // Points at itself.
    assertMalformed(header + bytes("c00e 0001 0001"))  // Points forwards.
    assertMalformed(header + bytes("c002 0001 0001"))  // Points into the header.
    // A label, then a pointer forward to a pointer back to the label: a loop, refused at the
    // forward step.
    assertMalformed(header + bytes("0161 c010 c00c 0001 0001"))
    assertMalformed(header + bytes("8003 616263 00 0001 0001"))  // Reserved label type 10.
  }

  func testPointerChainsAreBounded() throws {
    // An answer of an unknown type whose data is a chain of pointers, each to the one before,
    // the first to the question's name; a second answer's name points at the chain's end.
    func message(chainLength: Int) -> [UInt8] {
      let questionName = bytes("0161 00")
      var answers = bytes("c00c 00ff 0001 00000000")
      let dataStart = 12 + questionName.count + 4 + answers.count + 2
      answers += [UInt8((chainLength * 2) >> 8), UInt8((chainLength * 2) & 0xFF)]
      for index in 0..<chainLength {
        let target = index == 0 ? 12 : dataStart + 2 * (index - 1)
        answers += [0xC0 | UInt8(target >> 8), UInt8(target & 0xFF)]
      }
      let last = dataStart + 2 * (chainLength - 1)
      answers += [0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)] + bytes("00ff 0001 00000000 0000")
      return bytes("0000 8000 0001 0002 0000 0000") + questionName + bytes("0001 0001") + answers
    }
    let accepted = try DNSMessage.parse(message(chainLength: 100)[...])
    XCTAssertEqual(accepted.answers.last?.name, DNSName("a"))
    assertMalformed(message(chainLength: 130))
  }

  func testLabelAndNameLimits() throws {
    let header = bytes("0000 0000 0001 0000 0000 0000")
    let label63 = [63] + [UInt8](repeating: 0x61, count: 63)
    let atLimit = label63 + label63 + label63 + [61] + [UInt8](repeating: 0x62, count: 61) + [0]
    XCTAssertEqual(atLimit.count, 255)
    let parsed = try DNSMessage.parse((header + atLimit + bytes("0001 0001"))[...])
    XCTAssertEqual(parsed.questions.first?.name.wireLength, 255)
    let overLimit = label63 + label63 + label63 + [62] + [UInt8](repeating: 0x62, count: 62) + [0]
    assertMalformed(header + overLimit + bytes("0001 0001"))
    // A length byte of 64 has the reserved type 01 in its top bits.
    assertMalformed(header + [64] + [UInt8](repeating: 0x61, count: 64) + bytes("00 0001 0001"))
  }

  func testLeftoverBytesAndWrongDataLengthsAreRejected() {
    assertMalformed(hubQueryBytes + [0])
    let header = bytes("0000 8000 0000 0001 0000 0000")
    assertMalformed(header + bytes("0161 00 0001 0001 00000078 0005 c000020a01"))  // A of 5.
    assertMalformed(header + bytes("0161 00 001c 0001 00000078 0004 c000020a"))  // AAAA of 4.
    // A PTR whose name runs past its RDLENGTH into the bytes after it.
    assertMalformed(header + bytes("0161 00 000c 0001 00000078 0002 0162 00"))
    // A TXT string longer than the data left.
    assertMalformed(header + bytes("0161 00 0010 0001 00000078 0002 0561"))
  }

  func testRecordTypesRoundTrip() throws {
    let service = DNSName("hub._http._tcp.local")!
    let records = [
      DNSResourceRecord(name: service, timeToLive: 4500, data: .txt([Array("path=/".utf8), []])),
      DNSResourceRecord(
        name: service, cacheFlush: true, timeToLive: 120,
        data: .srv(priority: 0, weight: 0, port: 8080, target: hubLocal)),
      DNSResourceRecord(name: DNSName("_http._tcp.local")!, timeToLive: 4500, data: .ptr(service)),
      DNSResourceRecord(
        name: hubLocal, timeToLive: 120,
        data: .aaaa([0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 12))),
      DNSResourceRecord(
        name: hubLocal, timeToLive: 1, data: .other(DNSRecordType(rawValue: 47), [1, 2, 3])),
      DNSResourceRecord(
        name: DNSName("example")!, timeToLive: 300,
        data: .soa(
          primary: DNSName("ns.example")!, mailbox: DNSName("admin.example")!, serial: 1,
          refresh: 2, retry: 3, expire: 4, minimum: 5)),
    ]
    let message = DNSMessage(id: 7, isResponse: true, answers: records)
    XCTAssertEqual(try DNSMessage.parse(message.bytes[...]), message)
    XCTAssertEqual(
      records.map { $0.type }, [.txt, .srv, .ptr, .aaaa, DNSRecordType(rawValue: 47), .soa])
  }

  func testTheUnicastResponseBitOfAQuestion() throws {
    let question = DNSQuestion(name: hubLocal, type: .any, unicastResponse: true)
    let wire = DNSMessage(id: 0, questions: [question]).bytes
    XCTAssertEqual(Array(wire.suffix(4)), [0x00, 0xFF, 0x80, 0x01])
    XCTAssertEqual(try DNSMessage.parse(wire[...]).questions, [question])
  }
}
