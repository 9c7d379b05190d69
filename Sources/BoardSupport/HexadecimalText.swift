/// `value` as datasheets write register contents and addresses: `0x` and upper-case digits,
/// one per four bits of the type (`0x60` for a `UInt8`, `0x8583` for a `UInt16`).
public func hexadecimalText<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value) -> String {
  let digits = Array("0123456789ABCDEF".utf8)
  var text: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
  for shift in stride(from: Value.bitWidth - 4, through: 0, by: -4) {
    text.append(digits[Int(truncatingIfNeeded: value >> shift & 0xF)])
  }
  return String(decoding: text, as: UTF8.self)
}
