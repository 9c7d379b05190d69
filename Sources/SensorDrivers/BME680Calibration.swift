/// A BME680's factory calibration and the datasheet's integer compensation formulas (BME680
/// datasheet, BST-BME680-DS001: sections 3.3.1 to 3.3.3 for temperature, pressure and humidity,
/// 3.3.5 for the heater's target, 3.4.1 for gas resistance and its range constants; each formula
/// comes with a table naming the registers of its parameters).
///
/// The datasheet text at hand (revision 1.0) gives the register tables but not the pseudo code:
/// it leaves temperature, pressure and humidity to Bosch's API, and its heater and gas formulas
/// did not survive the text extraction. The formulas here were taken from several independent
/// public transcriptions of those sections, which agree with one another and with the BME688
/// datasheet's sections 3.6.1 to 3.6.3 (same registers, same formulas); the tests check them
/// against the datasheet's floating-point versions. Intermediate products are 64-bit here: where
/// the datasheet's 32-bit ones do not overflow the results are the same, and where they would (a
/// large `par_p10`), these do not trap.
public struct BME680Calibration: Equatable, Sendable {
  /// `par_t1`, 0xE9/0xEA.
  public var t1: UInt16
  /// `par_t2`, 0x8A/0x8B.
  public var t2: Int16
  /// `par_t3`, 0x8C.
  public var t3: Int8
  /// `par_p1`, 0x8E/0x8F.
  public var p1: UInt16
  /// `par_p2`, 0x90/0x91.
  public var p2: Int16
  /// `par_p3`, 0x92.
  public var p3: Int8
  /// `par_p4`, 0x94/0x95.
  public var p4: Int16
  /// `par_p5`, 0x96/0x97.
  public var p5: Int16
  /// `par_p6`, 0x99.
  public var p6: Int8
  /// `par_p7`, 0x98.
  public var p7: Int8
  /// `par_p8`, 0x9C/0x9D.
  public var p8: Int16
  /// `par_p9`, 0x9E/0x9F.
  public var p9: Int16
  /// `par_p10`, 0xA0.
  public var p10: UInt8
  /// `par_h1`, 12 bits: 0xE3 and the low nibble of 0xE2.
  public var h1: UInt16
  /// `par_h2`, 12 bits: 0xE1 and the high nibble of 0xE2.
  public var h2: UInt16
  /// `par_h3`, 0xE4.
  public var h3: Int8
  /// `par_h4`, 0xE5.
  public var h4: Int8
  /// `par_h5`, 0xE6.
  public var h5: Int8
  /// `par_h6`, 0xE7.
  public var h6: UInt8
  /// `par_h7`, 0xE8.
  public var h7: Int8
  /// `par_g1`, 0xED.
  public var g1: Int8
  /// `par_g2`, 0xEB/0xEC.
  public var g2: Int16
  /// `par_g3`, 0xEE.
  public var g3: Int8
  /// `res_heat_range`, bits 5:4 of 0x02 (0 to 3).
  public var heaterResistanceRange: UInt8
  /// `res_heat_val`, 0x00.
  public var heaterResistanceCorrection: Int8
  /// `range_switching_error`, bits 7:4 of 0x04, a signed 4-bit value (-8 to 7).
  public var rangeSwitchingError: Int8

  /// The registers that hold the calibration: 23 bytes from 0x8A (to `par_p10` at 0xA0), 14 from
  /// 0xE1 (to `par_g3` at 0xEE) and 5 from 0x00 (the heater's and the gas range's trimming).
  public static let firstBlockRegister: UInt8 = 0x8A
  public static let firstBlockLength = 23
  public static let secondBlockRegister: UInt8 = 0xE1
  public static let secondBlockLength = 14
  public static let heaterBlockRegister: UInt8 = 0x00
  public static let heaterBlockLength = 5

  /// `const_array1_int` (section 3.4.1), by gas range: about 2^31 times the float table's
  /// factors.
  static let gasRangeFactors: [Int64] = [
    2_147_483_647, 2_147_483_647, 2_147_483_647, 2_147_483_647, 2_147_483_647, 2_126_008_810,
    2_147_483_647, 2_130_303_777, 2_147_483_647, 2_147_483_647, 2_143_188_679, 2_136_746_228,
    2_147_483_647, 2_126_008_810, 2_147_483_647, 2_147_483_647,
  ]
  /// `const_array2_int` (section 3.4.1), by gas range: 512 times the float table's resistances.
  static let gasRangeResistances: [Int64] = [
    4_096_000_000, 2_048_000_000, 1_024_000_000, 512_000_000, 255_744_255, 127_110_228,
    64_000_000, 32_258_064, 16_016_016, 8_000_000, 4_000_000, 2_000_000, 1_000_000, 500_000,
    250_000, 125_000,
  ]

  /// The calibration from the three register blocks. Words are little-endian.
  public init(firstBlock: [UInt8], secondBlock: [UInt8], heaterBlock: [UInt8]) {
    precondition(firstBlock.count == Self.firstBlockLength, "23 bytes from 0x8A")
    precondition(secondBlock.count == Self.secondBlockLength, "14 bytes from 0xE1")
    precondition(heaterBlock.count == Self.heaterBlockLength, "5 bytes from 0x00")
    func word(_ block: [UInt8], _ offset: Int) -> UInt16 {
      UInt16(block[offset]) | UInt16(block[offset + 1]) << 8
    }
    func signed(_ byte: UInt8) -> Int8 { Int8(bitPattern: byte) }
    t2 = Int16(bitPattern: word(firstBlock, 0))
    t3 = signed(firstBlock[2])
    p1 = word(firstBlock, 4)
    p2 = Int16(bitPattern: word(firstBlock, 6))
    p3 = signed(firstBlock[8])
    p4 = Int16(bitPattern: word(firstBlock, 10))
    p5 = Int16(bitPattern: word(firstBlock, 12))
    p7 = signed(firstBlock[14])  // 0x98 holds p7 and 0x99 p6, in that order.
    p6 = signed(firstBlock[15])
    p8 = Int16(bitPattern: word(firstBlock, 18))
    p9 = Int16(bitPattern: word(firstBlock, 20))
    p10 = firstBlock[22]
    // 0xE2 is shared: its high nibble is h2's bits 3:0, its low nibble h1's.
    h2 = UInt16(secondBlock[0]) << 4 | UInt16(secondBlock[1] >> 4)
    h1 = UInt16(secondBlock[2]) << 4 | UInt16(secondBlock[1] & 0x0F)
    h3 = signed(secondBlock[3])
    h4 = signed(secondBlock[4])
    h5 = signed(secondBlock[5])
    h6 = secondBlock[6]
    h7 = signed(secondBlock[7])
    t1 = word(secondBlock, 8)
    g2 = Int16(bitPattern: word(secondBlock, 10))
    g1 = signed(secondBlock[12])
    g3 = signed(secondBlock[13])
    heaterResistanceCorrection = signed(heaterBlock[0])
    heaterResistanceRange = heaterBlock[2] >> 4 & 0b11
    // An arithmetic shift of the whole byte keeps the nibble's sign.
    rangeSwitchingError = signed(heaterBlock[4]) >> 4
  }

  /// The fine temperature that pressure and humidity compensation also use, from a 20-bit raw
  /// temperature (`t_fine`, section 3.3.1).
  public func fineTemperature(rawTemperature: Int32) -> Int32 {
    let var1 = (Int64(rawTemperature) >> 3) - (Int64(t1) << 1)
    let var2 = (var1 * Int64(t2)) >> 11
    let var3 = ((((var1 >> 1) * (var1 >> 1)) >> 12) * (Int64(t3) << 4)) >> 14
    return Int32(truncatingIfNeeded: var2 + var3)
  }

  /// Temperature in hundredths of a degree Celsius (2201 is 22.01 °C; `temp_comp`).
  public func temperatureCentidegrees(fineTemperature: Int32) -> Int32 {
    Int32(truncatingIfNeeded: (Int64(fineTemperature) * 5 + 128) >> 8)
  }

  /// Pressure in pascals (`press_comp`, section 3.3.2); nil where the formula would divide by 0.
  public func pressurePascals(rawPressure: Int32, fineTemperature: Int32) -> UInt32? {
    var var1 = (Int64(fineTemperature) >> 1) - 64_000
    var var2 = ((((var1 >> 2) * (var1 >> 2)) >> 11) * Int64(p6)) >> 2
    var2 = var2 + ((var1 * Int64(p5)) << 1)
    var2 = (var2 >> 2) + (Int64(p4) << 16)
    var1 =
      (((((var1 >> 2) * (var1 >> 2)) >> 13) * (Int64(p3) << 5)) >> 3) + ((Int64(p2) * var1) >> 1)
    var1 = var1 >> 18
    var1 = ((32_768 + var1) * Int64(p1)) >> 15
    guard var1 != 0 else { return nil }
    var pressure = 1_048_576 - Int64(rawPressure)
    pressure = (pressure - (var2 >> 12)) * 3125
    // The datasheet divides first above 2^30, where its 32-bit shift would overflow; the rounding
    // differs between the two orders, so both are kept.
    if pressure >= 1 << 30 {
      pressure = (pressure / var1) << 1
    } else {
      pressure = (pressure << 1) / var1
    }
    var1 = (Int64(p9) * (((pressure >> 3) * (pressure >> 3)) >> 13)) >> 12
    var2 = ((pressure >> 2) * Int64(p8)) >> 13
    let var3 = ((pressure >> 8) * (pressure >> 8) * (pressure >> 8) * Int64(p10)) >> 17
    pressure = pressure + ((var1 + var2 + var3 + (Int64(p7) << 7)) >> 4)
    return UInt32(clamping: pressure)
  }

  /// Relative humidity in thousandths of a percent (47345 is 47.345 %RH; `hum_comp`, section
  /// 3.3.3), limited to 0 to 100 %RH as the datasheet's floating-point formula is.
  public func humidityMillipercent(rawHumidity: Int32, fineTemperature: Int32) -> UInt32 {
    let scaled = Int64(temperatureCentidegrees(fineTemperature: fineTemperature))
    let var1 = Int64(rawHumidity) - (Int64(h1) << 4) - (((scaled * Int64(h3)) / 100) >> 1)
    let var2 =
      (Int64(h2)
        * ((scaled * Int64(h4)) / 100 + ((scaled * ((scaled * Int64(h5)) / 100)) >> 6) / 100
          + (1 << 14)))
      >> 10
    let var3 = var1 * var2
    let var4 = ((Int64(h6) << 7) + (scaled * Int64(h7)) / 100) >> 4
    let var5 = ((var3 >> 14) * (var3 >> 14)) >> 10
    let var6 = (var4 * var5) >> 1
    let humidity = (((var3 + var6) >> 10) * 1000) >> 12
    return UInt32(min(max(humidity, 0), 100_000))
  }

  /// Gas resistance in ohms from the 10-bit `gas_adc` and the 4-bit `gas_range` the chip chose
  /// (`calc_gas_resistance`, section 3.4.1).
  public func gasResistanceOhms(rawGas: UInt16, range: UInt8) -> UInt32 {
    precondition(rawGas < 1024 && range < 16, "a 10-bit reading and a 4-bit range")
    let var1 =
      ((1340 + 5 * Int64(rangeSwitchingError)) * Self.gasRangeFactors[Int(range)]) >> 16
    let var2 = (Int64(rawGas) << 15) - (1 << 24) + var1
    // var1 is at least 1300 * 0.99 * 2^15, well above 2^24, so var2 is positive.
    assert(var2 > 0)
    let resistance = (((Self.gasRangeResistances[Int(range)] * var1) >> 9) + (var2 >> 1)) / var2
    return UInt32(clamping: resistance)
  }

  /// `res_heat_x` for a hot-plate target in degrees Celsius with the air at `ambientCelsius`, by
  /// the datasheet's integer formula (section 3.3.5).
  ///
  /// Its ambient term is a hundredth of the floating-point formula's (`par_g3 * amb_temp` is
  /// scaled by 25.6 where the float formula's scale works out at 2560), which moves the code by
  /// about one step; this follows the integer formula as written.
  public func heaterResistanceCode(targetCelsius: Int32, ambientCelsius: Int32) -> UInt8 {
    precondition((200...400).contains(targetCelsius), "the heater's range is 200 to 400 °C")
    let var1 = ((Int64(ambientCelsius) * Int64(g3)) / 10) << 8
    let var2 =
      (Int64(g1) + 784)
      * ((((Int64(g2) + 154_009) * Int64(targetCelsius) * 5) / 100 + 3_276_800) / 10)
    let var3 = var1 + (var2 >> 1)
    let var4 = var3 / (Int64(heaterResistanceRange) + 4)
    let var5 = 131 * Int64(heaterResistanceCorrection) + 65_536
    let codeTimes100 = ((var4 / var5) - 250) * 34
    return UInt8(clamping: (codeTimes100 + 50) / 100)
  }
}
