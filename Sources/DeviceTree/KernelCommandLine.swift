/// The boot arguments a unikernel is started with (`/chosen/bootargs`, QEMU's `-append`):
/// words separated by white space (spaces, tabs, line ends), each `key=value` or a bare flag, as
/// Linux's command line.
public struct KernelCommandLine: Equatable, Sendable {
  /// The words, in order.
  public let words: [Substring]

  /// The arguments in `text`.
  public init(_ text: String) {
    words = text.split(omittingEmptySubsequences: true, whereSeparator: Self.isSeparator)
  }

  /// ASCII white space. (`"\r\n"` is one `Character`, whose `asciiValue` is that of `"\n"`.)
  static func isSeparator(_ character: Character) -> Bool {
    guard let byte = character.asciiValue else { return false }
    return byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }

  /// The value of the last `key=value` word with this key (later words override earlier ones),
  /// or nil.
  public func value(of key: String) -> String? {
    for word in words.reversed() {
      guard let equals = word.firstIndex(of: "=") else { continue }
      if word[..<equals] == key { return String(word[word.index(after: equals)...]) }
    }
    return nil
  }

  /// The value of `key` as a non-negative decimal number (`0.5`, `60`), or nil when it is
  /// missing or not one. (Parsed here: Embedded Swift's `Double(String)` needs the C library.)
  public func number(of key: String) -> Double? {
    guard let text = value(of: key), !text.isEmpty, text.utf8.count <= 32 else { return nil }
    var whole: Double = 0
    var fraction: Double = 0
    var scale: Double = 1
    var seenPoint = false
    var digits = 0
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        let digit = Double(byte - UInt8(ascii: "0"))
        digits += 1
        if seenPoint {
          scale /= 10
          fraction += digit * scale
        } else {
          whole = whole * 10 + digit
        }
      case UInt8(ascii: ".") where !seenPoint: seenPoint = true
      default: return nil
      }
    }
    return digits > 0 ? whole + fraction : nil
  }
}
