/// A small deterministic random number generator (SplitMix64): the same seed gives the same
/// sequence on every platform, which keeps simulations replayable.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose sequence is fixed by `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }

  /// A uniform value in `0..<1`.
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// An approximately normal value with mean 0 and standard deviation 1. It sums twelve uniform
  /// values (Irwin-Hall), which needs no logarithm or cosine: bare metal has no libm.
  public mutating func nextStandardNormal() -> Double {
    var sum = 0.0
    for _ in 0..<12 { sum += nextUnit() }
    return sum - 6
  }
}
