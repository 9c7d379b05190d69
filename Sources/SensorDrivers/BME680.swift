import BoardSupport
import Time

/// One reading of a BME680.
public struct BME680Measurement: Equatable, Sendable {
  /// Temperature, in degrees Celsius (resolution 0.01).
  public var temperatureCelsius: Double
  /// Air pressure, in pascals (resolution 1).
  public var pressurePascals: Double
  /// Relative humidity, in percent (resolution 0.001).
  public var relativeHumidityPercent: Double
  /// The gas sensor's resistance, in ohms (resolution 1), which falls as reducing gases such as
  /// VOCs rise; nil when no gas was measured, or the chip marked the reading invalid or its
  /// heater short of the target.
  public var gasResistanceOhms: Double?

  /// A reading of the given values.
  public init(
    temperatureCelsius: Double, pressurePascals: Double, relativeHumidityPercent: Double,
    gasResistanceOhms: Double?
  ) {
    self.temperatureCelsius = temperatureCelsius
    self.pressurePascals = pressurePascals
    self.relativeHumidityPercent = relativeHumidityPercent
    self.gasResistanceOhms = gasResistanceOhms
  }
}

/// Driver for the Bosch BME680 gas, temperature, pressure and humidity sensor (I2C address 0x76
/// or 0x77, set by the SDO pin), in forced mode: one measurement per request, asleep in between.
///
/// Registers are from the BME680 datasheet (BST-BME680-DS001), sections 5.2 (memory map) and
/// 5.3. `probe` checks the chip ID, resets the chip and reads its calibration; `measure` writes
/// the settings and starts a measurement, waits the time it takes, then polls `meas_status_0`
/// until the data is new and reads it.
public struct BME680 {
  /// The address with SDO to VDDIO.
  public static let primaryAddress = I2CAddress(known: 0x77)
  /// The address with SDO to GND.
  public static let secondaryAddress = I2CAddress(known: 0x76)

  /// The registers this driver uses (datasheet section 5.3).
  public enum Register {
    /// `res_heat_0`: the first heater set-point's target, a code from the calibration.
    public static let heaterResistance0: UInt8 = 0x5A
    /// `gas_wait_0`: the first heater set-point's heating time.
    public static let gasWait0: UInt8 = 0x64
    /// `ctrl_gas_1`: `run_gas` bit 4, `nb_conv` (the set-point to use) bits 3:0.
    public static let controlGas1: UInt8 = 0x71
    /// `ctrl_hum`: humidity oversampling, bits 2:0.
    public static let controlHumidity: UInt8 = 0x72
    /// `ctrl_meas`: temperature oversampling 7:5, pressure oversampling 4:2, mode 1:0; written
    /// last, since the chip ignores control writes once a measurement runs (section 3.1).
    public static let controlMeasurement: UInt8 = 0x74
    /// `meas_status_0`: `new_data_0` bit 7, `gas_measuring` bit 6, `measuring` bit 5. The 15
    /// bytes from here run to `gas_r_lsb` (0x2B) and are read in one burst, so that the status
    /// and the data belong to one measurement.
    public static let measurementStatus: UInt8 = 0x1D
    /// `id`: 0x61 on a BME680.
    public static let chipID: UInt8 = 0xD0
    /// `reset`: writing 0xB6 resets the chip as a power-on does.
    public static let reset: UInt8 = 0xE0
  }

  /// What register 0xD0 holds on a BME680.
  public static let chipID: UInt8 = 0x61
  /// What `reset` takes to reset the chip.
  static let softResetCommand: UInt8 = 0xB6
  /// How long `probe` waits after the soft reset: a margin over the datasheet's 2 ms start-up
  /// time (table 1).
  public static let startupTime = Duration.milliseconds(10)
  /// How often `measure` polls `meas_status_0` once the measurement should be done.
  public static let dataReadyPollInterval = Duration.milliseconds(5)
  /// How long `measure` polls before it decides the chip will not finish (it lost power and
  /// forgot the measurement, for one).
  public static let dataReadyTimeout = Duration.milliseconds(100)
  /// The bytes from `meas_status_0` to `gas_r_lsb`.
  static let dataLength = 15
  /// What a data register holds when its quantity was skipped or never measured.
  static let skippedTemperatureOrPressure: Int32 = 0x80000
  /// What the humidity registers hold when humidity was skipped.
  static let skippedHumidity: Int32 = 0x8000
  /// The heater's ambient temperature before the first reading, in degrees Celsius.
  static let assumedAmbientCelsius: Int32 = 25

  private enum Status {
    static let newData: UInt8 = 0x80
    /// `gas_measuring` and `measuring`.
    static let measuring: UInt8 = 0x60
  }

  private enum GasStatus {
    static let valid: UInt8 = 0x20
    static let heaterStable: UInt8 = 0x10
  }

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  /// How the chip measures.
  public let settings: BME680Settings
  /// The factory calibration, read by `probe`.
  public private(set) var calibration: BME680Calibration?
  /// The air temperature the heater's target code is computed for: the last reading's.
  private var ambientCelsius = assumedAmbientCelsius
  private var resetEndsAt: Instant?
  private var measurementReadyAt: Instant?
  private var polling = DataReadyPolling(
    interval: dataReadyPollInterval, timeout: dataReadyTimeout)

  /// A driver for the BME680 at `address` measuring with `settings`, with `attemptsMax`
  /// attempts per transaction.
  public init(
    address: I2CAddress = primaryAddress, settings: BME680Settings = BME680Settings(),
    attemptsMax: Int = 3
  ) {
    precondition(address == Self.primaryAddress || address == Self.secondaryAddress)
    chip = I2CChipAccess(address: address, attemptsMax: attemptsMax)
    self.settings = settings
  }

  /// Checks the chip ID, resets the chip, and once it has started again reads the calibration.
  public mutating func probe<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Void> {
    guard let readyAt = resetEndsAt else {
      let identity = try chip.readRegisters(from: Register.chipID, count: 1, on: &bus)[0]
      guard identity == Self.chipID else {
        throw .unexpectedIdentity(
          "chip ID \(hexadecimalText(identity)), a BME680 has \(hexadecimalText(Self.chipID))")
      }
      try chip.write([Register.reset, Self.softResetCommand], on: &bus)
      let readyAt = now.advanced(by: Self.startupTime)
      resetEndsAt = readyAt
      return .wait(until: readyAt)
    }
    guard now >= readyAt else { return .wait(until: readyAt) }
    resetEndsAt = nil
    let first = try chip.readRegisters(
      from: BME680Calibration.firstBlockRegister, count: BME680Calibration.firstBlockLength,
      on: &bus)
    let second = try chip.readRegisters(
      from: BME680Calibration.secondBlockRegister, count: BME680Calibration.secondBlockLength,
      on: &bus)
    let heater = try chip.readRegisters(
      from: BME680Calibration.heaterBlockRegister, count: BME680Calibration.heaterBlockLength,
      on: &bus)
    calibration = BME680Calibration(firstBlock: first, secondBlock: second, heaterBlock: heater)
    measurementReadyAt = nil
    return .done(())
  }

  /// Starts a forced-mode measurement, then reads and compensates it once it is done.
  public mutating func measure<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<BME680Measurement> {
    guard let calibration else { preconditionFailure("probe the BME680 first") }
    guard let readyAt = measurementReadyAt else {
      try chip.write(measurementStart(calibration: calibration), on: &bus)
      polling.ready()
      let readyAt = now.advanced(by: settings.measurementTime)
      measurementReadyAt = readyAt
      return .wait(until: readyAt)
    }
    guard now >= readyAt else { return .wait(until: readyAt) }
    measurementReadyAt = nil
    let data = try chip.readRegisters(
      from: Register.measurementStatus, count: Self.dataLength, on: &bus)
    guard data[0] & Status.newData != 0, data[0] & Status.measuring == 0 else {
      let pollAt = try polling.notReady(now: now)
      measurementReadyAt = pollAt
      return .wait(until: pollAt)
    }
    polling.ready()
    let measurement = try Self.compensate(data: data, calibration: calibration)
    // The heater code needs whole degrees within the chip's operating range.
    ambientCelsius = min(max(Int32(measurement.temperatureCelsius), -40), 85)
    return .done(measurement)
  }

  /// Register-and-value pairs in one write (datasheet section 6.2.1): the oversampling, the
  /// first heater set-point and whether to use it, then `ctrl_meas` with forced mode.
  private func measurementStart(calibration: BME680Calibration) -> [UInt8] {
    var bytes = [Register.controlHumidity, settings.humidityOversampling.rawValue]
    if let heater = settings.heater {
      let target = calibration.heaterResistanceCode(
        targetCelsius: heater.targetCelsius, ambientCelsius: ambientCelsius)
      // run_gas with nb_conv 0: one gas conversion at set-point 0.
      bytes += [
        Register.gasWait0, heater.waitCode, Register.heaterResistance0, target,
        Register.controlGas1, 0x10,
      ]
    } else {
      bytes += [Register.controlGas1, 0x00]
    }
    let forcedMode: UInt8 = 0b01
    bytes += [
      Register.controlMeasurement,
      settings.temperatureOversampling.rawValue << 5 | settings.pressureOversampling.rawValue << 2
        | forcedMode,
    ]
    return bytes
  }

  /// The measurement in the 15 bytes from `meas_status_0` (0x1D): pressure at 0x1F, temperature
  /// at 0x22 (20 bits each), humidity at 0x25 (16 bits), the gas reading at 0x2A and 0x2B
  /// (10 bits, then `gas_valid_r` bit 5, `heat_stab_r` bit 4 and `gas_range_r` bits 3:0).
  public static func compensate(
    data: [UInt8], calibration: BME680Calibration
  ) throws(SensorError) -> BME680Measurement {
    precondition(data.count == dataLength, "15 data bytes from 0x1D")
    func twentyBits(_ offset: Int) -> Int32 {
      Int32(data[offset]) << 12 | Int32(data[offset + 1]) << 4 | Int32(data[offset + 2]) >> 4
    }
    let rawPressure = twentyBits(2)
    let rawTemperature = twentyBits(5)
    let rawHumidity = Int32(data[8]) << 8 | Int32(data[9])
    guard rawTemperature != skippedTemperatureOrPressure,
      rawPressure != skippedTemperatureOrPressure, rawHumidity != skippedHumidity
    else { throw .invalidData("the chip reports a quantity not measured") }
    let fine = calibration.fineTemperature(rawTemperature: rawTemperature)
    guard
      let pressure = calibration.pressurePascals(rawPressure: rawPressure, fineTemperature: fine)
    else { throw .invalidData("pressure compensation divides by zero") }
    let humidity = calibration.humidityMillipercent(
      rawHumidity: rawHumidity, fineTemperature: fine)
    let gasStatus = data[14]
    var gasResistance: Double?
    if gasStatus & GasStatus.valid != 0 && gasStatus & GasStatus.heaterStable != 0 {
      let rawGas = UInt16(data[13]) << 2 | UInt16(gasStatus >> 6)
      gasResistance = Double(
        calibration.gasResistanceOhms(rawGas: rawGas, range: gasStatus & 0x0F))
    }
    return BME680Measurement(
      temperatureCelsius: Double(calibration.temperatureCentidegrees(fineTemperature: fine)) / 100,
      pressurePascals: Double(pressure),
      relativeHumidityPercent: Double(humidity) / 1000,
      gasResistanceOhms: gasResistance)
  }
}
