import BoardSupport
import Time

/// Driver for the Texas Instruments ADS1115 16-bit analog-to-digital converter (I2C address
/// 0x48 to 0x4B by its ADDR pin), reading single-ended inputs in single-shot mode. Loam uses it for
/// analog capacitive soil probes.
///
/// Registers and bit fields are from the ADS1115 datasheet (TI SBAS444), "Register Map".
public struct ADS1115 {
  /// The address with ADDR to GND.
  public static let defaultAddress = I2CAddress(known: 0x48)

  /// The register pointer values ("Address Pointer Register").
  public enum Register {
    /// Conversion: the last result, signed 16-bit big-endian.
    public static let conversion: UInt8 = 0x00
    /// Config: operational status, multiplexer, gain, mode, data rate, comparator.
    public static let config: UInt8 = 0x01
  }

  /// The programmable gain amplifier's full-scale range, config bits 11:9 `PGA`.
  public enum Gain: UInt16, Sendable {
    case fullScale6144Millivolts = 0x0000
    case fullScale4096Millivolts = 0x0200
    case fullScale2048Millivolts = 0x0400
    case fullScale1024Millivolts = 0x0600
    case fullScale512Millivolts = 0x0800
    case fullScale256Millivolts = 0x0A00

    /// The input voltage of the largest positive code, in volts.
    public var fullScaleVolts: Double {
      switch self {
      case .fullScale6144Millivolts: return 6.144
      case .fullScale4096Millivolts: return 4.096
      case .fullScale2048Millivolts: return 2.048
      case .fullScale1024Millivolts: return 1.024
      case .fullScale512Millivolts: return 0.512
      case .fullScale256Millivolts: return 0.256
      }
    }
  }

  /// Samples per second, config bits 7:5 `DR`.
  public enum DataRate: UInt16, Sendable {
    case samplesPerSecond8 = 0x0000
    case samplesPerSecond16 = 0x0020
    case samplesPerSecond32 = 0x0040
    case samplesPerSecond64 = 0x0060
    case samplesPerSecond128 = 0x0080
    case samplesPerSecond250 = 0x00A0
    case samplesPerSecond475 = 0x00C0
    case samplesPerSecond860 = 0x00E0

    /// One conversion takes one sample period.
    public var conversionTime: Duration {
      let rates: [Int64] = [8, 16, 32, 64, 128, 250, 475, 860]
      return .nanoseconds(1_000_000_000 / rates[Int(rawValue >> 5)])
    }

    /// How much longer than `conversionTime` a conversion may take: the datasheet allows the
    /// data rate to be up to 10 % slow ("Electrical Characteristics", data rate variation).
    public var tolerance: Duration {
      conversionTime / 10
    }
  }

  /// Config bit 15 `OS`: written 1, starts a single conversion; read 1, no conversion runs.
  static let operationalStatus: UInt16 = 0x8000
  /// Config bit 8 `MODE`: single-shot and power-down.
  static let singleShotMode: UInt16 = 0x0100
  /// Config bits 1:0 `COMP_QUE` = 11: the comparator is off.
  static let comparatorDisabled: UInt16 = 0x0003
  /// Status polls after the expected conversion time before the conversion counts as lost.
  static let statusPollsMax = 5

  /// A conversion that was started.
  private struct Pending {
    var channel: Int
    var readyAt: Instant
    var polls: Int
  }

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  /// The full-scale range every conversion uses.
  public let gain: Gain
  /// The data rate every conversion uses.
  public let dataRate: DataRate
  private var pending: Pending?

  /// A driver for the ADS1115 at `address`, converting with `gain` at `dataRate`.
  public init(
    address: I2CAddress = defaultAddress, gain: Gain = .fullScale4096Millivolts,
    dataRate: DataRate = .samplesPerSecond128, attemptsMax: Int = 3
  ) {
    chip = I2CChipAccess(address: address, attemptsMax: attemptsMax)
    self.gain = gain
    self.dataRate = dataRate
  }

  /// The config word for a single-shot conversion of input `channel` against ground: MUX 1xx
  /// (bits 14:12 = 4 + channel), this driver's gain and rate, comparator off.
  public func configuration(channel: Int, startingConversion: Bool) -> UInt16 {
    precondition((0..<4).contains(channel), "the ADS1115 has inputs 0 to 3")
    let multiplexer = UInt16(4 + channel) << 12
    let start = startingConversion ? Self.operationalStatus : 0
    return start | multiplexer | gain.rawValue | Self.singleShotMode | dataRate.rawValue
      | Self.comparatorDisabled
  }

  /// The chip has no identity register, so the probe writes a configuration that starts nothing
  /// and reads it back: a register that keeps what it is given, with the idle status bit set.
  public mutating func probe<Bus: I2CBus>(on bus: inout Bus) throws(SensorError) {
    precondition(pending == nil, "a conversion is in progress")
    let written = configuration(channel: 0, startingConversion: false)
    try writeConfig(written, on: &bus)
    let readBack = try readRegister(Register.config, on: &bus)
    guard readBack == written | Self.operationalStatus else {
      throw .unexpectedIdentity(
        "config register reads \(hexadecimalText(readBack)) after writing \(hexadecimalText(written))"
      )
    }
  }

  /// Converts input `channel` once and answers its voltage against ground, in volts.
  public mutating func measureVolts<Bus: I2CBus>(
    channel: Int, on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Double> {
    guard var started = pending else {
      try writeConfig(configuration(channel: channel, startingConversion: true), on: &bus)
      let readyAt = now.advanced(by: dataRate.conversionTime + dataRate.tolerance)
      pending = Pending(channel: channel, readyAt: readyAt, polls: 0)
      return .wait(until: readyAt)
    }
    precondition(started.channel == channel, "another channel is being converted")
    guard now >= started.readyAt else { return .wait(until: started.readyAt) }
    // Whatever happens next, this conversion is over unless the chip is still at it.
    pending = nil
    let status = try readRegister(Register.config, on: &bus)
    guard status & Self.operationalStatus != 0 else {
      started.polls += 1
      guard started.polls < Self.statusPollsMax else { throw .measurementTimedOut }
      started.readyAt = now.advanced(by: dataRate.tolerance)
      pending = started
      return .wait(until: started.readyAt)
    }
    let code = Int16(bitPattern: try readRegister(Register.conversion, on: &bus))
    // One code is FS / 2^15 ("Full-Scale Range and LSB Size").
    return .done(Double(code) * gain.fullScaleVolts / 32_768)
  }

  private func writeConfig<Bus: I2CBus>(_ value: UInt16, on bus: inout Bus) throws(SensorError) {
    try chip.write(
      [Register.config, UInt8(value >> 8), UInt8(truncatingIfNeeded: value)], on: &bus)
  }

  private func readRegister<Bus: I2CBus>(
    _ register: UInt8, on bus: inout Bus
  ) throws(SensorError) -> UInt16 {
    let bytes = try chip.readRegisters(from: register, count: 2, on: &bus)
    return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
  }
}
