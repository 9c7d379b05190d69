/// The ASCII bytes JSON's grammar is written in.
enum ASCII {
  static let quote: UInt8 = 0x22  // "
  static let backslash: UInt8 = 0x5C  // \
  static let slash: UInt8 = 0x2F  // /
  static let comma: UInt8 = 0x2C  // ,
  static let colon: UInt8 = 0x3A  // :
  static let openBrace: UInt8 = 0x7B  // {
  static let closeBrace: UInt8 = 0x7D  // }
  static let openBracket: UInt8 = 0x5B  // [
  static let closeBracket: UInt8 = 0x5D  // ]
  static let minus: UInt8 = 0x2D  // -
  static let plus: UInt8 = 0x2B  // +
  static let period: UInt8 = 0x2E  // .
  static let zero: UInt8 = 0x30  // 0
  static let nine: UInt8 = 0x39  // 9
  static let lowercaseE: UInt8 = 0x65  // e
  static let uppercaseE: UInt8 = 0x45  // E
  static let lowercaseU: UInt8 = 0x75  // u

  /// Whether `byte` is one of the digits 0-9.
  static func isDigit(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return byte >= zero && byte <= nine
  }
}
