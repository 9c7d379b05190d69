/// A source of random bits from hardware: the processor's RNDR, a SoC's random number generator.
/// On bare metal it keys what must not be predictable (TCP's initial sequence numbers and SYN
/// cookies, DNS query ids) and seeds Swift's hashing. (A Linux process asks its kernel:
/// `SystemEntropy`.)
///
/// Platforms pick one at start; nothing falls back to a predictable source.
public protocol EntropySource {
  /// 32 random bits, or nil when the source has none to give (broken, or locked out after a
  /// failed self-test).
  mutating func nextWord() -> UInt32?
}

extension EntropySource {
  /// 64 random bits from two words, or nil when the source has none.
  public mutating func nextDoubleWord() -> UInt64? {
    guard let high = nextWord(), let low = nextWord() else { return nil }
    return UInt64(high) << 32 | UInt64(low)
  }
}
