/// Loam's seeded random number generator: SplitMix64 (Steele, Lea and Flood, "Fast Splittable
/// Pseudorandom Number Generators", 2014).
///
/// Simulations (a lossy wire, a drying plant pot), retry jitter and protocol identifiers all draw
/// from one of these, so a seed fixes a whole run: a test that fails under seed 42 fails the same
/// way when replayed with seed 42. The generator is tiny and needs nothing but 64-bit integer
/// arithmetic, which keeps it usable on bare metal. It is not for secrets.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose whole sequence is fixed by `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    // A Weyl sequence (a fixed odd step, the golden ratio in 64 bits) scrambled by a mixing
    // function whose constants come from the paper above.
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }

  /// A uniform value in `0..<bound`; `bound` must be positive.
  ///
  /// Plain `next() % bound` would favour small values whenever `bound` does not divide 2^64, so
  /// draws below `2^64 mod bound` are rejected and redrawn (at most half of them, for any bound).
  public mutating func next(below bound: UInt64) -> UInt64 {
    precondition(bound > 0, "a random value below zero does not exist")
    let rejectedBelow = (0 &- bound) % bound
    while true {
      let value = next()
      if value >= rejectedBelow { return value % bound }
    }
  }

  /// A uniform value in `0..<1`, from the top 53 bits (a `Double`'s precision).
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// True with `probability` (0 never, 1 always).
  public mutating func chance(_ probability: Double) -> Bool {
    nextUnit() < probability
  }

  /// An approximately normal value with mean 0 and standard deviation 1. It sums twelve uniform
  /// values (Irwin-Hall), which needs no logarithm or cosine: bare metal has no libm.
  public mutating func nextStandardNormal() -> Double {
    var sum = 0.0
    for _ in 0..<12 { sum += nextUnit() }
    return sum - 6
  }
}
