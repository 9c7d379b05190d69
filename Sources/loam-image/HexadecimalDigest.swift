/// A digest as lowercase hexadecimal digits, the form `sha256sum` prints and Raspberry Pi
/// Imager's `extract_sha256` holds.
func hexadecimal(_ digest: [UInt8]) -> String {
  let digits = Array("0123456789abcdef")
  return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
}
