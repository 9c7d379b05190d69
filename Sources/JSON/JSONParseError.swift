/// Why a document is not acceptable JSON, and the byte offset where the parser noticed.
///
/// The offset counts from the start of the document, zero based, and points at the offending
/// byte (or at the end of the input when it ended too soon).
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
  /// What is wrong.
  public var kind: Kind
  /// The zero-based byte offset of the problem.
  public var offset: Int

  /// An error of `kind` at byte `offset`.
  public init(_ kind: Kind, at offset: Int) {
    self.kind = kind
    self.offset = offset
  }

  /// For example "invalid JSON at byte 17: trailing comma in object".
  public var description: String {
    "invalid JSON at byte \(offset): \(kind)"
  }

  /// The ways a document can fail to parse.
  public enum Kind: Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside a value, or held no value at all.
    case unexpectedEndOfInput
    /// A byte that cannot start or continue what is expected here.
    case unexpectedByte(UInt8)
    /// A UTF-8 byte order mark; RFC 8259 section 8.1 forbids sending one.
    case byteOrderMark
    /// Anything but whitespace after the top-level value.
    case trailingData
    /// A `,` directly before `}`.
    case trailingCommaInObject
    /// A `,` directly before `]`.
    case trailingCommaInArray
    /// Something other than a string where an object key belongs.
    case expectedKey
    /// Something other than `:` after an object key.
    case expectedColon
    /// Something other than `,` or `}` after an object member.
    case expectedCommaOrObjectEnd
    /// Something other than `,` or `]` after an array element.
    case expectedCommaOrArrayEnd
    /// A misspelt `true`, `false` or `null`.
    case invalidLiteral
    /// `NaN` or `Infinity`, which JSON does not have.
    case nonFiniteNumber
    /// A number with a superfluous leading zero, such as `01`.
    case leadingZero
    /// A sign, decimal point or exponent not followed by a digit.
    case expectedDigit
    /// A number too large in magnitude for a finite double.
    case numberOutOfRange
    /// A raw control character (U+0000 to U+001F) inside a string; it must be escaped.
    case controlCharacterInString(UInt8)
    /// A backslash followed by something other than `"\/bfnrtu`.
    case invalidEscape(UInt8)
    /// `\u` not followed by four hexadecimal digits.
    case invalidUnicodeEscape
    /// A `\u` escape of a UTF-16 surrogate that is not part of a high-low pair.
    case loneSurrogate
    /// Bytes that are not well-formed UTF-8 (RFC 3629).
    case invalidUTF8
    /// A key that already appeared in the same object; which one counts would be a guess.
    case duplicateKey(String)
    /// Arrays and objects nested deeper than `Limits.maximumDepth`.
    case depthLimitExceeded(Int)
    /// A document longer than `Limits.maximumDocumentBytes`.
    case documentTooLarge(Int)
    /// A string whose decoded UTF-8 is longer than `Limits.maximumStringBytes`.
    case stringTooLong(Int)

    /// The problem as a phrase, such as "trailing comma in object".
    public var description: String {
      switch self {
      case .unexpectedEndOfInput: return "unexpected end of input"
      case .unexpectedByte(let byte): return "unexpected \(Self.describe(byte))"
      case .byteOrderMark: return "byte order mark is not allowed"
      case .trailingData: return "unexpected data after the value"
      case .trailingCommaInObject: return "trailing comma in object"
      case .trailingCommaInArray: return "trailing comma in array"
      case .expectedKey: return "expected a string key"
      case .expectedColon: return "expected ':' after key"
      case .expectedCommaOrObjectEnd: return "expected ',' or '}' after object member"
      case .expectedCommaOrArrayEnd: return "expected ',' or ']' after array element"
      case .invalidLiteral: return "invalid literal (expected true, false or null)"
      case .nonFiniteNumber: return "NaN and Infinity are not JSON numbers"
      case .leadingZero: return "leading zero in number"
      case .expectedDigit: return "expected a digit"
      case .numberOutOfRange: return "number out of range"
      case .controlCharacterInString(let byte):
        return "unescaped control character \(Self.hex(byte)) in string"
      case .invalidEscape(let byte): return "invalid escape '\\' followed by \(Self.describe(byte))"
      case .invalidUnicodeEscape: return "\\u must be followed by four hexadecimal digits"
      case .loneSurrogate: return "unpaired UTF-16 surrogate in \\u escape"
      case .invalidUTF8: return "invalid UTF-8"
      case .duplicateKey(let key): return "duplicate key \"\(key)\" in object"
      case .depthLimitExceeded(let limit): return "nesting deeper than \(limit) levels"
      case .documentTooLarge(let limit): return "document larger than \(limit) bytes"
      case .stringTooLong(let limit): return "string longer than \(limit) bytes"
      }
    }

    /// A printable ASCII byte in quotes, anything else in hexadecimal.
    private static func describe(_ byte: UInt8) -> String {
      guard byte > 0x20 && byte < 0x7F else { return "byte \(hex(byte))" }
      return "character '\(String(decoding: [byte], as: UTF8.self))'"
    }

    private static func hex(_ byte: UInt8) -> String {
      let text = [0x30, 0x78, Hexadecimal.digit(byte >> 4), Hexadecimal.digit(byte & 0xF)]
      return String(decoding: text, as: UTF8.self)
    }
  }
}
