import BoardSupport
import Time

/// Driver for the Texas Instruments TMP105 digital temperature sensor (I2C address 0x48 or 0x49,
/// set by the A0 pin): a 12-bit two's complement reading in steps of 0.0625 °C.
///
/// Loam uses it where QEMU can emulate a sensor on the Raspberry Pi's header I2C bus (QEMU's
/// `tmp105` device), so that a bare-metal image's path from the BSC controller through a driver
/// to a reading is tested end to end. Registers and timings are from the TMP105 datasheet (TI
/// SLLS648): pointer register values 0 (temperature) and 1 (configuration); configuration bits
/// R1:R0 (6:5) the resolution, SD (0) shutdown; conversion times by resolution, typical 27.5,
/// 55, 110 and 220 ms.
public struct TMP105 {
  /// The address with A0 to GND.
  public static let defaultAddress = I2CAddress(known: 0x48)
  /// The address with A0 to V+.
  public static let secondaryAddress = I2CAddress(known: 0x49)

  enum Register {
    static let temperature: UInt8 = 0x00
    static let configuration: UInt8 = 0x01
  }

  /// Configuration for 12-bit continuous conversion: R1:R0 = 11, everything else at reset.
  static let twelveBitContinuous: UInt8 = 0b0110_0000
  /// The datasheet's typical 12-bit conversion time, with half again for the worst case.
  static let conversionTime = Duration.milliseconds(330)

  /// The chip's address and retry bound.
  public let chip: I2CChipAccess
  /// When the first conversion after configuring finishes; nil before `probe`.
  private var firstConversionAt: Instant?

  /// A driver for the TMP105 at `address`.
  public init(address: I2CAddress = defaultAddress, attemptsMax: Int = 3) {
    precondition(address == Self.defaultAddress || address == Self.secondaryAddress)
    chip = I2CChipAccess(address: address, attemptsMax: attemptsMax)
  }

  /// Sets 12-bit continuous conversion and reads the configuration back. The chip has no
  /// identity register, so a register that keeps what it is given is the test that it is there.
  public mutating func probe<Bus: I2CBus>(on bus: inout Bus, now: Instant) throws(SensorError) {
    try chip.write([Register.configuration, Self.twelveBitContinuous], on: &bus)
    let readBack = try chip.readRegisters(from: Register.configuration, count: 1, on: &bus)[0]
    // Bit 7 (OS/ALERT) reads the alert state, not what was written.
    guard readBack & 0x7F == Self.twelveBitContinuous else {
      throw .unexpectedIdentity(
        "configuration reads \(hexadecimalText(readBack)) after writing \(hexadecimalText(Self.twelveBitContinuous))"
      )
    }
    firstConversionAt = now.advanced(by: Self.conversionTime)
  }

  /// The temperature in degrees Celsius, once the first conversion has had time to finish.
  public mutating func measureCelsius<Bus: I2CBus>(
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<Double> {
    guard let readyAt = firstConversionAt else { preconditionFailure("probe the TMP105 first") }
    guard now >= readyAt else { return .wait(until: readyAt) }
    let bytes = try chip.readRegisters(from: Register.temperature, count: 2, on: &bus)
    return .done(Self.celsius(fromRegister: UInt16(bytes[0]) << 8 | UInt16(bytes[1])))
  }

  /// The temperature register's value in degrees Celsius: 12 bits, left-justified, two's
  /// complement, 0.0625 °C a step (datasheet table 2: 0x7FF0 is 127.9375, 0xE700 is -25).
  public static func celsius(fromRegister value: UInt16) -> Double {
    Double(Int16(bitPattern: value) >> 4) * 0.0625
  }
}
