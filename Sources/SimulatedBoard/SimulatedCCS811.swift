import BoardSupport
import Time

/// A model of an ams CCS811 gas sensor at 0x5A or 0x5B (CCS811 datasheet, ams DS000459,
/// "Application Register Overview").
///
/// It powers on in boot mode with valid application firmware. Writing the register number
/// `APP_START` (0xF4) alone starts the application after 1 ms; in application mode, drive mode 1
/// in `MEAS_MODE` makes a result of the environment every second, flagged by `DATA_READY` until
/// `ALG_RESULT_DATA` is read. Writes the current mode does not allow set `STATUS`'s ERROR bit and
/// `ERROR_ID`'s WRITE_REG_INVALID, as on the chip. Clock stretching is not modelled.
public final class SimulatedCCS811: SimulatedI2CChip {
  public let address: I2CAddress
  public var faults = SimulatedChipFaults()
  /// Error flags the chip reports in `ERROR_ID` (bit 4 HEATER_FAULT, bit 5 HEATER_SUPPLY, ...);
  /// a test sets them to model a failing chip. Reading `ERROR_ID` clears them.
  public var errorFlags: UInt8 = 0
  /// The last `ENV_DATA` written: humidity and temperature words, in 1/512 units.
  public private(set) var environmentData: (humidity: UInt16, temperature: UInt16) = (0, 0)
  private var applicationStartsAt: Instant?
  private var registerPointer: UInt8 = 0
  /// When drive mode 1 was set; nil in idle mode.
  private var measuringSince: Instant?
  /// The number of the last result read since measuring started (the first is 1).
  private var lastReadResult = 0

  /// A chip at `address` (0x5A, or 0x5B with ADDR high).
  public init(address: I2CAddress = I2CAddress(known: 0x5A)) {
    precondition(address.value == 0x5A || address.value == 0x5B, "a CCS811 is at 0x5A or 0x5B")
    self.address = address
  }

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    guard let register = bytes.first else { return }
    registerPointer = register
    let data = Array(bytes.dropFirst())
    switch (register, data.count) {
    case (_, 0) where register != 0xF4:
      break  // Sets the register for the read that follows.
    case (0xF4, 0) where applicationStartsAt == nil:  // APP_START
      applicationStartsAt = now.advanced(by: .milliseconds(1))
    case (0x01, 1) where isInApplicationMode(now: now):  // MEAS_MODE
      let driveMode = data[0] >> 4 & 0b111
      measuringSince = driveMode == 1 ? now : nil
      lastReadResult = 0
    case (0x05, 4) where isInApplicationMode(now: now):  // ENV_DATA
      environmentData = (
        UInt16(data[0]) << 8 | UInt16(data[1]), UInt16(data[2]) << 8 | UInt16(data[3])
      )
    case (0xFF, 4) where data == [0x11, 0xE5, 0x72, 0x8A]:  // SW_RESET
      powerOn(now: now)
    default:
      errorFlags |= 0x01  // WRITE_REG_INVALID
    }
  }

  public func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    let answer: [UInt8]
    switch registerPointer {
    case 0x00:  // STATUS
      answer = [status(now: now)]
    case 0x02 where isInApplicationMode(now: now):  // ALG_RESULT_DATA
      lastReadResult = latestResult(now: now)
      answer = algorithmResult(environment: environment, now: now)
    case 0x20:  // HW_ID
      answer = [0x81]
    case 0xE0:  // ERROR_ID
      answer = [errorFlags]
      errorFlags = 0
    default:
      errorFlags |= 0x02  // READ_REG_INVALID
      answer = []
    }
    return (0..<count).map { $0 < answer.count ? answer[$0] : 0 }
  }

  public func powerOn(now: Instant) {
    errorFlags = 0
    environmentData = (0, 0)
    applicationStartsAt = nil
    registerPointer = 0
    measuringSince = nil
    lastReadResult = 0
  }

  private func isInApplicationMode(now: Instant) -> Bool {
    guard let applicationStartsAt else { return false }
    return now >= applicationStartsAt
  }

  /// `STATUS`: FW_MODE bit 7, APP_VALID bit 4 (always: the firmware is valid), DATA_READY
  /// bit 3, ERROR bit 0.
  private func status(now: Instant) -> UInt8 {
    var status: UInt8 = 0x10
    if isInApplicationMode(now: now) { status |= 0x80 }
    if latestResult(now: now) > lastReadResult { status |= 0x08 }
    if errorFlags != 0 { status |= 0x01 }
    return status
  }

  /// How many results drive mode 1 has produced by `now`.
  private func latestResult(now: Instant) -> Int {
    guard let measuringSince else { return 0 }
    return Int(now.duration(since: measuringSince) / .seconds(1))
  }

  /// eCO2 and TVOC (big-endian, within the chip's ranges), STATUS, ERROR_ID, and raw data
  /// (not modelled: zero).
  private func algorithmResult(environment: PhysicalEnvironment, now: Instant) -> [UInt8] {
    let co2 = min(max(clampedWord(environment.co2PartsPerMillion), 400), 8192)
    let tvoc = min(clampedWord(environment.totalVOCPartsPerBillion), 1187)
    return [
      UInt8(co2 >> 8), UInt8(co2 & 0xFF), UInt8(tvoc >> 8), UInt8(tvoc & 0xFF),
      status(now: now), errorFlags, 0, 0,
    ]
  }
}
