// The byte classes of HTTP/1.1's grammar (RFC 9110 §5.6, RFC 9112 §2), shared by the parsers and
// serializers. Everything here works on bytes: HTTP framing is ASCII whatever the content is.

/// Bytes with a name in HTTP's grammar.
enum ASCII {
  static let horizontalTab: UInt8 = 0x09
  static let lineFeed: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let comma: UInt8 = 0x2C
  static let colon: UInt8 = 0x3A
  static let semicolon: UInt8 = 0x3B
  static let percent: UInt8 = 0x25
  static let plus: UInt8 = 0x2B
  static let slash: UInt8 = 0x2F
  static let questionMark: UInt8 = 0x3F
  static let ampersand: UInt8 = 0x26
  static let equals: UInt8 = 0x3D
  static let crlf: [UInt8] = [carriageReturn, lineFeed]
}

/// Whether `byte` may appear in a token (method, header name, transfer coding): `tchar`.
func isTokenByte(_ byte: UInt8) -> Bool {
  switch byte {
  case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
    UInt8(ascii: "0")...UInt8(ascii: "9"):
    return true
  case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
    UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
    UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
    return true
  default:
    return false
  }
}

/// Whether `byte` may appear inside a field value: visible ASCII, space, tab, or `obs-text`
/// (0x80 and up). Control bytes, NUL and DEL never may.
func isFieldValueByte(_ byte: UInt8) -> Bool {
  byte == ASCII.horizontalTab || (byte >= 0x20 && byte != 0x7F)
}

/// Whether `byte` is optional whitespace (`OWS`): space or tab.
func isWhitespace(_ byte: UInt8) -> Bool {
  byte == ASCII.space || byte == ASCII.horizontalTab
}

/// Whether `bytes` is a non-empty token.
func isToken<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
  !bytes.isEmpty && allBytes(of: bytes, satisfy: isTokenByte)
}

/// Whether every byte of `bytes` satisfies `predicate`. Reads contiguous storage directly where
/// there is some (arrays, native strings), which is several times faster than iterating a
/// `String.UTF8View`; every header the program adds is checked this way.
@inline(__always) func allBytes<Bytes: Collection<UInt8>>(
  of bytes: Bytes, satisfy predicate: (UInt8) -> Bool
) -> Bool {
  bytes.withContiguousStorageIfAvailable { $0.allSatisfy(predicate) }
    ?? bytes.allSatisfy(predicate)
}

/// `byte` with ASCII capitals lowered; other bytes unchanged.
func asciiLowercased(_ byte: UInt8) -> UInt8 {
  (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte + 0x20 : byte
}

/// Whether two byte strings are equal ignoring ASCII case, as header names and codings compare.
func equalsIgnoringASCIICase<Left: Collection<UInt8>, Right: Collection<UInt8>>(
  _ left: Left, _ right: Right
) -> Bool {
  guard left.count == right.count else { return false }
  // Contiguous bytes on both sides (arrays, native strings) compare several times faster.
  let contiguous = left.withContiguousStorageIfAvailable { leftBytes in
    right.withContiguousStorageIfAvailable { rightBytes in
      equalsIgnoringASCIICase(contiguous: leftBytes, rightBytes)
    }
  }
  if let contiguous, let equal = contiguous { return equal }
  var rightIndex = right.startIndex
  for byte in left {
    guard asciiLowercased(byte) == asciiLowercased(right[rightIndex]) else { return false }
    right.formIndex(after: &rightIndex)
  }
  return true
}

private func equalsIgnoringASCIICase(
  contiguous left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>
) -> Bool {
  for index in left.indices where asciiLowercased(left[index]) != asciiLowercased(right[index]) {
    return false
  }
  return true
}

/// `bytes` without leading and trailing spaces and tabs.
func trimmingWhitespace<Bytes: BidirectionalCollection<UInt8>>(
  _ bytes: Bytes
) -> Bytes.SubSequence {
  var start = bytes.startIndex
  var end = bytes.endIndex
  while start < end, isWhitespace(bytes[start]) { bytes.formIndex(after: &start) }
  while end > start, isWhitespace(bytes[bytes.index(before: end)]) {
    bytes.formIndex(before: &end)
  }
  return bytes[start..<end]
}

/// The value of a digit string of at most `maximumDigits` digits, or nil if `bytes` is empty,
/// longer, or holds anything but `0`-`9`.
func parseDecimal(_ bytes: ArraySlice<UInt8>, maximumDigits: Int) -> Int? {
  guard !bytes.isEmpty, bytes.count <= maximumDigits else { return nil }
  var value = 0
  for byte in bytes {
    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
    value = value * 10 + Int(byte - UInt8(ascii: "0"))
  }
  return value
}

/// The value of a hexadecimal digit, or nil.
func hexadecimalDigitValue(_ byte: UInt8) -> Int? {
  switch byte {
  case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
  case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
  case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
  default: return nil
  }
}

extension Array where Element == UInt8 {
  /// Appends the UTF-8 bytes of `text`.
  mutating func append(ascii text: String) {
    // Copying from contiguous storage is a memcpy; through `String.UTF8View` it is a loop.
    if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
      append(contentsOf: text.utf8)
    }
  }
}
