/// Hexadecimal digits as ASCII bytes, shared by `\u` escapes and error messages.
enum Hexadecimal {
  /// The uppercase ASCII digit for `nibble` (0...15).
  static func digit(_ nibble: UInt8) -> UInt8 {
    precondition(nibble < 16, "not a nibble")
    return nibble < 10 ? 0x30 + nibble : 0x41 + nibble - 10
  }

  /// The value of the ASCII hexadecimal digit `byte` (either case), or nil.
  static func value(of byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: return byte - 0x30
    case 0x41...0x46: return byte - 0x41 + 10
    case 0x61...0x66: return byte - 0x61 + 10
    default: return nil
    }
  }
}
