import BoardSupport
import Time

/// Driver for the Adafruit STEMMA soil sensor (product 4026): a seesaw microcontroller (SAMD09 or
/// ATtiny8x7) at I2C address 0x36 that measures a capacitive probe and its own temperature.
///
/// Seesaw registers are addressed by a module byte and a function byte (Adafruit's seesaw
/// documentation, "Reading and Writing Data"). After the two-byte write the firmware needs time
/// to prepare the answer, which is then read in a separate transaction.
public struct SeesawSoilSensor {
  /// The sensor's default address (0x36 to 0x39 with its address jumpers).
  public static let defaultAddress = I2CAddress(known: 0x36)

  /// A seesaw register: module base and function.
  public struct Register: Equatable, Sendable {
    /// The module, such as status (0x00) or touch (0x0F).
    public var module: UInt8
    /// The function within the module.
    public var function: UInt8
    /// How long the firmware needs before the answer can be read.
    public var preparationTime: Duration
    /// The length of the answer, in bytes.
    public var length: Int

    /// `STATUS_HW_ID`: one byte, 0x55 (SAMD09) or 0x87 (ATtiny8x7).
    public static let hardwareID = Register(
      module: 0x00, function: 0x01, preparationTime: .milliseconds(1), length: 1)
    /// `STATUS_TEMP`: 32-bit big-endian, 16.16 fixed point degrees Celsius (top 2 bits unused).
    public static let temperature = Register(
      module: 0x00, function: 0x04, preparationTime: .milliseconds(5), length: 4)
    /// `TOUCH_CHANNEL_OFFSET` of channel 0: the probe's capacitance count, big-endian.
    public static let capacitance = Register(
      module: 0x0F, function: 0x10, preparationTime: .milliseconds(5), length: 2)
  }

  /// Hardware IDs of the seesaw chips this sensor is built with.
  public static let hardwareIDs: [UInt8] = [0x55, 0x87]
  /// The largest capacitance count a healthy sensor reports; above it the firmware was not ready.
  public static let capacitanceMax: UInt16 = 4095
  /// Attempts at a capacitance reading before an out-of-range count is reported as invalid.
  public static let capacitanceAttemptsMax = 3

  /// A register read that was requested and can be read from `readyAt`.
  private struct Pending {
    var register: Register
    var readyAt: Instant
  }

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  private var pending: Pending?
  private var invalidCapacitanceCount = 0

  /// A driver for the soil sensor at `address`, with `attemptsMax` attempts per transaction.
  public init(address: I2CAddress = defaultAddress, attemptsMax: Int = 3) {
    chip = I2CChipAccess(address: address, attemptsMax: attemptsMax)
  }

  /// Reads the hardware ID and checks that it is a seesaw's; answers the ID.
  public mutating func probe<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<UInt8> {
    try read(.hardwareID, on: &bus, now: now).map { bytes throws(SensorError) in
      guard Self.hardwareIDs.contains(bytes[0]) else {
        throw .unexpectedIdentity("hardware ID \(hexadecimalText(bytes[0])) is not a seesaw's")
      }
      return bytes[0]
    }
  }

  /// The probe's capacitance count, 0 to 4095: higher is wetter. Turn it into percent with a
  /// `MoistureCalibration`.
  public mutating func measureCapacitance<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<UInt16> {
    if pending == nil { invalidCapacitanceCount = 0 }  // A new measurement, not a retry.
    let bytes: [UInt8]
    switch try read(.capacitance, on: &bus, now: now) {
    case .wait(let instant): return .wait(until: instant)
    case .done(let answer): bytes = answer
    }
    let count = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    guard count > Self.capacitanceMax else { return .done(count) }
    // The firmware answers 0xFFFF when it was not ready; ask again, a bounded number of times.
    invalidCapacitanceCount += 1
    guard invalidCapacitanceCount < Self.capacitanceAttemptsMax else {
      throw .invalidData("capacitance count \(count) above \(Self.capacitanceMax)")
    }
    return .wait(until: try request(.capacitance, on: &bus, now: now))
  }

  /// The temperature of the seesaw chip, in degrees Celsius.
  public mutating func measureTemperature<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Double> {
    try read(.temperature, on: &bus, now: now).map { bytes in
      let fixedPoint =
        UInt32(bytes[0] & 0x3F) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8
        | UInt32(bytes[3])
      return Double(fixedPoint) / 65_536
    }
  }

  /// Requests `register`, or reads its answer once the firmware has had time to prepare it.
  private mutating func read<Bus: I2CBus>(
    _ register: Register, on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[UInt8]> {
    if let pending {
      precondition(pending.register == register, "another read is still in progress")
      guard now >= pending.readyAt else { return .wait(until: pending.readyAt) }
      self.pending = nil
      return .done(try chip.read(count: register.length, on: &bus))
    }
    return .wait(until: try request(register, on: &bus, now: now))
  }

  /// Writes the register's address and answers when its value can be read.
  private mutating func request<Bus: I2CBus>(
    _ register: Register, on bus: inout Bus, now: Instant
  ) throws(SensorError) -> Instant {
    precondition(pending == nil, "another read is still in progress")
    try chip.write([register.module, register.function], on: &bus)
    let readyAt = now.advanced(by: register.preparationTime)
    pending = Pending(register: register, readyAt: readyAt)
    return readyAt
  }
}
