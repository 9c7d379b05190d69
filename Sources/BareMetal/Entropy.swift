import BoardSupport

/// The unikernel's source of random numbers, which the board sets at start: the processor's
/// RNDR, or a SoC's hardware generator (an `EntropySource`). It keys TCP's sequence numbers and seeds Swift's
/// hashing (`arc4random_buf`). There is no fallback: without a real source, the image says so
/// and stops rather than run with predictable numbers.
public enum Entropy {
  nonisolated(unsafe) private static var source: (() -> UInt64)?

  /// Takes random numbers from `source` from now on; a source that stops giving them stops the
  /// unikernel.
  public static func use<Source: EntropySource>(_ source: Source) {
    var source = source
    Self.source = {
      guard let value = source.nextDoubleWord() else {
        fatalError("the entropy source gives no more random numbers")
      }
      return value
    }
  }

  /// A 64-bit random number.
  public static func next() -> UInt64 {
    guard let source else {
      fatalError("no entropy source: the board sets one before anything needs randomness")
    }
    return source()
  }

  /// `count` random bytes.
  public static func bytes(_ count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    while bytes.count < count {
      var word = next()
      for _ in 0..<min(8, count - bytes.count) {
        bytes.append(UInt8(truncatingIfNeeded: word))
        word >>= 8
      }
    }
    return bytes
  }
}

@_cdecl("loam_fill_random")
func loamFillRandom(_ buffer: UnsafeMutableRawPointer, _ count: Int) {
  var offset = 0
  while offset < count {
    var word = Entropy.next()
    for _ in 0..<min(8, count - offset) {
      buffer.storeBytes(of: UInt8(truncatingIfNeeded: word), toByteOffset: offset, as: UInt8.self)
      word >>= 8
      offset += 1
    }
  }
}
