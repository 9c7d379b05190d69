// Percent-encoding (RFC 3986 §2.1) and the `application/x-www-form-urlencoded` rule that a `+`
// in a query means a space. Decoded text must be valid UTF-8: Loam hands out `String`s, and a
// path that cannot be one is rejected rather than silently repaired.

/// The text `bytes` percent-decode to, or nil if an escape is not `%` and two hex digits or the
/// result is not valid UTF-8. With `plusAsSpace`, `+` decodes to a space (query strings).
func percentDecoded(_ bytes: ArraySlice<UInt8>, plusAsSpace: Bool) -> String? {
  var decoded: [UInt8] = []
  decoded.reserveCapacity(bytes.count)
  guard appendPercentDecoded(bytes, plusAsSpace: plusAsSpace, to: &decoded) else { return nil }
  return validUTF8String(decoded)
}

/// Appends the bytes `bytes` percent-decode to; false if an escape is not `%` and two hex
/// digits. The caller checks the result is UTF-8 where it needs text.
func appendPercentDecoded<Bytes: Collection<UInt8>>(
  _ bytes: Bytes, plusAsSpace: Bool, to decoded: inout [UInt8]
) -> Bool where Bytes.Index == Int {
  var index = bytes.startIndex
  while index < bytes.endIndex {
    let byte = bytes[index]
    if byte == ASCII.percent {
      guard index + 2 < bytes.endIndex,
        let high = hexadecimalDigitValue(bytes[index + 1]),
        let low = hexadecimalDigitValue(bytes[index + 2])
      else { return false }
      decoded.append(UInt8(high * 16 + low))
      index += 3
    } else {
      decoded.append(plusAsSpace && byte == ASCII.plus ? ASCII.space : byte)
      index += 1
    }
  }
  return true
}

/// `bytes` as a `String` if they are valid UTF-8, else nil.
func validUTF8String<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
  // Decoding repairs invalid sequences with U+FFFD; the bytes survive only if there were none.
  let text = String(decoding: bytes, as: UTF8.self)
  return text.utf8.elementsEqual(bytes) ? text : nil
}
