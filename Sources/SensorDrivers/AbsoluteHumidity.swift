/// Absolute humidity from temperature and relative humidity, which gas sensors (SGP30) want for
/// their humidity compensation and hygrometers (SCD4x, BME280, BME680) do not measure directly.
///
/// The formula is the one Sensirion's SGP30 documentation gives for its humidity compensation:
/// the Magnus approximation of the saturation vapour pressure,
/// `e_s = 6.112 hPa * exp(17.62 * T / (243.12 °C + T))`, and the ideal gas law for water vapour,
/// `AH = 216.7 * (RH / 100 * e_s) / (273.15 + T)` in g/m3.
public enum AbsoluteHumidity {
  /// Grams of water vapour per cubic metre of air at `temperatureCelsius` (-45 to 130 °C, the
  /// Magnus formula's useful range) and `relativeHumidityPercent`.
  public static func gramsPerCubicMetre(
    temperatureCelsius: Double, relativeHumidityPercent: Double
  ) -> Double {
    precondition((-45...130).contains(temperatureCelsius), "outside the formula's range")
    precondition((0...100).contains(relativeHumidityPercent), "relative humidity is a percentage")
    let saturationHectopascals =
      6.112 * exponential(17.62 * temperatureCelsius / (243.12 + temperatureCelsius))
    return 216.7 * (relativeHumidityPercent / 100 * saturationHectopascals)
      / (273.15 + temperatureCelsius)
  }

  /// e^x for the small arguments above (|x| < 40), without the C library, which the bare-metal
  /// core does not have: x = k ln 2 + r with |r| <= ln 2 / 2, e^x = 2^k e^r, and e^r from its
  /// Taylor series, whose 14th term is below a double's precision for such r.
  static func exponential(_ x: Double) -> Double {
    precondition(x.magnitude < 40, "only small arguments")
    let ln2 = 0.693_147_180_559_945_3
    let k = (x / ln2).rounded()
    let r = x - k * ln2
    var term = 1.0
    var sum = 1.0
    for n in 1...14 {
      term *= r / Double(n)
      sum += term
    }
    return Double(sign: .plus, exponent: Int(k), significand: sum)
  }
}
