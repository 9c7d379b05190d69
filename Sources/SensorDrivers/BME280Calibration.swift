/// A BME280's factory trimming parameters and the datasheet's integer compensation formulas
/// (BME280 datasheet, revision 1.6: table 16 for the layout, section 4.2.3 for the formulas).
///
/// Each chip is trimmed at the factory; raw readings mean nothing without these numbers.
public struct BME280Calibration: Equatable, Sendable {
  public var t1: UInt16
  public var t2: Int16
  public var t3: Int16
  public var p1: UInt16
  public var p2: Int16
  public var p3: Int16
  public var p4: Int16
  public var p5: Int16
  public var p6: Int16
  public var p7: Int16
  public var p8: Int16
  public var p9: Int16
  public var h1: UInt8
  public var h2: Int16
  public var h3: UInt8
  /// A signed 12-bit value.
  public var h4: Int16
  /// A signed 12-bit value.
  public var h5: Int16
  public var h6: Int8

  /// The registers that hold the calibration: 26 bytes from 0x88 (T1 to H1) and 7 from 0xE1.
  public static let firstBlockRegister: UInt8 = 0x88
  public static let firstBlockLength = 26
  public static let secondBlockRegister: UInt8 = 0xE1
  public static let secondBlockLength = 7

  /// The calibration from the two register blocks (table 16). Words are little-endian; H4 and H5
  /// are 12-bit values that share register 0xE5.
  public init(firstBlock: [UInt8], secondBlock: [UInt8]) {
    precondition(firstBlock.count == Self.firstBlockLength, "26 bytes from 0x88")
    precondition(secondBlock.count == Self.secondBlockLength, "7 bytes from 0xE1")
    func unsigned(_ offset: Int) -> UInt16 {
      UInt16(firstBlock[offset]) | UInt16(firstBlock[offset + 1]) << 8
    }
    func signed(_ offset: Int) -> Int16 { Int16(bitPattern: unsigned(offset)) }
    t1 = unsigned(0)
    t2 = signed(2)
    t3 = signed(4)
    p1 = unsigned(6)
    p2 = signed(8)
    p3 = signed(10)
    p4 = signed(12)
    p5 = signed(14)
    p6 = signed(16)
    p7 = signed(18)
    p8 = signed(20)
    p9 = signed(22)
    h1 = firstBlock[25]  // 0xA1; 0xA0 is unused.
    h2 = Int16(bitPattern: UInt16(secondBlock[0]) | UInt16(secondBlock[1]) << 8)
    h3 = secondBlock[2]
    // 0xE4 holds H4's bits 11:4 and 0xE6 H5's bits 11:4, both signed; 0xE5 holds H4's bits 3:0
    // (low nibble) and H5's bits 3:0 (high nibble).
    h4 = Int16(Int8(bitPattern: secondBlock[3])) * 16 | Int16(secondBlock[4] & 0x0F)
    h5 = Int16(Int8(bitPattern: secondBlock[5])) * 16 | Int16(secondBlock[4] >> 4)
    h6 = Int8(bitPattern: secondBlock[6])
  }

  /// The fine temperature that pressure and humidity compensation also use, from a 20-bit raw
  /// temperature (`BME280_compensate_T_int32`'s `t_fine`).
  public func fineTemperature(rawTemperature: Int32) -> Int32 {
    let t1 = Int32(self.t1)
    let var1 = (((rawTemperature >> 3) - (t1 << 1)) * Int32(t2)) >> 11
    let offset = (rawTemperature >> 4) - t1
    let var2 = (((offset * offset) >> 12) * Int32(t3)) >> 14
    return var1 + var2
  }

  /// Temperature in hundredths of a degree Celsius (5123 is 51.23 °C).
  public func temperatureCentidegrees(fineTemperature: Int32) -> Int32 {
    (fineTemperature * 5 + 128) >> 8
  }

  /// Pressure in Pa as unsigned Q24.8 (24674867 is 24674867 / 256 = 96386.2 Pa), by the 64-bit
  /// formula (`BME280_compensate_P_int64`); nil where the datasheet's formula would divide by 0.
  public func pressure256thPascals(rawPressure: Int32, fineTemperature: Int32) -> UInt32? {
    var var1 = Int64(fineTemperature) - 128_000
    var var2 = var1 * var1 * Int64(p6)
    var2 = var2 + ((var1 * Int64(p5)) << 17)
    var2 = var2 + (Int64(p4) << 35)
    var1 = ((var1 * var1 * Int64(p3)) >> 8) + ((var1 * Int64(p2)) << 12)
    var1 = (((Int64(1) << 47) + var1) * Int64(p1)) >> 33
    guard var1 != 0 else { return nil }
    var pressure = 1_048_576 - Int64(rawPressure)
    pressure = (((pressure << 31) - var2) * 3125) / var1
    var1 = (Int64(p9) * (pressure >> 13) * (pressure >> 13)) >> 25
    var2 = (Int64(p8) * pressure) >> 19
    pressure = ((pressure + var1 + var2) >> 8) + (Int64(p7) << 4)
    return UInt32(truncatingIfNeeded: pressure)
  }

  /// Relative humidity in percent as unsigned Q22.10 (47445 is 47445 / 1024 = 46.333 %RH), by
  /// `bme280_compensate_H_int32`.
  public func humidity1024thPercent(rawHumidity: Int32, fineTemperature: Int32) -> UInt32 {
    var value = fineTemperature - 76_800
    let scaledReading =
      ((rawHumidity << 14) - (Int32(h4) << 20) - (Int32(h5) * value) + 16_384) >> 15
    let sensitivity =
      (((((value * Int32(h6)) >> 10) * (((value * Int32(h3)) >> 11) + 32_768)) >> 10)
        + 2_097_152) * Int32(h2) + 8192
    value = scaledReading * (sensitivity >> 14)
    value = value - (((((value >> 15) * (value >> 15)) >> 7) * Int32(h1)) >> 4)
    value = min(max(value, 0), 419_430_400)
    return UInt32(value >> 12)
  }
}
