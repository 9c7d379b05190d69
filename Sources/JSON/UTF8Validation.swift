/// Well-formedness of UTF-8 as RFC 3629 section 4 defines it.
///
/// The table there forbids overlong encodings (`C0`, `C1`, `E0 80..9F`, `F0 80..8F`), UTF-16
/// surrogates encoded as UTF-8 (`ED A0..BF`), code points past U+10FFFF (`F4 90..`, `F5..FF`)
/// and truncated sequences. Each lead byte narrows the range of its first continuation byte;
/// later continuation bytes are always `80..BF`.
enum UTF8Validation {
  /// The length of the well-formed multi-byte sequence starting at `index`, or nil if the
  /// bytes there are not one. `bytes[index]` must be at least 0x80 (ASCII needs no check).
  static func multiByteSequenceLength(in bytes: [UInt8], at index: Int) -> Int? {
    let lead = bytes[index]
    precondition(lead >= 0x80, "ASCII is not a multi-byte sequence")
    let length: Int
    let secondByteRange: ClosedRange<UInt8>
    switch lead {
    case 0xC2...0xDF: (length, secondByteRange) = (2, 0x80...0xBF)
    case 0xE0: (length, secondByteRange) = (3, 0xA0...0xBF)  // no overlongs
    case 0xED: (length, secondByteRange) = (3, 0x80...0x9F)  // no surrogates
    case 0xE1...0xEF: (length, secondByteRange) = (3, 0x80...0xBF)
    case 0xF0: (length, secondByteRange) = (4, 0x90...0xBF)  // no overlongs
    case 0xF4: (length, secondByteRange) = (4, 0x80...0x8F)  // nothing past U+10FFFF
    case 0xF1...0xF3: (length, secondByteRange) = (4, 0x80...0xBF)
    default: return nil  // continuation byte as lead, C0, C1, F5...FF
    }
    guard index + length <= bytes.count, secondByteRange.contains(bytes[index + 1]) else {
      return nil
    }
    for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) {
      return nil
    }
    return length
  }
}
