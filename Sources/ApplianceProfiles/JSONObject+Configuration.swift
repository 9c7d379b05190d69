import BoardSupport
import JSON

// Decoding helpers shared by sensor profiles and board descriptions.

extension JSONObject {
  /// Decodes the member `key` as a 7-bit I2C address, written as datasheets do (`"0x58"`) or
  /// as a plain number.
  func decodeI2CAddress(_ key: String) throws(JSONDecodingError) -> I2CAddress {
    let path: [JSONDecodingError.PathComponent] = [.key(key)]
    let number: Int
    switch self[key] {
    case .string(let text)?:
      guard let parsed = Self.hexadecimalNumber(text) else {
        throw JSONDecodingError(.invalidValue("expected an address such as \"0x58\""), path: path)
      }
      number = parsed
    default:
      number = try decode(key)
    }
    guard number >= 0, number <= 0xFF, let address = I2CAddress(UInt8(number)) else {
      var message =
        "\(Self.hexadecimal(number)) is not a 7-bit I2C address (0x08 to 0x77; the others are"
        + " reserved by the I2C specification)"
      // Some datasheets and tools print the 8-bit form, the address shifted past the R/W bit.
      if (0x80...0xFF).contains(number), let shifted = I2CAddress(UInt8(number >> 1)) {
        message += "; if that is the 8-bit form, the 7-bit address is \(shifted)"
      }
      throw JSONDecodingError(.invalidValue(message), path: path)
    }
    return address
  }

  /// Decodes the member `key` as an integer in `range`.
  func decodeInteger(_ key: String, in range: ClosedRange<Int>) throws(JSONDecodingError) -> Int {
    let value: Int = try decode(key)
    guard range.contains(value) else {
      throw JSONDecodingError(
        .invalidValue("must be from \(range.lowerBound) to \(range.upperBound)"),
        path: [.key(key)])
    }
    return value
  }

  /// Decodes the member `key` as an integer in `range`, or returns nil if it is absent.
  func decodeIntegerIfPresent(
    _ key: String, in range: ClosedRange<Int>
  ) throws(JSONDecodingError) -> Int? {
    guard self[key] != nil else { return nil }
    return try decodeInteger(key, in: range)
  }

  /// `0x1F` and the like: up to four hexadecimal digits after `0x`.
  private static func hexadecimalNumber(_ text: String) -> Int? {
    let bytes = Array(text.utf8)
    guard bytes.count > 2, bytes.count <= 6, bytes[0] == UInt8(ascii: "0"),
      bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X")
    else { return nil }
    var value = 0
    for byte in bytes.dropFirst(2) {
      guard let digit = hexadecimalDigitValue(byte) else { return nil }
      value = value << 4 | digit
    }
    return value
  }

  private static func hexadecimalDigitValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
    default: return nil
    }
  }

  /// An address the user wrote, echoed back in hexadecimal even when it is out of range.
  private static func hexadecimal(_ number: Int) -> String {
    if let byte = UInt8(exactly: number) { return hexadecimalText(byte) }
    if let word = UInt16(exactly: number) { return hexadecimalText(word) }
    return "\(number)"
  }
}
