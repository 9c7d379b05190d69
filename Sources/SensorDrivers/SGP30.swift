import BoardSupport
import Time

/// A reading of an SGP30's air-quality signals.
public struct SGP30AirQuality: Equatable, Sendable {
  /// CO2 equivalent, in parts per million (400 to 60,000), estimated from the VOC signal.
  public var co2EquivalentPartsPerMillion: UInt16
  /// Total volatile organic compounds, in parts per billion (0 to 60,000).
  public var totalVOCPartsPerBillion: UInt16
  /// True during the 15 s after `initAirQuality`, when the chip answers the fixed values 400 ppm
  /// and 0 ppb whatever the air (datasheet, "Air Quality Signals"): not a measurement.
  public var isWarmingUp: Bool

  /// A reading of the given values.
  public init(
    co2EquivalentPartsPerMillion: UInt16, totalVOCPartsPerBillion: UInt16, isWarmingUp: Bool
  ) {
    self.co2EquivalentPartsPerMillion = co2EquivalentPartsPerMillion
    self.totalVOCPartsPerBillion = totalVOCPartsPerBillion
    self.isWarmingUp = isWarmingUp
  }
}

/// The SGP30's product type and version, from `Get_feature_set_version`.
public struct SGP30FeatureSet: Equatable, Sendable {
  /// Bits 7:0 of the feature set word: 0x20 or 0x22 on chips seen so far.
  public var productVersion: UInt8

  /// The feature set of a chip with this product version.
  public init(productVersion: UInt8) {
    self.productVersion = productVersion
  }
}

/// Driver for the Sensirion SGP30 multi-pixel gas sensor (I2C address 0x58).
///
/// Commands and execution times are from the SGP30 datasheet (version 1.0, May 2020), table 10
/// ("Measurement commands"), in section 6.3.
/// The usual sequence: `probe`, `initAirQuality`, then `measureAirQuality` once a second, which
/// the chip's dynamic baseline compensation expects; `setHumidity` whenever the humidity changes.
public struct SGP30 {
  /// The SGP30's only address.
  public static let address = I2CAddress(known: 0x58)

  /// The commands this driver uses (datasheet table 10).
  public enum Command {
    /// `Init_air_quality`: starts the air-quality measurement and its 15 s warm-up.
    public static let initAirQuality = SensirionCommand(
      code: 0x2003, executionTime: .milliseconds(10), responseWordCount: 0)
    /// `Measure_air_quality`: answers CO2eq (ppm) and TVOC (ppb).
    public static let measureAirQuality = SensirionCommand(
      code: 0x2008, executionTime: .milliseconds(12), responseWordCount: 2)
    /// `Set_humidity`: one argument word, absolute humidity in g/m3 as 8.8 fixed point.
    public static let setHumidity = SensirionCommand(
      code: 0x2061, executionTime: .milliseconds(10), responseWordCount: 0)
    /// `Get_feature_set_version`: product type (bits 15:12, 0 for SGP30) and version.
    public static let getFeatureSet = SensirionCommand(
      code: 0x202F, executionTime: .milliseconds(10), responseWordCount: 1)
    /// `Get_serial_id` (datasheet, "Get Serial ID"): a 48-bit serial number in three words.
    public static let getSerialID = SensirionCommand(
      code: 0x3682, executionTime: .microseconds(500), responseWordCount: 3)
  }

  /// How long after `Init_air_quality` the chip answers fixed values ("Air Quality Signals").
  public static let warmUpDuration = Duration.seconds(15)
  /// The largest absolute humidity `Set_humidity` takes, in g/m3: 0xFFFF in 8.8 fixed point.
  public static let absoluteHumidityMax = Double(UInt16.max) / 256

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  private var exchange = SensirionExchange()
  private var initializedAt: Instant?
  /// When the measurement in progress was sent: the chip decides then whether it is warming up.
  private var measurementSentAt: Instant?

  /// A driver for the SGP30 at its address, with `attemptsMax` attempts per transaction.
  public init(attemptsMax: Int = 3) {
    chip = I2CChipAccess(address: Self.address, attemptsMax: attemptsMax)
  }

  /// Checks that an SGP30 answers: its feature set must name product type 0 (SGP30).
  public mutating func probe<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<SGP30FeatureSet> {
    try step(Command.getFeatureSet, on: &bus, now: now).map {
      words throws(SensorError) in
      let productType = words[0] >> 12
      guard productType == 0 else {
        throw .unexpectedIdentity("product type \(productType) is not an SGP30 (0)")
      }
      return SGP30FeatureSet(productVersion: UInt8(truncatingIfNeeded: words[0]))
    }
  }

  /// Reads the chip's 48-bit serial number.
  public mutating func readSerialNumber<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<UInt64> {
    try step(Command.getSerialID, on: &bus, now: now).map(
      serialNumber(fromWords:))
  }

  /// Starts air-quality measurement; readings are fixed values for the next 15 s.
  public mutating func initAirQuality<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Void> {
    let isSending = exchange.commandInProgress == nil
    let sent = try step(Command.initAirQuality, on: &bus, now: now)
    if isSending { initializedAt = now }  // The chip has the command: its warm-up starts.
    return sent.map { _ in }
  }

  /// Measures CO2eq and TVOC. Readings taken during the warm-up are marked `isWarmingUp`.
  public mutating func measureAirQuality<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<SGP30AirQuality> {
    if exchange.commandInProgress == nil { measurementSentAt = now }
    let sentAt = measurementSentAt ?? now
    let isWarmingUp = initializedAt.map { sentAt < $0.advanced(by: Self.warmUpDuration) } ?? true
    return try step(Command.measureAirQuality, on: &bus, now: now).map {
      words in
      SGP30AirQuality(
        co2EquivalentPartsPerMillion: words[0], totalVOCPartsPerBillion: words[1],
        isWarmingUp: isWarmingUp)
    }
  }

  /// Tells the chip the absolute humidity for its compensation ("Humidity Compensation"), in grams
  /// per cubic metre; zero turns compensation off. The chip takes 0 to `absoluteHumidityMax`
  /// (255.996 g/m3), sent as 8.8 fixed point: the integer part in the high byte, 1/256ths in the
  /// low byte.
  public mutating func setHumidity<Bus: I2CBus>(
    gramsPerCubicMetre: Double, on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Void> {
    precondition(
      (0...Self.absoluteHumidityMax).contains(gramsPerCubicMetre), "absolute humidity out of range")
    let fixedPoint = UInt16((gramsPerCubicMetre * 256).rounded())
    return try step(Command.setHumidity, arguments: [fixedPoint], on: &bus, now: now).map { _ in }
  }

  /// One step of `command`. A chip that stops answering may have lost power, which ends its
  /// air-quality measurement, so the driver forgets the initialization: readings count as warm-up
  /// values until `initAirQuality` is sent again.
  private mutating func step<Bus: I2CBus>(
    _ command: SensirionCommand, arguments: [UInt16] = [], on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[UInt16]> {
    do {
      return try exchange.step(command, arguments: arguments, chip: chip, on: &bus, now: now)
    } catch {
      if case .notResponding = error { initializedAt = nil }
      throw error
    }
  }
}
