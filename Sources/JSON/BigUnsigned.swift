/// An arbitrary-precision unsigned integer, just large enough for exact decimal-to-binary
/// conversion (see `DecimalNumber`).
///
/// Limbs are 32-bit, least significant first, so every product of two limbs fits a `UInt64`.
/// The value never has leading zero limbs, which keeps `bitWidth` and comparison simple.
struct BigUnsigned {
  /// The limbs, least significant first; no trailing (most significant) zero limbs.
  private(set) var limbs: [UInt32]

  /// The integer `value`.
  init(_ value: UInt64) {
    limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
    normalize()
  }

  /// The number of bits needed to write the value; zero for zero.
  var bitWidth: Int {
    guard let top = limbs.last else { return 0 }
    return limbs.count * 32 - top.leadingZeroBitCount
  }

  /// Multiplies in place by `factor` and then adds `addend`.
  mutating func multiply(by factor: UInt32, adding addend: UInt32 = 0) {
    var carry = UInt64(addend)
    for index in limbs.indices {
      let product = UInt64(limbs[index]) * UInt64(factor) + carry
      limbs[index] = UInt32(truncatingIfNeeded: product)
      carry = product >> 32
    }
    if carry != 0 { limbs.append(UInt32(carry)) }
    normalize()
  }

  /// Multiplies in place by 10^`exponent`, nine decimal digits at a time.
  mutating func multiplyByPowerOfTen(_ exponent: Int) {
    precondition(exponent >= 0, "negative power of ten")
    var remaining = exponent
    while remaining >= 9 {
      multiply(by: 1_000_000_000)
      remaining -= 9
    }
    var factor: UInt32 = 1
    for _ in 0..<remaining { factor *= 10 }
    multiply(by: factor)
  }

  /// Shifts left in place by `count` bits (multiplies by 2^`count`).
  mutating func shiftLeft(by count: Int) {
    precondition(count >= 0, "negative shift")
    guard !limbs.isEmpty else { return }
    let limbShift = count / 32
    let bitShift = count % 32
    if bitShift != 0 {
      var carry: UInt32 = 0
      for index in limbs.indices {
        let limb = limbs[index]
        limbs[index] = (limb << bitShift) | carry
        carry = limb >> (32 - bitShift)
      }
      if carry != 0 { limbs.append(carry) }
    }
    limbs.insert(contentsOf: repeatElement(0, count: limbShift), at: 0)
  }

  /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`.
  func compare(_ other: BigUnsigned) -> Int {
    if limbs.count != other.limbs.count { return limbs.count < other.limbs.count ? -1 : 1 }
    for index in limbs.indices.reversed() where limbs[index] != other.limbs[index] {
      return limbs[index] < other.limbs[index] ? -1 : 1
    }
    return 0
  }

  /// Divides `self` by `divisor` when the quotient is known to be below 2^`quotientBits`,
  /// returning the quotient and the remainder.
  ///
  /// Binary long division: one compare-and-subtract per quotient bit, against the divisor
  /// shifted left and then halved at each step. The decimal conversion only needs quotients of
  /// about 54 bits, so this beats a general multi-limb division in simplicity, and working on
  /// fixed-width limb arrays (leading zeros allowed) keeps the loop free of reallocation.
  func divided(by divisor: BigUnsigned, quotientBits: Int) -> (UInt64, BigUnsigned) {
    precondition(quotientBits > 0 && quotientBits < 64, "quotient must fit a UInt64")
    var shiftedDivisor = divisor
    shiftedDivisor.shiftLeft(by: quotientBits - 1)
    let width = max(limbs.count, shiftedDivisor.limbs.count)
    var remainder = limbs + repeatElement(0, count: width - limbs.count)
    var step = shiftedDivisor.limbs + repeatElement(0, count: width - shiftedDivisor.limbs.count)
    var quotient: UInt64 = 0
    // Buffer pointers: the arrays are exclusively ours, so skip per-element uniqueness checks.
    remainder.withUnsafeMutableBufferPointer { remainder in
      step.withUnsafeMutableBufferPointer { step in
        for _ in 0..<quotientBits {
          quotient <<= 1
          if !Self.isLess(remainder, step) {
            Self.subtract(step, from: remainder)
            quotient |= 1
          }
          Self.shiftRightByOne(step)
        }
      }
    }
    var result = BigUnsigned(0)
    result.limbs = remainder
    result.normalize()
    precondition(result.compare(divisor) < 0, "quotient did not fit in the bits given")
    return (quotient, result)
  }

  /// Whether `left < right` for limb arrays of equal width.
  private static func isLess(
    _ left: UnsafeMutableBufferPointer<UInt32>, _ right: UnsafeMutableBufferPointer<UInt32>
  ) -> Bool {
    for index in left.indices.reversed() where left[index] != right[index] {
      return left[index] < right[index]
    }
    return false
  }

  /// `minuend -= subtrahend` for limb arrays of equal width; the subtrahend is not larger.
  private static func subtract(
    _ subtrahend: UnsafeMutableBufferPointer<UInt32>,
    from minuend: UnsafeMutableBufferPointer<UInt32>
  ) {
    assert(subtrahend.count == minuend.count, "limb arrays of different widths")
    var borrow: UInt64 = 0
    for index in minuend.indices {
      let taken = UInt64(subtrahend[index]) + borrow
      let available = UInt64(minuend[index])
      borrow = available < taken ? 1 : 0
      minuend[index] = UInt32(truncatingIfNeeded: available &+ (borrow << 32) &- taken)
    }
    assert(borrow == 0, "subtraction went negative")
  }

  /// Halves a limb array in place, keeping its width.
  private static func shiftRightByOne(_ limbs: UnsafeMutableBufferPointer<UInt32>) {
    var carry: UInt32 = 0
    for index in limbs.indices.reversed() {
      let limb = limbs[index]
      limbs[index] = (limb >> 1) | carry
      carry = limb << 31
    }
  }

  private mutating func normalize() {
    while limbs.last == 0 { limbs.removeLast() }
  }
}
