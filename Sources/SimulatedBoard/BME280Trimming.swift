/// The factory trimming parameters of a simulated BME280, and the datasheet's floating-point
/// compensation (BME280 datasheet, revision 1.6, section 8.1) run backwards to find the raw
/// readings a chip with this trimming gives in an environment.
public struct BME280Trimming: Equatable, Sendable {
  /// dig_T1 to dig_T3.
  public var temperature: (UInt16, Int16, Int16)
  /// dig_P1 to dig_P9; P1 is unsigned on the chip.
  public var pressure: [Int32]
  /// dig_H1 to dig_H6.
  public var humidity: (UInt8, Int16, UInt8, Int16, Int16, Int8)

  /// A trimming from its parameters.
  public init(
    temperature: (UInt16, Int16, Int16), pressure: [Int32],
    humidity: (UInt8, Int16, UInt8, Int16, Int16, Int8)
  ) {
    precondition(pressure.count == 9, "dig_P1 to dig_P9")
    precondition((0...65_535).contains(pressure[0]), "dig_P1 is unsigned 16-bit")
    self.temperature = temperature
    self.pressure = pressure
    self.humidity = humidity
  }

  /// The temperature and pressure trimming of the BMP280 datasheet's worked example (section
  /// 3.12; the BME280 shares these formulas), with humidity parameters of a typical chip.
  public static let example = BME280Trimming(
    temperature: (27_504, 26_435, -1000),
    pressure: [36_477, -10_685, 3024, 2855, 140, -7, 15_500, -14_600, 6000],
    humidity: (75, 362, 0, 313, 50, 30))

  public static func == (lhs: BME280Trimming, rhs: BME280Trimming) -> Bool {
    lhs.temperature == rhs.temperature && lhs.pressure == rhs.pressure
      && lhs.humidity == rhs.humidity
  }

  /// The register contents: 26 bytes from 0x88 and 7 from 0xE1 (datasheet table 16).
  public var registerBlocks: (first: [UInt8], second: [UInt8]) {
    var first: [UInt8] = []
    func appendLittleEndian(_ value: UInt16) {
      first.append(UInt8(value & 0xFF))
      first.append(UInt8(value >> 8))
    }
    appendLittleEndian(temperature.0)
    appendLittleEndian(UInt16(bitPattern: temperature.1))
    appendLittleEndian(UInt16(bitPattern: temperature.2))
    for value in pressure { appendLittleEndian(UInt16(truncatingIfNeeded: value)) }
    first.append(0)  // 0xA0 is unused.
    first.append(humidity.0)
    let h2 = UInt16(bitPattern: humidity.1)
    let h4 = UInt16(bitPattern: humidity.3)
    let h5 = UInt16(bitPattern: humidity.4)
    let second: [UInt8] = [
      UInt8(h2 & 0xFF), UInt8(h2 >> 8), humidity.2,
      UInt8(truncatingIfNeeded: h4 >> 4), UInt8(h4 & 0x0F) | UInt8(h5 & 0x0F) << 4,
      UInt8(truncatingIfNeeded: h5 >> 4), UInt8(bitPattern: humidity.5),
    ]
    return (first, second)
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
    let humidity = nearestRawValue(in: 0..<(1 << 16), target: environment.relativeHumidityPercent) {
      humidityPercent(raw: $0, fineTemperature: fine)
    }
    return (temperature, pressure, humidity)
  }

  /// `t_fine` of the floating-point formula.
  private func fineTemperature(raw: Int32) -> Double {
    let (t1, t2, t3) = (Double(temperature.0), Double(temperature.1), Double(temperature.2))
    let var1 = (Double(raw) / 16_384 - t1 / 1024) * t2
    let offset = Double(raw) / 131_072 - t1 / 8192
    return var1 + offset * offset * t3
  }

  private func pressurePascals(raw: Int32, fineTemperature: Double) -> Double {
    let p = pressure.map { Double($0) }
    var var1 = fineTemperature / 2 - 64_000
    var var2 = var1 * var1 * p[5] / 32_768
    var2 = var2 + var1 * p[4] * 2
    var2 = var2 / 4 + p[3] * 65_536
    var1 = (p[2] * var1 * var1 / 524_288 + p[1] * var1) / 524_288
    var1 = (1 + var1 / 32_768) * p[0]
    guard var1 != 0 else { return 0 }
    var result = 1_048_576 - Double(raw)
    result = (result - var2 / 4096) * 6250 / var1
    var1 = p[8] * result * result / 2_147_483_648
    var2 = result * p[7] / 32_768
    return result + (var1 + var2 + p[6]) / 16
  }

  private func humidityPercent(raw: Int32, fineTemperature: Double) -> Double {
    let h1 = Double(humidity.0)
    let h2 = Double(humidity.1)
    let h3 = Double(humidity.2)
    let h4 = Double(humidity.3)
    let h5 = Double(humidity.4)
    let h6 = Double(humidity.5)
    var value = fineTemperature - 76_800
    value =
      (Double(raw) - (h4 * 64 + h5 / 16_384 * value))
      * (h2 / 65_536 * (1 + h6 / 67_108_864 * value * (1 + h3 / 67_108_864 * value)))
    value = value * (1 - h1 * value / 524_288)
    return min(max(value, 0), 100)
  }
}
