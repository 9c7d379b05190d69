/// The rule for appliance and sensor identifiers: 1 to 64 bytes of lowercase ASCII letters,
/// digits, `.`, `_` and `-`, starting with a letter or digit.
///
/// Identifiers appear in URL paths, file names and (later) store paths, so they are kept to
/// characters that need no escaping anywhere.
public enum Identifier {
  /// The longest identifier accepted, in bytes.
  public static let maximumLength = 64

  /// Whether `text` follows the identifier rule.
  public static func isValid(_ text: String) -> Bool {
    let bytes = text.utf8
    guard let first = bytes.first, bytes.count <= maximumLength else { return false }
    guard isLowercaseLetterOrDigit(first) else { return false }
    return bytes.allSatisfy { byte in
      isLowercaseLetterOrDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        || byte == UInt8(ascii: "-")
    }
  }

  private static func isLowercaseLetterOrDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }
}
