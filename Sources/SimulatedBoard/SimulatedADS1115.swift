import BoardSupport
import Time

/// A model of a TI ADS1115 ADC (ADS1115 datasheet, TI SBAS444, "Register Map") in single-shot mode,
/// with an analog capacitive soil probe on one input.
///
/// Writing the config register with `OS` set starts a conversion of the selected single-ended
/// input; it takes one sample period at the configured data rate, during which `OS` reads 0.
/// Continuous mode, differential inputs and the comparator are not modelled (differential
/// inputs read 0 V).
public final class SimulatedADS1115: SimulatedI2CChip {
  public let address: I2CAddress
  public var faults = SimulatedChipFaults()
  /// The input the soil probe is wired to.
  public let probeChannel: Int
  /// The probe's output in dry soil, and in water, in volts: capacitive probes read lower when
  /// wetter.
  public let probeDryVolts = 2.8
  public let probeWetVolts = 1.2
  /// How much longer than one sample period a conversion takes, in percent: the datasheet
  /// allows a data rate up to 10 % slow; more models a failing chip.
  public var conversionSlownessPercent: Int64 = 0
  private var config: UInt16 = 0x8583
  private var conversion: UInt16 = 0
  private var registerPointer: UInt8 = 0
  private var conversionEndsAt: Instant?

  /// An ADC at `address` with the probe on input `probeChannel`.
  public init(address: I2CAddress = I2CAddress(known: 0x48), probeChannel: Int = 0) {
    precondition((0..<4).contains(probeChannel), "inputs 0 to 3")
    self.address = address
    self.probeChannel = probeChannel
  }

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    finishConversion(now: now, environment: environment)
    guard let pointer = bytes.first, pointer <= 0x03 else { throw .dataNotAcknowledged }
    registerPointer = pointer
    guard bytes.count > 1 else { return }
    guard bytes.count == 3, pointer == 0x01 else { throw .dataNotAcknowledged }
    let value = UInt16(bytes[1]) << 8 | UInt16(bytes[2])
    config = value & 0x7FFF
    let isSingleShot = value & 0x0100 != 0
    if value & 0x8000 != 0 && isSingleShot && conversionEndsAt == nil {
      conversionEndsAt = now.advanced(by: samplePeriod())
    }
  }

  public func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    finishConversion(now: now, environment: environment)
    let value: UInt16
    switch registerPointer {
    case 0x00: value = conversion
    case 0x01: value = config | (conversionEndsAt == nil ? 0x8000 : 0)
    case 0x02: value = 0x8000  // Lo_thresh's reset value.
    default: value = 0x7FFF  // Hi_thresh's reset value.
    }
    let answer = [UInt8(value >> 8), UInt8(value & 0xFF)]
    return (0..<count).map { answer[$0 % 2] }
  }

  public func powerOn(now: Instant) {
    // The reset value is 0x8583; OS (bit 15) is not stored, it reads 1 whenever no conversion runs.
    config = 0x0583
    conversion = 0
    registerPointer = 0
    conversionEndsAt = nil
  }

  /// One sample period at the data rate in config bits 7:5, slowed by
  /// `conversionSlownessPercent`.
  private func samplePeriod() -> Duration {
    let rates: [Int64] = [8, 16, 32, 64, 128, 250, 475, 860]
    let nominal = 1_000_000_000 / rates[Int(config >> 5 & 0b111)]
    return .nanoseconds(nominal * (100 + conversionSlownessPercent) / 100)
  }

  /// At the end of a conversion: the conversion register takes the input's code.
  private func finishConversion(now: Instant, environment: PhysicalEnvironment) {
    guard let end = conversionEndsAt, now >= end else { return }
    conversionEndsAt = nil
    let fullScales = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256]
    let fullScaleVolts = fullScales[Int(config >> 9 & 0b111)]
    let code = (inputVolts(environment) / fullScaleVolts * 32_768).rounded()
    conversion = UInt16(bitPattern: Int16(min(max(code, -32_768), 32_767)))
  }

  /// The voltage at the input the multiplexer (config bits 14:12) selects.
  private func inputVolts(_ environment: PhysicalEnvironment) -> Double {
    let multiplexer = Int(config >> 12 & 0b111)
    guard multiplexer == 4 + probeChannel else { return 0 }
    let fraction = min(max(environment.soilMoisturePercent / 100, 0), 1)
    return probeDryVolts + fraction * (probeWetVolts - probeDryVolts)
  }
}
