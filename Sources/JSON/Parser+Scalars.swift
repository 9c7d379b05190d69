extension Parser {
  /// Reads a string, number, `true`, `false` or `null` starting at the current byte.
  mutating func parseScalar() throws(JSONParseError) -> JSONValue {
    guard let byte = current else { throw error(.unexpectedEndOfInput) }
    switch byte {
    case ASCII.quote: return .string(try parseString())
    case 0x74: return try parseLiteral("true", .bool(true))  // t
    case 0x66: return try parseLiteral("false", .bool(false))  // f
    case 0x6E: return try parseLiteral("null", .null)  // n
    case ASCII.minus, ASCII.zero...ASCII.nine: return .number(try parseNumber())
    default:
      if startsWith("NaN") || startsWith("Infinity") { throw error(.nonFiniteNumber) }
      throw error(.unexpectedByte(byte))
    }
  }

  /// Whether the bytes at the current position begin with `word`.
  private func startsWith(_ word: StaticString) -> Bool {
    let length = word.utf8CodeUnitCount
    guard position + length <= bytes.count else { return false }
    for index in 0..<length where bytes[position + index] != word.utf8Start[index] {
      return false
    }
    return true
  }

  private mutating func parseLiteral(
    _ word: StaticString, _ value: JSONValue
  ) throws(JSONParseError) -> JSONValue {
    guard startsWith(word) else {
      let remaining = bytes.count - position
      if remaining < word.utf8CodeUnitCount && startsWithPrefix(of: word, remaining) {
        throw JSONParseError(.unexpectedEndOfInput, at: bytes.count)
      }
      throw error(.invalidLiteral)
    }
    position += word.utf8CodeUnitCount
    return value
  }

  /// Whether the last `count` bytes of the document are the first `count` bytes of `word`.
  private func startsWithPrefix(of word: StaticString, _ count: Int) -> Bool {
    for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
      return false
    }
    return true
  }

  /// Reads `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  ///
  /// Digits feed two accumulators at once: an exact integer, used when the number has no
  /// fraction or exponent and fits an `Int64`, and a `DecimalNumber` for everything else.
  mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
    let start = position
    var decimal = DecimalNumber()
    if current == ASCII.minus {
      decimal.isNegative = true
      position += 1
      if startsWith("Infinity") { throw JSONParseError(.nonFiniteNumber, at: start) }
    }
    guard ASCII.isDigit(current) else { throw error(.expectedDigit) }
    var magnitude: UInt64? = 0  // nil once it no longer fits
    if current == ASCII.zero {
      position += 1
      if ASCII.isDigit(current) { throw JSONParseError(.leadingZero, at: position - 1) }
    } else {
      while let byte = current, ASCII.isDigit(byte) {
        let digit = byte - ASCII.zero
        decimal.appendDigit(digit, isFraction: false)
        magnitude = Self.appending(digit, to: magnitude)
        position += 1
      }
    }
    var isInteger = true
    if current == ASCII.period {
      isInteger = false
      position += 1
      try readDigits { digit in decimal.appendDigit(digit, isFraction: true) }
    }
    if current == ASCII.lowercaseE || current == ASCII.uppercaseE {
      isInteger = false
      decimal.addExponent(try parseExponent())
    }
    if isInteger, let integer = Self.int64(magnitude: magnitude, isNegative: decimal.isNegative) {
      return .integer(integer)
    }
    guard let double = decimal.binary64() else {
      throw JSONParseError(.numberOutOfRange, at: start)
    }
    return .double(double)
  }

  /// Reads one or more digits, handing each digit's value to `body`.
  private mutating func readDigits(_ body: (UInt8) -> Void) throws(JSONParseError) {
    guard ASCII.isDigit(current) else { throw error(.expectedDigit) }
    while let byte = current, ASCII.isDigit(byte) {
      body(byte - ASCII.zero)
      position += 1
    }
  }

  /// Reads `[eE] [+-]? [0-9]+`. The value saturates at a billion: anything that large already
  /// means overflow or zero, and saturating keeps the arithmetic far from `Int` overflow.
  private mutating func parseExponent() throws(JSONParseError) -> Int {
    position += 1
    var isNegative = false
    if current == ASCII.plus || current == ASCII.minus {
      isNegative = current == ASCII.minus
      position += 1
    }
    var exponent = 0
    try readDigits { digit in exponent = min(exponent * 10 + Int(digit), 1_000_000_000) }
    return isNegative ? -exponent : exponent
  }

  /// `magnitude × 10 + digit`, or nil if it overflows (or already had).
  private static func appending(_ digit: UInt8, to magnitude: UInt64?) -> UInt64? {
    guard let magnitude else { return nil }
    let (product, productOverflow) = magnitude.multipliedReportingOverflow(by: 10)
    let (sum, sumOverflow) = product.addingReportingOverflow(UInt64(digit))
    return productOverflow || sumOverflow ? nil : sum
  }

  /// The signed integer, if it fits an `Int64` (whose negative range is one larger).
  private static func int64(magnitude: UInt64?, isNegative: Bool) -> Int64? {
    guard let magnitude else { return nil }
    if isNegative {
      if magnitude == UInt64(Int64.max) + 1 { return .min }
      return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
    }
    return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
  }
}
