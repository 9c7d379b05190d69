import BoardSupport
import Time

/// One reading of an SCD40 or SCD41.
public struct SCD4xMeasurement: Equatable, Sendable {
  /// CO2 concentration, in parts per million.
  public var co2PartsPerMillion: UInt16
  /// Temperature, in degrees Celsius.
  public var temperatureCelsius: Double
  /// Relative humidity, in percent.
  public var relativeHumidityPercent: Double

  /// A reading of the given values.
  public init(
    co2PartsPerMillion: UInt16, temperatureCelsius: Double, relativeHumidityPercent: Double
  ) {
    self.co2PartsPerMillion = co2PartsPerMillion
    self.temperatureCelsius = temperatureCelsius
    self.relativeHumidityPercent = relativeHumidityPercent
  }
}

/// Driver for the Sensirion SCD40 and SCD41 photoacoustic CO2 sensors (I2C address 0x62).
///
/// Commands, their execution times and the signal conversions are from the SCD4x datasheet
/// (Sensirion), "Basic Commands" (section 3.5), where each command has its own subsection. The
/// sequence: `probe` (reads the serial number, which the chip refuses while it
/// measures), `startPeriodicMeasurement`, then `measure` every 5 s or so: it asks
/// `get_data_ready_status` and reads the measurement once one is ready.
public struct SCD4x {
  /// The SCD4x's only address.
  public static let address = I2CAddress(known: 0x62)

  /// The commands this driver uses, by their datasheet names.
  public enum Command {
    /// `start_periodic_measurement`: a new measurement every 5 s; no execution time.
    public static let startPeriodicMeasurement = SensirionCommand(
      code: 0x21B1, executionTime: .zero, responseWordCount: 0)
    /// `read_measurement`: CO2, temperature and humidity words.
    public static let readMeasurement = SensirionCommand(
      code: 0xEC05, executionTime: .milliseconds(1), responseWordCount: 3)
    /// `stop_periodic_measurement`: the chip accepts other commands 500 ms later.
    public static let stopPeriodicMeasurement = SensirionCommand(
      code: 0x3F86, executionTime: .milliseconds(500), responseWordCount: 0)
    /// `get_data_ready_status`: a measurement is ready when the low 11 bits are not all zero.
    public static let getDataReadyStatus = SensirionCommand(
      code: 0xE4B8, executionTime: .milliseconds(1), responseWordCount: 1)
    /// `get_serial_number`: 48 bits in three words; only while idle.
    public static let getSerialNumber = SensirionCommand(
      code: 0x3682, executionTime: .milliseconds(1), responseWordCount: 3)
  }

  /// How often `measure` asks whether data is ready while it is not.
  public static let dataReadyPollInterval = Duration.milliseconds(500)
  /// How long `measure` waits for data before deciding the chip left periodic mode (a power
  /// loss does that): two 5 s measurement periods and a margin.
  public static let dataReadyTimeout = Duration.seconds(12)

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  /// Whether this driver started periodic measurement and has not stopped it.
  public private(set) var isMeasuringPeriodically = false
  private var exchange = SensirionExchange()
  private var polling = DataReadyPolling(
    interval: dataReadyPollInterval, timeout: dataReadyTimeout)

  /// A driver for the SCD4x at its address, with `attemptsMax` attempts per transaction.
  public init(attemptsMax: Int = 3) {
    chip = I2CChipAccess(address: Self.address, attemptsMax: attemptsMax)
  }

  /// Reads the 48-bit serial number, which proves an SCD4x answers. Only while idle.
  public mutating func probe<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<UInt64> {
    precondition(!isMeasuringPeriodically, "the SCD4x refuses get_serial_number while measuring")
    return try exchange.step(Command.getSerialNumber, chip: chip, on: &bus, now: now).map(
      serialNumber(fromWords:))
  }

  /// Starts a measurement every 5 s. The first is ready about 5 s later.
  public mutating func startPeriodicMeasurement<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Void> {
    let step = try exchange.step(
      Command.startPeriodicMeasurement, chip: chip, on: &bus, now: now)
    if case .done = step {
      isMeasuringPeriodically = true
      polling.ready()
    }
    return step.map { _ in }
  }

  /// Stops periodic measurement; done once the chip accepts commands again.
  public mutating func stopPeriodicMeasurement<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Void> {
    let step = try exchange.step(
      Command.stopPeriodicMeasurement, chip: chip, on: &bus, now: now)
    isMeasuringPeriodically = false  // The command was sent: the chip is stopping.
    return step.map { _ in }
  }

  /// The next measurement: waits until the chip has one ready, then reads and converts it.
  /// Throws `.measurementTimedOut` (and forgets periodic mode) if none comes in
  /// `dataReadyTimeout`; start periodic measurement again after that.
  public mutating func measure<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<SCD4xMeasurement> {
    precondition(isMeasuringPeriodically, "start periodic measurement first")
    if exchange.commandInProgress != Command.readMeasurement {
      switch try exchange.step(Command.getDataReadyStatus, chip: chip, on: &bus, now: now) {
      case .wait(let instant):
        return .wait(until: instant)
      case .done(let words) where words[0] & 0x07FF == 0:
        do {
          return .wait(until: try polling.notReady(now: now))
        } catch {
          // No data for two periods: the chip has left periodic mode, as a power loss does.
          isMeasuringPeriodically = false
          throw error
        }
      case .done:
        polling.ready()
      }
    }
    return try exchange.step(Command.readMeasurement, chip: chip, on: &bus, now: now).map {
      words in
      // read_measurement: T = -45 + 175 * word / (2^16 - 1), RH = 100 * word / (2^16 - 1).
      SCD4xMeasurement(
        co2PartsPerMillion: words[0],
        temperatureCelsius: -45 + 175 * Double(words[1]) / 65_535,
        relativeHumidityPercent: 100 * Double(words[2]) / 65_535)
    }
  }

}
