import JSON
import XCTest

final class JSONParserTests: XCTestCase {
  private func parse(_ text: String, limits: JSONParser.Limits = .init()) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8), limits: limits)
  }

  /// Asserts `bytes` is rejected with exactly `kind` at `offset`.
  private func assertRejects(
    _ bytes: [UInt8], _ kind: JSONParseError.Kind, at offset: Int,
    limits: JSONParser.Limits = .init(), file: StaticString = #filePath, line: UInt = #line
  ) {
    let text = String(decoding: bytes, as: UTF8.self)
    do {
      let value = try JSONParser.parse(bytes, limits: limits)
      XCTFail("accepted \(text) as \(value)", file: file, line: line)
    } catch {
      XCTAssertEqual(error, JSONParseError(kind, at: offset), "\(text)", file: file, line: line)
    }
  }

  private func assertRejects(
    _ text: String, _ kind: JSONParseError.Kind, at offset: Int,
    limits: JSONParser.Limits = .init(), file: StaticString = #filePath, line: UInt = #line
  ) {
    assertRejects(Array(text.utf8), kind, at: offset, limits: limits, file: file, line: line)
  }

  func testParsesEveryKindOfValue() throws {
    let value = try parse(
      #" { "a" : [1, -2.5, "x", true, false, null, {}, []], "b": {"c": 1e2} } "#)
    let expected: JSONValue = [
      "a": [1, -2.5, "x", true, false, nil, [:], []],
      "b": ["c": .number(.double(100))],
    ]
    XCTAssertEqual(value, expected)
    XCTAssertEqual(value.objectValue?.keys, ["a", "b"])
  }

  func testAcceptsAllFourWhitespaceBytesOnly() throws {
    XCTAssertEqual(try parse(" \t\n\r[ \t\n\r1 \t\n\r] \t\n\r"), [1])
    assertRejects("\u{0B}1", .unexpectedByte(0x0B), at: 0)  // vertical tab is not JSON space
    assertRejects("[1,\u{A0}2]", .unexpectedByte(0xC2), at: 3)  // nor is no-break space
  }

  func testNumbersKeepIntegersExact() throws {
    XCTAssertEqual(try parse("0"), .number(.integer(0)))
    XCTAssertEqual(try parse("-0"), .number(.integer(0)))
    XCTAssertEqual(try parse("9223372036854775807"), .number(.integer(.max)))
    XCTAssertEqual(try parse("-9223372036854775808"), .number(.integer(.min)))
    XCTAssertEqual(try parse("9223372036854775808"), .number(.double(0x1p63)))
    XCTAssertEqual(try parse("-9223372036854775809"), .number(.double(-0x1p63)))
    XCTAssertEqual(try parse("1.0"), .number(.double(1)))
    XCTAssertEqual(try parse("1E2"), .number(.double(100)))
    XCTAssertEqual(try parse("1e-2"), .number(.double(0.01)))
    XCTAssertEqual(try parse("12.5E+1"), .number(.double(125)))
    let negativeZero = try XCTUnwrap(try parse("-0.0").doubleValue)
    XCTAssertEqual(negativeZero.sign, .minus)
    XCTAssertEqual(negativeZero, 0)
  }

  func testStringsDecodeEscapesAndUnicode() throws {
    XCTAssertEqual(try parse(#""\"\\\/\b\f\n\r\t""#), .string("\"\\/\u{8}\u{C}\n\r\t"))
    XCTAssertEqual(try parse(#""\u00e9\u00C9\u0000""#), .string("éÉ\u{0}"))
    XCTAssertEqual(try parse(#""\ud83d\ude00 😀""#), .string("😀 😀"))
    XCTAssertEqual(try parse(#""\uFFFF\uDBFF\uDFFF""#), .string("\u{FFFF}\u{10FFFF}"))
    XCTAssertEqual(
      try parse("\"\u{7F}\u{80}\u{7FF}\u{800}\u{FFFD}\u{10000}\""),
      .string("\u{7F}\u{80}\u{7FF}\u{800}\u{FFFD}\u{10000}"))
    XCTAssertEqual(try parse(#""""#), .string(""))
  }

  func testKeysAndStringsCompareByCodePointsNotCanonicalEquivalence() throws {
    // "é" precomposed and "e" + combining acute are equal Swift Strings but distinct JSON keys.
    let value = try parse(#"{"\u00e9": 1, "e\u0301": 2}"#)
    let object = try XCTUnwrap(value.objectValue)
    XCTAssertEqual(object.count, 2)
    XCTAssertEqual(object["\u{E9}"], 1)
    XCTAssertEqual(object["e\u{301}"], 2)
    XCTAssertNotEqual(JSONValue.string("\u{E9}"), JSONValue.string("e\u{301}"))
  }

  func testAcceptsByteSlices() throws {
    let bytes = Array("xx[1]yy".utf8)
    XCTAssertEqual(try JSONParser.parse(bytes[2..<5]), [1])
  }

  func testRejectsStructuralErrorsWithOffsets() {
    assertRejects("", .unexpectedEndOfInput, at: 0)
    assertRejects("   ", .unexpectedEndOfInput, at: 3)
    assertRejects("[1,2,]", .trailingCommaInArray, at: 5)
    assertRejects(#"{"a":1,}"#, .trailingCommaInObject, at: 7)
    assertRejects("[1 2]", .expectedCommaOrArrayEnd, at: 3)
    assertRejects(#"{"a":1 "b":2}"#, .expectedCommaOrObjectEnd, at: 7)
    assertRejects(#"{"a" 1}"#, .expectedColon, at: 5)
    assertRejects("{1:2}", .expectedKey, at: 1)
    assertRejects("{,}", .expectedKey, at: 1)
    assertRejects("[,1]", .unexpectedByte(0x2C), at: 1)
    assertRejects("[1", .unexpectedEndOfInput, at: 2)
    assertRejects(#"{"a":"#, .unexpectedEndOfInput, at: 5)
    assertRejects(#"{"a""#, .unexpectedEndOfInput, at: 4)
    assertRejects("{} x", .trailingData, at: 3)
    assertRejects("1 2", .trailingData, at: 2)
    assertRejects("[1]]", .trailingData, at: 3)
    assertRejects([0xEF, 0xBB, 0xBF] + Array("{}".utf8), .byteOrderMark, at: 0)
  }

  func testRejectsBadLiteralsAndNumbersWithOffsets() {
    assertRejects("tru", .unexpectedEndOfInput, at: 3)
    assertRejects("trux", .invalidLiteral, at: 0)
    assertRejects("[nul]", .invalidLiteral, at: 1)
    assertRejects("True", .unexpectedByte(0x54), at: 0)
    assertRejects("01", .leadingZero, at: 0)
    assertRejects("-01", .leadingZero, at: 1)
    assertRejects("[00]", .leadingZero, at: 1)
    assertRejects("-", .expectedDigit, at: 1)
    assertRejects("-a", .expectedDigit, at: 1)
    assertRejects("1.", .expectedDigit, at: 2)
    assertRejects("1.e5", .expectedDigit, at: 2)
    assertRejects("1e", .expectedDigit, at: 2)
    assertRejects("1e+", .expectedDigit, at: 3)
    assertRejects(".5", .unexpectedByte(0x2E), at: 0)
    assertRejects("+1", .unexpectedByte(0x2B), at: 0)
    assertRejects("0x10", .trailingData, at: 1)
    assertRejects("NaN", .nonFiniteNumber, at: 0)
    assertRejects("[Infinity]", .nonFiniteNumber, at: 1)
    assertRejects("-Infinity", .nonFiniteNumber, at: 0)
    assertRejects("1e400", .numberOutOfRange, at: 0)
    assertRejects("[0, -1e309]", .numberOutOfRange, at: 4)
  }

  func testRejectsBadStringsWithOffsets() {
    assertRejects(#""abc"#, .unexpectedEndOfInput, at: 4)
    assertRejects("\"a\u{1}b\"", .controlCharacterInString(0x01), at: 2)
    assertRejects("\"\t\"", .controlCharacterInString(0x09), at: 1)
    assertRejects("\"\n\"", .controlCharacterInString(0x0A), at: 1)
    assertRejects(#""\x""#, .invalidEscape(0x78), at: 2)
    assertRejects(#""\'""#, .invalidEscape(0x27), at: 2)
    assertRejects(#""\U00e9""#, .invalidEscape(0x55), at: 2)
    assertRejects(#""\u12G4""#, .invalidUnicodeEscape, at: 5)
    assertRejects(#""\u12"#, .unexpectedEndOfInput, at: 5)
    assertRejects(#""\ud800""#, .loneSurrogate, at: 1)
    assertRejects(#""\udc00""#, .loneSurrogate, at: 1)
    assertRejects(#""\ud800\u0041""#, .loneSurrogate, at: 1)
    assertRejects(#""a\ud800x""#, .loneSurrogate, at: 2)
    assertRejects(#""\udbff\udbff""#, .loneSurrogate, at: 1)
  }

  func testRejectsIllFormedUTF8() {
    let cases: [[UInt8]] = [
      [0xC0, 0xAF],  // overlong "/"
      [0xC1, 0xBF],  // overlong
      [0xE0, 0x80, 0xAF],  // overlong
      [0xF0, 0x80, 0x80, 0xAF],  // overlong
      [0xED, 0xA0, 0x80],  // UTF-16 surrogate D800 encoded in UTF-8
      [0xED, 0xBF, 0xBF],  // surrogate DFFF
      [0xF4, 0x90, 0x80, 0x80],  // U+110000
      [0xF5, 0x80, 0x80, 0x80],  // lead byte past U+10FFFF
      [0xFF],
      [0x80],  // continuation byte without a lead
      [0xE2, 0x82],  // truncated euro sign, then the closing quote
      [0xF0, 0x9F, 0x98],  // truncated emoji
      [0xC3, 0x41],  // lead byte followed by ASCII
    ]
    for sequence in cases {
      assertRejects([0x22, 0x61] + sequence + [0x22], .invalidUTF8, at: 2)
    }
    assertRejects([0x22, 0xE2, 0x82], .invalidUTF8, at: 1)  // truncated by the end of input
    assertRejects([0xC3, 0xA9], .unexpectedByte(0xC3), at: 0)  // UTF-8 outside a string
  }

  func testRejectsDuplicateKeysAtTheRepeat() {
    assertRejects(#"{"a":1,"b":2,"a":3}"#, .duplicateKey("a"), at: 13)
    assertRejects(#"[{"x":{"k":1,"k":1}}]"#, .duplicateKey("k"), at: 13)
    // The earliest repeat in document order is reported, whatever the key order.
    assertRejects(#"{"b":0,"a":0,"a":0,"b":0}"#, .duplicateKey("a"), at: 13)
    // An escaped spelling of the same key is the same key.
    assertRejects(#"{"a":1,"\u0061":2}"#, .duplicateKey("a"), at: 7)
  }

  func testLimitsDepth() throws {
    let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    XCTAssertNoThrow(try parse(deepest))
    let tooDeep = "[" + deepest + "]"
    assertRejects(tooDeep, .depthLimitExceeded(64), at: 64)
    let objects = String(repeating: #"{"a":"#, count: 3) + "1" + String(repeating: "}", count: 3)
    XCTAssertNoThrow(try parse(objects, limits: .init(maximumDepth: 3)))
    assertRejects(objects, .depthLimitExceeded(2), at: 10, limits: .init(maximumDepth: 2))
    // A hostile depth fails fast with an error, not a stack overflow.
    let hostile = String(repeating: "[", count: 500_000)
    assertRejects(hostile, .depthLimitExceeded(64), at: 64)
  }

  func testLimitsDocumentAndStringSize() throws {
    assertRejects("12345", .documentTooLarge(4), at: 4, limits: .init(maximumDocumentBytes: 4))
    XCTAssertNoThrow(try parse("1234", limits: .init(maximumDocumentBytes: 4)))
    let small = JSONParser.Limits(maximumStringBytes: 3)
    XCTAssertEqual(try parse(#"["abc"]"#, limits: small), ["abc"])
    assertRejects(#"["abcd"]"#, .stringTooLong(3), at: 1, limits: small)
    assertRejects(#"{"keys":1}"#, .stringTooLong(3), at: 1, limits: small)
    // The limit counts decoded bytes: two escapes of é are four bytes of UTF-8.
    assertRejects(#""\u00e9\u00e9""#, .stringTooLong(3), at: 0, limits: small)
    let bytes = Array(repeating: UInt8(0x20), count: (1 << 20) + 1)
    assertRejects(bytes, .documentTooLarge(1 << 20), at: 1 << 20)
  }

  func testErrorDescriptionNamesOffsetAndReason() {
    XCTAssertEqual(
      JSONParseError(.trailingCommaInObject, at: 17).description,
      "invalid JSON at byte 17: trailing comma in object")
    XCTAssertEqual(
      JSONParseError(.unexpectedByte(0x2B), at: 0).description,
      "invalid JSON at byte 0: unexpected character '+'")
    XCTAssertEqual(
      JSONParseError(.controlCharacterInString(0x0A), at: 3).description,
      "invalid JSON at byte 3: unescaped control character 0x0A in string")
    XCTAssertEqual(
      JSONParseError(.duplicateKey("id"), at: 9).description,
      #"invalid JSON at byte 9: duplicate key "id" in object"#)
  }
}
