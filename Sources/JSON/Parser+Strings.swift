extension Parser {
  /// Reads a string starting at its opening quote and returns it unescaped.
  ///
  /// Runs of plain bytes are validated as UTF-8 and copied in one go (a string without escapes
  /// is one run, copied straight into the `String`); escapes are decoded to UTF-8 one at a time. The result is well-formed UTF-8, so building the `String` repairs
  /// nothing.
  mutating func parseString() throws(JSONParseError) -> String {
    precondition(current == ASCII.quote, "a string starts with a quote")
    let start = position
    position += 1
    var decoded: [UInt8] = []
    var runStart = position
    while true {
      guard let byte = current else { throw error(.unexpectedEndOfInput) }
      switch byte {
      case ASCII.quote:
        let run = bytes[runStart..<position]
        position += 1
        let hadEscapes = runStart != start + 1
        guard hadEscapes else { return String(decoding: run, as: UTF8.self) }
        decoded.append(contentsOf: run)
        return String(decoding: decoded, as: UTF8.self)
      case ASCII.backslash:
        decoded.append(contentsOf: bytes[runStart..<position])
        try parseEscape(into: &decoded)
        runStart = position
      case 0x00..<0x20:
        throw error(.controlCharacterInString(byte))
      case 0x20..<0x80:
        position += 1
      default:
        guard let length = UTF8Validation.multiByteSequenceLength(in: bytes, at: position) else {
          throw error(.invalidUTF8)
        }
        position += length
      }
      guard decoded.count + (position - runStart) <= limits.maximumStringBytes else {
        throw JSONParseError(.stringTooLong(limits.maximumStringBytes), at: start)
      }
    }
  }

  /// Decodes the escape at the current backslash and appends its UTF-8.
  private mutating func parseEscape(into decoded: inout [UInt8]) throws(JSONParseError) {
    let escapeStart = position
    position += 1
    guard let byte = current else { throw error(.unexpectedEndOfInput) }
    let simple: UInt8?
    switch byte {
    case ASCII.quote, ASCII.backslash, ASCII.slash: simple = byte
    case 0x62: simple = 0x08  // \b backspace
    case 0x66: simple = 0x0C  // \f form feed
    case 0x6E: simple = 0x0A  // \n line feed
    case 0x72: simple = 0x0D  // \r carriage return
    case 0x74: simple = 0x09  // \t tab
    case ASCII.lowercaseU: simple = nil
    default: throw error(.invalidEscape(byte))
    }
    if let simple {
      decoded.append(simple)
      position += 1
      return
    }
    let scalar = try parseUnicodeEscape(startingAt: escapeStart)
    Self.appendUTF8(of: scalar, to: &decoded)
  }

  /// Reads the four hex digits of a `\u` escape (the position is at the `u`) and, for a high
  /// surrogate, the `\u` low surrogate that must follow. Returns the code point.
  private mutating func parseUnicodeEscape(
    startingAt escapeStart: Int
  ) throws(JSONParseError) -> UInt32 {
    position += 1
    let unit = try readFourHexDigits()
    switch unit {
    case 0xDC00...0xDFFF:
      throw JSONParseError(.loneSurrogate, at: escapeStart)
    case 0xD800...0xDBFF:
      let isEscapedUnit =
        position + 1 < bytes.count && bytes[position] == ASCII.backslash
        && bytes[position + 1] == ASCII.lowercaseU
      guard isEscapedUnit else { throw JSONParseError(.loneSurrogate, at: escapeStart) }
      position += 2
      let low = try readFourHexDigits()
      guard (0xDC00...0xDFFF).contains(low) else {
        throw JSONParseError(.loneSurrogate, at: escapeStart)
      }
      return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
    default:
      return unit
    }
  }

  private mutating func readFourHexDigits() throws(JSONParseError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = current else { throw error(.unexpectedEndOfInput) }
      guard let digit = Hexadecimal.value(of: byte) else { throw error(.invalidUnicodeEscape) }
      value = value << 4 | UInt32(digit)
      position += 1
    }
    return value
  }

  /// Appends the UTF-8 encoding (RFC 3629 section 3) of a code point that is not a surrogate.
  static func appendUTF8(of scalar: UInt32, to bytes: inout [UInt8]) {
    precondition(scalar <= 0x10FFFF && !(0xD800...0xDFFF).contains(scalar), "not a scalar")
    switch scalar {
    case 0..<0x80:
      bytes.append(UInt8(scalar))
    case 0x80..<0x800:
      bytes.append(0xC0 | UInt8(scalar >> 6))
      bytes.append(0x80 | UInt8(scalar & 0x3F))
    case 0x800..<0x10000:
      bytes.append(0xE0 | UInt8(scalar >> 12))
      bytes.append(0x80 | UInt8(scalar >> 6 & 0x3F))
      bytes.append(0x80 | UInt8(scalar & 0x3F))
    default:
      bytes.append(0xF0 | UInt8(scalar >> 18))
      bytes.append(0x80 | UInt8(scalar >> 12 & 0x3F))
      bytes.append(0x80 | UInt8(scalar >> 6 & 0x3F))
      bytes.append(0x80 | UInt8(scalar & 0x3F))
    }
  }
}
