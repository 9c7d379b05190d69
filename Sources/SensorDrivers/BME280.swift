import BoardSupport
import Time

/// One reading of a BME280.
public struct BME280Measurement: Equatable, Sendable {
  /// Temperature, in degrees Celsius (resolution 0.01).
  public var temperatureCelsius: Double
  /// Air pressure, in pascals (resolution 1/256).
  public var pressurePascals: Double
  /// Relative humidity, in percent (resolution 1/1024).
  public var relativeHumidityPercent: Double

  /// A reading of the given values.
  public init(temperatureCelsius: Double, pressurePascals: Double, relativeHumidityPercent: Double)
  {
    self.temperatureCelsius = temperatureCelsius
    self.pressurePascals = pressurePascals
    self.relativeHumidityPercent = relativeHumidityPercent
  }
}

/// Driver for the Bosch BME280 temperature, pressure and humidity sensor (I2C address 0x76 or
/// 0x77, set by the SDO pin), in forced mode: one measurement per request, asleep in between.
///
/// Registers are from the BME280 datasheet (revision 1.6), section 5.3 and table 18.
public struct BME280 {
  /// The address with SDO to VDDIO.
  public static let primaryAddress = I2CAddress(known: 0x77)
  /// The address with SDO to GND.
  public static let secondaryAddress = I2CAddress(known: 0x76)

  /// The registers this driver uses (datasheet section 5.4).
  public enum Register {
    /// `id`: 0x60 on a BME280 (0x58 on a BMP280, which has no humidity).
    public static let chipID: UInt8 = 0xD0
    /// `ctrl_hum`: humidity oversampling, bits 2:0; takes effect at the next `ctrl_meas` write.
    public static let controlHumidity: UInt8 = 0xF2
    /// `status`: bit 3 `measuring` is set while a conversion runs.
    public static let status: UInt8 = 0xF3
    /// `ctrl_meas`: temperature oversampling 7:5, pressure oversampling 4:2, mode 1:0.
    public static let controlMeasurement: UInt8 = 0xF4
    /// `press_msb`: the 8 data bytes from here are pressure (20 bits), temperature (20 bits)
    /// and humidity (16 bits), read in one burst so they belong to one measurement.
    public static let pressureMSB: UInt8 = 0xF7
  }

  /// What register 0xD0 holds on a BME280.
  public static let chipID: UInt8 = 0x60
  /// `ctrl_hum` for humidity oversampling x1.
  static let humidityOversamplingTimes1: UInt8 = 0b001
  /// `ctrl_meas` for temperature and pressure oversampling x1 (001 each) and forced mode (01).
  static let forcedMeasurementTimes1: UInt8 = 0b001_001_01
  /// The longest conversion at x1 oversampling of all three (datasheet section 9.1):
  /// 1.25 + 2.3 + (2.3 + 0.575) + (2.3 + 0.575) ms = 9.3 ms.
  public static let measurementTime = Duration.microseconds(9300)
  /// What a data register holds when its quantity was skipped or never measured.
  static let skippedTemperatureOrPressure: Int32 = 0x80000
  /// What the humidity registers hold when humidity was skipped.
  static let skippedHumidity: Int32 = 0x8000

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  /// The factory calibration, read by `probe`.
  public private(set) var calibration: BME280Calibration?
  private var measurementReadyAt: Instant?

  /// A driver for the BME280 at `address`, with `attemptsMax` attempts per transaction.
  public init(address: I2CAddress = primaryAddress, attemptsMax: Int = 3) {
    precondition(address == Self.primaryAddress || address == Self.secondaryAddress)
    chip = I2CChipAccess(address: address, attemptsMax: attemptsMax)
  }

  /// Checks the chip ID and reads the calibration. Needs no waiting.
  public mutating func probe<Bus: I2CBus>(on bus: inout Bus) throws(SensorError) {
    let identity = try chip.readRegisters(from: Register.chipID, count: 1, on: &bus)[0]
    guard identity == Self.chipID else {
      throw .unexpectedIdentity(
        "chip ID \(hexadecimalText(identity)), a BME280 has \(hexadecimalText(Self.chipID))")
    }
    let first = try chip.readRegisters(
      from: BME280Calibration.firstBlockRegister, count: BME280Calibration.firstBlockLength,
      on: &bus)
    let second = try chip.readRegisters(
      from: BME280Calibration.secondBlockRegister, count: BME280Calibration.secondBlockLength,
      on: &bus)
    calibration = BME280Calibration(firstBlock: first, secondBlock: second)
  }

  /// Starts a forced-mode measurement, then reads and compensates it once it is done.
  public mutating func measure<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<BME280Measurement> {
    guard let calibration else { preconditionFailure("probe the BME280 first") }
    guard let readyAt = measurementReadyAt else {
      // Register-and-value pairs in one write (datasheet section 6.2.1); ctrl_hum first, since
      // it only takes effect when ctrl_meas is written.
      try chip.write(
        [
          Register.controlHumidity, Self.humidityOversamplingTimes1,
          Register.controlMeasurement, Self.forcedMeasurementTimes1,
        ], on: &bus)
      let readyAt = now.advanced(by: Self.measurementTime)
      measurementReadyAt = readyAt
      return .wait(until: readyAt)
    }
    guard now >= readyAt else { return .wait(until: readyAt) }
    measurementReadyAt = nil
    let status = try chip.readRegisters(from: Register.status, count: 1, on: &bus)[0]
    guard status & 0b1000 == 0 else { throw .measurementTimedOut }
    let data = try chip.readRegisters(from: Register.pressureMSB, count: 8, on: &bus)
    return .done(try Self.compensate(data: data, calibration: calibration))
  }

  /// The measurement in the 8 data bytes from 0xF7 (datasheet section 5.4.7 to 5.4.9).
  public static func compensate(
    data: [UInt8], calibration: BME280Calibration
  ) throws(SensorError) -> BME280Measurement {
    precondition(data.count == 8, "8 data bytes from 0xF7")
    func twentyBits(_ offset: Int) -> Int32 {
      Int32(data[offset]) << 12 | Int32(data[offset + 1]) << 4 | Int32(data[offset + 2]) >> 4
    }
    let rawPressure = twentyBits(0)
    let rawTemperature = twentyBits(3)
    let rawHumidity = Int32(data[6]) << 8 | Int32(data[7])
    guard rawTemperature != skippedTemperatureOrPressure,
      rawPressure != skippedTemperatureOrPressure, rawHumidity != skippedHumidity
    else { throw .invalidData("the chip reports a quantity not measured") }
    let fine = calibration.fineTemperature(rawTemperature: rawTemperature)
    guard
      let pressure = calibration.pressure256thPascals(
        rawPressure: rawPressure, fineTemperature: fine)
    else { throw .invalidData("pressure compensation divides by zero") }
    let humidity = calibration.humidity1024thPercent(
      rawHumidity: rawHumidity, fineTemperature: fine)
    return BME280Measurement(
      temperatureCelsius: Double(calibration.temperatureCentidegrees(fineTemperature: fine)) / 100,
      pressurePascals: Double(pressure) / 256,
      relativeHumidityPercent: Double(humidity) / 1024)
  }
}
