import BoardSupport
import Time

/// A reading of a CCS811's air-quality algorithm.
public struct CCS811AirQuality: Equatable, Sendable {
  /// Equivalent CO2, in parts per million (400 to 8192), estimated from the VOC signal.
  public var co2EquivalentPartsPerMillion: UInt16
  /// Total volatile organic compounds, in parts per billion (0 to 1187).
  public var totalVOCPartsPerBillion: UInt16

  /// A reading of the given values.
  public init(co2EquivalentPartsPerMillion: UInt16, totalVOCPartsPerBillion: UInt16) {
    self.co2EquivalentPartsPerMillion = co2EquivalentPartsPerMillion
    self.totalVOCPartsPerBillion = totalVOCPartsPerBillion
  }
}

/// Driver for the ams (ScioSense) CCS811 metal-oxide gas sensor (I2C address 0x5A, or 0x5B with
/// ADDR high), measuring once a second.
///
/// Registers are from the CCS811 datasheet (ams DS000459, version 2), "Application Register
/// Overview". The chip powers on in boot mode; `start` checks its identity, starts the
/// application firmware and sets the drive mode. `measure` then waits for `DATA_READY`. The
/// chip stretches the I2C clock, which the Raspberry Pi's controller handles badly: the bounded
/// retries of `I2CChipAccess` absorb the resulting bus errors.
public struct CCS811 {
  /// The address with ADDR low.
  public static let primaryAddress = I2CAddress(known: 0x5A)
  /// The address with ADDR high.
  public static let secondaryAddress = I2CAddress(known: 0x5B)

  /// The registers (mailboxes) this driver uses.
  public enum Register {
    /// `STATUS`: FW_MODE bit 7, APP_VALID bit 4, DATA_READY bit 3, ERROR bit 0.
    public static let status: UInt8 = 0x00
    /// `MEAS_MODE`: DRIVE_MODE in bits 6:4.
    public static let measurementMode: UInt8 = 0x01
    /// `ALG_RESULT_DATA`: eCO2 and TVOC (big-endian words), then STATUS, ERROR_ID and raw data.
    public static let algorithmResult: UInt8 = 0x02
    /// `ENV_DATA`: humidity and temperature for compensation, big-endian, in 1/512 units.
    public static let environmentData: UInt8 = 0x05
    /// `HW_ID`: 0x81.
    public static let hardwareID: UInt8 = 0x20
    /// `ERROR_ID`: which error set STATUS's ERROR bit; reading it clears them.
    public static let errorID: UInt8 = 0xE0
    /// `APP_START`: a write of the register number alone starts the application firmware.
    public static let applicationStart: UInt8 = 0xF4
  }

  /// What `HW_ID` holds on a CCS811.
  public static let hardwareID: UInt8 = 0x81
  /// `MEAS_MODE` drive mode 1: a measurement every second.
  static let driveModeEverySecond: UInt8 = 0b001 << 4
  /// The time the application firmware needs after `APP_START`.
  public static let applicationStartTime = Duration.milliseconds(1)
  /// How often `measure` polls `STATUS` while no data is ready.
  public static let dataReadyPollInterval = Duration.milliseconds(250)
  /// How long `measure` waits for data at one measurement a second before giving up.
  public static let dataReadyTimeout = Duration.seconds(3)

  private enum Status {
    static let firmwareMode: UInt8 = 0x80
    static let applicationValid: UInt8 = 0x10
    static let dataReady: UInt8 = 0x08
    static let error: UInt8 = 0x01
  }

  /// Where `start` is.
  private enum StartPhase {
    case notStarted
    case applicationStarting(readyAt: Instant)
    case running
  }

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  private var phase = StartPhase.notStarted
  private var polling = DataReadyPolling(
    interval: dataReadyPollInterval, timeout: dataReadyTimeout)

  /// A driver for the CCS811 at `address`, with `attemptsMax` attempts per transaction.
  public init(address: I2CAddress = primaryAddress, attemptsMax: Int = 3) {
    precondition(address == Self.primaryAddress || address == Self.secondaryAddress)
    chip = I2CChipAccess(address: address, attemptsMax: attemptsMax)
  }

  /// Whether `start` has finished and the chip measures every second.
  public var isRunning: Bool {
    if case .running = phase { return true }
    return false
  }

  /// Checks `HW_ID` and that valid application firmware is loaded, starts it, and sets one
  /// measurement a second.
  public mutating func start<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Void> {
    switch phase {
    case .running:
      return .done(())
    case .notStarted:
      let identity = try chip.readRegisters(from: Register.hardwareID, count: 1, on: &bus)[0]
      guard identity == Self.hardwareID else {
        throw .unexpectedIdentity(
          "HW_ID \(hexadecimalText(identity)), a CCS811 has \(hexadecimalText(Self.hardwareID))")
      }
      guard try readStatus(on: &bus) & Status.applicationValid != 0 else {
        throw .chipFault("no valid application firmware")
      }
      try chip.write([Register.applicationStart], on: &bus)
      let readyAt = now.advanced(by: Self.applicationStartTime)
      phase = .applicationStarting(readyAt: readyAt)
      return .wait(until: readyAt)
    case .applicationStarting(let readyAt):
      guard now >= readyAt else { return .wait(until: readyAt) }
      phase = .notStarted
      guard try readStatus(on: &bus) & Status.firmwareMode != 0 else {
        throw .chipFault("the application firmware did not start")
      }
      try chip.write([Register.measurementMode, Self.driveModeEverySecond], on: &bus)
      phase = .running
      polling.ready()
      return .done(())
    }
  }

  /// Tells the algorithm the air's temperature and humidity, for compensation (`ENV_DATA`).
  public func setEnvironment<Bus: I2CBus>(
    temperatureCelsius: Double, relativeHumidityPercent: Double, on bus: inout Bus
  ) throws(SensorError) {
    precondition(isRunning, "start the CCS811 first")
    // Both in units of 1/512: humidity in %RH, temperature offset by 25 °C so that it is
    // positive down to -25 °C.
    let humidity = UInt16(min(max(relativeHumidityPercent, 0), 100) * 512)
    let temperature = UInt16(min(max(temperatureCelsius + 25, 0), 127) * 512)
    try chip.write(
      [
        Register.environmentData, UInt8(humidity >> 8), UInt8(humidity & 0xFF),
        UInt8(temperature >> 8), UInt8(temperature & 0xFF),
      ], on: &bus)
  }

  /// The next result of the algorithm, once `DATA_READY` says there is one.
  public mutating func measure<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<CCS811AirQuality> {
    precondition(isRunning, "start the CCS811 first")
    let status = try readStatus(on: &bus)
    guard status & Status.firmwareMode != 0 else {
      // Back in boot mode: the chip lost power and must be started again.
      phase = .notStarted
      throw .restarted
    }
    guard status & Status.dataReady != 0 else {
      return .wait(until: try polling.notReady(now: now))
    }
    polling.ready()
    let result = try chip.readRegisters(from: Register.algorithmResult, count: 4, on: &bus)
    return .done(
      CCS811AirQuality(
        co2EquivalentPartsPerMillion: UInt16(result[0]) << 8 | UInt16(result[1]),
        totalVOCPartsPerBillion: UInt16(result[2]) << 8 | UInt16(result[3])))
  }

  /// `STATUS`; if its ERROR bit is set, the error in `ERROR_ID` is thrown (reading it clears it).
  private func readStatus<Bus: I2CBus>(on bus: inout Bus) throws(SensorError) -> UInt8 {
    let status = try chip.readRegisters(from: Register.status, count: 1, on: &bus)[0]
    guard status & Status.error == 0 else {
      let error = try chip.readRegisters(from: Register.errorID, count: 1, on: &bus)[0]
      throw .chipFault("ERROR_ID \(hexadecimalText(error))")
    }
    return status
  }

}
