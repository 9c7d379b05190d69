/// The factory calibration of a simulated BME680, and the datasheet's floating-point
/// compensation (BME680 datasheet, BST-BME680-DS001: sections 3.3.1 to 3.3.3, and 3.4.1 with its
/// floating-point range constants) run backwards to find the raw readings a chip with this
/// calibration gives.
public struct BME680Trimming: Equatable, Sendable {
  /// par_t1 to par_t3 (unsigned 16-bit, signed 16-bit, signed 8-bit).
  public var temperature: [Int32]
  /// par_p1 to par_p10; p1 is unsigned 16-bit, p3, p6 and p7 signed 8-bit, p10 unsigned 8-bit,
  /// the others signed 16-bit.
  public var pressure: [Int32]
  /// par_h1 to par_h7; h1 and h2 are unsigned 12-bit, h6 unsigned 8-bit, the others signed 8-bit.
  public var humidity: [Int32]
  /// par_g1 to par_g3 (signed 8-bit, signed 16-bit, signed 8-bit).
  public var gas: [Int32]
  /// `res_heat_range`, 0 to 3.
  public var heaterResistanceRange: UInt8
  /// `res_heat_val`.
  public var heaterResistanceCorrection: Int8
  /// `range_switching_error`, -8 to 7.
  public var rangeSwitchingError: Int8

  /// A trimming from its parameters.
  public init(
    temperature: [Int32], pressure: [Int32], humidity: [Int32], gas: [Int32],
    heaterResistanceRange: UInt8, heaterResistanceCorrection: Int8, rangeSwitchingError: Int8
  ) {
    precondition(temperature.count == 3 && pressure.count == 10, "par_t1-3 and par_p1-10")
    precondition(humidity.count == 7 && gas.count == 3, "par_h1-7 and par_g1-3")
    precondition((0...0xFFF).contains(humidity[0]) && (0...0xFFF).contains(humidity[1]))
    precondition(heaterResistanceRange < 4 && (-8...7).contains(rangeSwitchingError))
    self.temperature = temperature
    self.pressure = pressure
    self.humidity = humidity
    self.gas = gas
    self.heaterResistanceRange = heaterResistanceRange
    self.heaterResistanceCorrection = heaterResistanceCorrection
    self.rangeSwitchingError = rangeSwitchingError
  }

  /// Temperature, pressure and humidity parameters as one real chip reported them (in the
  /// README of a public driver, wrclark/bme680), with gas and heater parameters of a typical size.
  public static let example = BME680Trimming(
    temperature: [26_203, 26_519, 3],
    pressure: [35_008, -10_284, 88, 9692, -202, 30, 24, -516, -3469, 30],
    humidity: [794, 1007, 0, 45, 20, 120, -100],
    gas: [-30, -12_970, 18],
    heaterResistanceRange: 1, heaterResistanceCorrection: 43, rangeSwitchingError: -1)

  /// `const_array1` (section 3.4.1), by gas range.
  static let gasRangeFactors: [Double] = [
    1, 1, 1, 1, 1, 0.99, 1, 0.992, 1, 1, 0.998, 0.995, 1, 0.99, 1, 1,
  ]
  /// `const_array2` (section 3.4.1), by gas range, in ohms.
  static let gasRangeResistances: [Double] = [
    8_000_000, 4_000_000, 2_000_000, 1_000_000, 499_500.4995, 248_262.1648, 125_000,
    63_004.03226, 31_281.28128, 15_625, 7812.5, 3906.25, 1953.125, 976.5625, 488.28125,
    244.140625,
  ]

  /// The register contents: 23 bytes from 0x8A, 14 from 0xE1 and 5 from 0x00. Words are
  /// little-endian; the other bits of 0x02 and 0x04 hold other factory data, so the model sets
  /// some there and a reader must mask them off.
  public var registerBlocks: (first: [UInt8], second: [UInt8], heater: [UInt8]) {
    func byte(_ value: Int32) -> UInt8 { UInt8(truncatingIfNeeded: value) }
    func word(_ value: Int32) -> [UInt8] { [byte(value), byte(value >> 8)] }
    let (t, p, h, g) = (temperature, pressure, humidity, gas)
    // 0x8D, 0x93, 0x9A and 0x9B are not calibration; 0x98 holds p7 and 0x99 p6.
    let first: [UInt8] =
      word(t[1]) + [byte(t[2]), 0] + word(p[0]) + word(p[1]) + [byte(p[2]), 0] + word(p[3])
      + word(p[4]) + [byte(p[6]), byte(p[5]), 0, 0] + word(p[7]) + word(p[8]) + [byte(p[9])]
    // h2 and h1 are 12 bits with their low nibbles sharing 0xE2.
    let second: [UInt8] =
      [byte(h[1] >> 4), byte(h[1] & 0xF) << 4 | byte(h[0] & 0xF), byte(h[0] >> 4)]
      + [byte(h[2]), byte(h[3]), byte(h[4]), byte(h[5]), byte(h[6])] + word(t[0]) + word(g[1])
      + [byte(g[0]), byte(g[2])]
    let heater: [UInt8] = [
      UInt8(bitPattern: heaterResistanceCorrection), 0, 0b1000_0101 | heaterResistanceRange << 4,
      0, UInt8(bitPattern: rangeSwitchingError << 4) | 0b0011,
    ]
    return (first, second, heater)
  }

  /// The raw 20-bit temperature and pressure and 16-bit humidity this chip reads in
  /// `environment`, each the raw value whose compensation comes closest.
  func rawValues(for environment: PhysicalEnvironment) -> (
    temperature: Int32, pressure: Int32, humidity: Int32
  ) {
    let temperature = nearestRawValue(in: 0..<(1 << 20), target: environment.temperatureCelsius) {
      fineTemperature(raw: $0) / 5120
    }
    let fine = fineTemperature(raw: temperature)
    let pressure = nearestRawValue(in: 0..<(1 << 20), target: environment.pressurePascals) {
      pressurePascals(raw: $0, fineTemperature: fine)
    }
    let humidity = nearestRawValue(
      in: 0..<(1 << 16), target: environment.relativeHumidityPercent
    ) {
      humidityPercent(raw: $0, fineTemperature: fine)
    }
    return (temperature, pressure, humidity)
  }

  /// The 10-bit gas reading and the range that measure `resistanceOhms` most closely.
  ///
  /// The chip picks its range itself; each range covers about a factor of two, so the nearest
  /// reading of every range is tried and the best kept.
  func rawGas(resistanceOhms: Double) -> (reading: UInt16, range: UInt8) {
    var best: (reading: UInt16, range: UInt8) = (0, 0)
    var bestError = Double.infinity
    for range in 0..<16 {
      let scale = (1340 + 5 * Double(rangeSwitchingError)) * Self.gasRangeFactors[range]
      // The float formula, R = scale * const_array2 / (reading - 512 + scale), solved for reading.
      let exact = scale * Self.gasRangeResistances[range] / resistanceOhms - scale + 512
      let reading = UInt16(min(max(exact.rounded(), 0), 1023))
      let error = abs(gasResistanceOhms(reading: reading, range: range) - resistanceOhms)
      if error < bestError {
        best = (reading, UInt8(range))
        bestError = error
      }
    }
    return best
  }

  /// `t_fine` of the floating-point formula.
  private func fineTemperature(raw: Int32) -> Double {
    let (t1, t2, t3) = (Double(temperature[0]), Double(temperature[1]), Double(temperature[2]))
    let var1 = (Double(raw) / 16_384 - t1 / 1024) * t2
    let offset = Double(raw) / 131_072 - t1 / 8192
    return var1 + offset * offset * t3 * 16
  }

  private func pressurePascals(raw: Int32, fineTemperature: Double) -> Double {
    let p = pressure.map { Double($0) }
    var var1 = fineTemperature / 2 - 64_000
    var var2 = var1 * var1 * p[5] / 131_072
    var2 = var2 + var1 * p[4] * 2
    var2 = var2 / 4 + p[3] * 65_536
    var1 = (p[2] * var1 * var1 / 16_384 + p[1] * var1) / 524_288
    var1 = (1 + var1 / 32_768) * p[0]
    guard var1 != 0 else { return 0 }
    var result = 1_048_576 - Double(raw)
    result = (result - var2 / 4096) * 6250 / var1
    var1 = p[8] * result * result / 2_147_483_648
    var2 = result * p[7] / 32_768
    let scaled = result / 256
    let var3 = scaled * scaled * scaled * p[9] / 131_072
    return result + (var1 + var2 + var3 + p[6] * 128) / 16
  }

  private func humidityPercent(raw: Int32, fineTemperature: Double) -> Double {
    let h = humidity.map { Double($0) }
    let celsius = fineTemperature / 5120
    let var1 = Double(raw) - (h[0] * 16 + h[2] / 2 * celsius)
    let var2 =
      var1 * (h[1] / 262_144 * (1 + h[3] / 16_384 * celsius + h[4] / 1_048_576 * celsius * celsius))
    let var3 = h[5] / 16_384
    let var4 = h[6] / 2_097_152
    return min(max(var2 + (var3 + var4 * celsius) * var2 * var2, 0), 100)
  }

  private func gasResistanceOhms(reading: UInt16, range: Int) -> Double {
    let var1 = (1340 + 5 * Double(rangeSwitchingError)) * Self.gasRangeFactors[range]
    return var1 * Self.gasRangeResistances[range] / (Double(reading) - 512 + var1)
  }
}
