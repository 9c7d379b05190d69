/// Bytes from hexadecimal text such as a capture's hex dump; spaces and newlines are ignored.
func hexBytes(_ text: String) -> [UInt8] {
  let digits = text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }
  precondition(digits.count % 2 == 0, "an even number of hex digits")
  func value(_ digit: UInt8) -> UInt8 {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
    default: preconditionFailure("not a lower-case hex digit")
    }
  }
  return stride(from: 0, to: digits.count, by: 2).map {
    value(digits[$0]) << 4 | value(digits[$0 + 1])
  }
}
