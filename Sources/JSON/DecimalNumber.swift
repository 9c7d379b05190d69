/// A JSON number's decimal value, `significand × 10^exponent`, and its correctly rounded
/// conversion to binary64 (`Double`) without the C library's `strtod`, which bare metal lacks.
///
/// The conversion has two paths:
/// - Clinger's fast path: when the significand has at most 15 digits and the power of ten is at
///   most 22, both are exact doubles, and one IEEE multiplication or division rounds correctly.
/// - An exact slow path: the value as a ratio of big integers `numerator / denominator`, scaled
///   by a power of two so the quotient has 53 bits, rounded half to even on the remainder.
///
/// Only the first `maximumSignificantDigits` digits are kept. Every point halfway between two
/// doubles has at most 768 significant digits, so truncating to 800 digits and remembering that
/// a non-zero digit was dropped (a "sticky" trailing 1) can never move the value across one.
/// This bounds the big-integer work whatever the input length.
struct DecimalNumber {
  /// Digits beyond this many only count as "something non-zero was here".
  static let maximumSignificantDigits = 800

  /// Whether a minus sign was written (also for zero: `-0.0` is a distinct double).
  var isNegative = false
  /// Significant digits (values 0...9), most significant first, no leading zeros.
  private(set) var digits: [UInt8] = []
  /// The power of ten the digits are scaled by.
  private(set) var exponent = 0
  /// Whether a non-zero digit was dropped past `maximumSignificantDigits`.
  private(set) var droppedNonZeroDigit = false

  /// Appends the next digit (0...9) of the integer part or, if `isFraction`, of the fraction.
  mutating func appendDigit(_ digit: UInt8, isFraction: Bool) {
    if isFraction { exponent -= 1 }
    if digits.isEmpty && digit == 0 { return }
    if digits.count < Self.maximumSignificantDigits {
      digits.append(digit)
    } else {
      exponent += 1
      if digit != 0 { droppedNonZeroDigit = true }
    }
  }

  /// Adds the number's written exponent (the part after `e`), already clamped by the caller.
  mutating func addExponent(_ writtenExponent: Int) {
    exponent += writtenExponent
  }

  /// The nearest double (ties to even), or nil if the value is too large for a finite double.
  /// Values too small for the smallest subnormal become zero, as IEEE 754 rounding says.
  func binary64() -> Double? {
    var digits = self.digits
    var exponent = self.exponent
    if droppedNonZeroDigit {
      digits.append(1)
      exponent -= 1
    }
    while digits.last == 0 {
      digits.removeLast()
      exponent += 1
    }
    let zero: Double = isNegative ? -0.0 : 0.0
    guard !digits.isEmpty else { return zero }
    // The value lies in [10^(count - 1 + exponent), 10^(count + exponent)).
    if digits.count + exponent <= -324 { return zero }  // below half the smallest subnormal
    if digits.count - 1 + exponent >= 309 { return nil }  // at least 1e309 > Double.max
    guard let magnitude = Self.fastPath(digits, exponent) ?? Self.slowPath(digits, exponent)
    else { return nil }
    return isNegative ? -magnitude : magnitude
  }

  /// Powers of ten that are exact doubles.
  private static let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  ]

  /// Clinger's fast path: exact operands, so the single rounding of `*` or `/` is correct.
  /// Nil when the operands would not be exact (the value itself is always finite here).
  private static func fastPath(_ digits: [UInt8], _ exponent: Int) -> Double? {
    guard digits.count <= 15, exponent >= -22, exponent <= 22 else { return nil }
    var significand: UInt64 = 0
    for digit in digits { significand = significand * 10 + UInt64(digit) }
    let value = Double(significand)  // exact: below 10^15 < 2^53
    if exponent >= 0 { return value * exactPowersOfTen[exponent] }
    return value / exactPowersOfTen[-exponent]
  }

  /// The exact path: finds the binary exponent `e` and 53-bit `q` with value ≈ q × 2^e.
  private static func slowPath(_ digits: [UInt8], _ exponent: Int) -> Double? {
    var numerator = BigUnsigned(0)
    var chunkStart = 0
    while chunkStart < digits.count {  // nine digits per pass: 10^9 < 2^32
      let chunk = digits[chunkStart..<min(chunkStart + 9, digits.count)]
      var chunkValue: UInt32 = 0
      var chunkScale: UInt32 = 1
      for digit in chunk {
        chunkValue = chunkValue * 10 + UInt32(digit)
        chunkScale *= 10
      }
      numerator.multiply(by: chunkScale, adding: chunkValue)
      chunkStart += 9
    }
    var denominator = BigUnsigned(1)
    if exponent >= 0 {
      numerator.multiplyByPowerOfTen(exponent)
    } else {
      denominator.multiplyByPowerOfTen(-exponent)
    }
    // With a = bitWidth(numerator), b = bitWidth(denominator): 2^(a-b-1) < value < 2^(a-b+1),
    // so this exponent gives a quotient in [2^52, 2^54); -1074 is the subnormal exponent.
    var binaryExponent = max(numerator.bitWidth - denominator.bitWidth - 53, -1074)
    var division = scaledDivision(numerator, denominator, binaryExponent)
    if division.quotient >= 1 << 53 {
      binaryExponent += 1
      division = scaledDivision(numerator, denominator, binaryExponent)
    }
    var quotient = division.quotient
    var twiceRemainder = division.remainder
    twiceRemainder.shiftLeft(by: 1)
    let halfwayComparison = twiceRemainder.compare(division.divisor)
    if halfwayComparison > 0 || (halfwayComparison == 0 && quotient & 1 == 1) {
      quotient += 1
      if quotient == 1 << 53 {
        quotient >>= 1
        binaryExponent += 1
      }
    }
    return assemble(quotient, binaryExponent)
  }

  /// `numerator / denominator / 2^binaryExponent` as a quotient below 2^54, the remainder,
  /// and the divisor the remainder is relative to.
  private static func scaledDivision(
    _ numerator: BigUnsigned, _ denominator: BigUnsigned, _ binaryExponent: Int
  ) -> (quotient: UInt64, remainder: BigUnsigned, divisor: BigUnsigned) {
    var dividend = numerator
    var divisor = denominator
    if binaryExponent < 0 {
      dividend.shiftLeft(by: -binaryExponent)
    } else {
      divisor.shiftLeft(by: binaryExponent)
    }
    let (quotient, remainder) = dividend.divided(by: divisor, quotientBits: 54)
    return (quotient, remainder, divisor)
  }

  /// The double `quotient × 2^binaryExponent`, or nil past the largest finite double.
  /// `quotient` is below 2^53, and below 2^52 only for subnormals (exponent -1074).
  private static func assemble(_ quotient: UInt64, _ binaryExponent: Int) -> Double? {
    let significandMask: UInt64 = (1 << 52) - 1
    guard quotient >= 1 << 52 else {
      assert(binaryExponent == -1074, "a normal number lost its leading bit")
      return Double(bitPattern: quotient)  // subnormal: biased exponent 0
    }
    // value = 1.fraction × 2^(binaryExponent + 52); IEEE biases that exponent by 1023.
    let biasedExponent = binaryExponent + 52 + 1023
    guard biasedExponent < 2047 else { return nil }
    return Double(bitPattern: UInt64(biasedExponent) << 52 | (quotient & significandMask))
  }
}
