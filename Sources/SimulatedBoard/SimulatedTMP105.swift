import BoardSupport
import Time

/// A model of a TI TMP105 temperature sensor at 0x48 or 0x49 (TMP105 datasheet, TI SLLS648), in
/// its register interface: a pointer register (bits 1:0) selecting the temperature register
/// (read-only, two bytes), the configuration register (one byte) or the `T_LOW` and `T_HIGH`
/// limit registers (two bytes each), most significant byte first. A read longer than its
/// register repeats it.
///
/// The chip converts continuously from power-up. Each conversion takes the datasheet's typical
/// time at the resolution in configuration bits R1:R0 (6:5): 27.5, 55, 110 or 220 ms for 9, 10,
/// 11 or 12 bits. The temperature register holds the latest result, left-justified two's
/// complement with the bits below the resolution zero (a 9-bit reading moves in 0.5 °C steps),
/// and 0 °C until the first conversion ends. With SD (bit 0) set the chip stops after the
/// conversion under way, and writing OS (bit 7) while it is shut down starts one conversion.
/// The datasheet does not say what a change of resolution does to a conversion under way; the
/// model starts that conversion again at the new resolution.
///
/// The alert function is not modelled: the limit registers keep what is written (75 and 80 °C
/// from power-up) and OS/ALERT reads 0. Writes that fit no register (a pointer above 3, data for
/// the temperature register, the wrong number of data bytes) are not acknowledged.
public final class SimulatedTMP105: SimulatedI2CChip {
  public let address: I2CAddress
  public var faults = SimulatedChipFaults()
  private var registerPointer: UInt8 = 0
  /// Configuration bits 6:0; OS is not stored.
  private var configuration: UInt8 = 0
  private var temperature: UInt16 = 0
  /// `T_LOW`, then `T_HIGH`.
  private var limits = powerOnLimits
  /// When the conversion under way started; nil while the chip is shut down.
  private var conversionStartedAt: Instant?

  /// `T_LOW` and `T_HIGH` after power-up: 75 and 80 °C.
  private static let powerOnLimits: [UInt16] = [0x4B00, 0x5000]

  /// A chip at `address` (0x48 with A0 to GND, 0x49 with A0 to V+).
  public init(address: I2CAddress = I2CAddress(known: 0x48)) {
    precondition(address.value == 0x48 || address.value == 0x49, "a TMP105 is at 0x48 or 0x49")
    self.address = address
  }

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    finishConversion(now: now, environment: environment)
    guard let pointer = bytes.first else { return }
    // Pointer bits 7:2 are always 0 (datasheet table 1).
    guard pointer <= 0x03 else { throw .dataNotAcknowledged }
    registerPointer = pointer
    switch (pointer, bytes.count) {
    case (_, 1):
      break
    case (0x01, 2):
      configure(bytes[1], now: now)
    case (0x02, 3), (0x03, 3):
      limits[Int(pointer) - 2] = UInt16(bytes[1]) << 8 | UInt16(bytes[2])
    default:
      throw .dataNotAcknowledged
    }
  }

  public func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    finishConversion(now: now, environment: environment)
    let answer: [UInt8]
    switch registerPointer {
    case 0x00: answer = [UInt8(temperature >> 8), UInt8(temperature & 0xFF)]
    case 0x01: answer = [configuration]
    default:
      let limit = limits[Int(registerPointer) - 2]
      answer = [UInt8(limit >> 8), UInt8(limit & 0xFF)]
    }
    return (0..<count).map { answer[$0 % answer.count] }
  }

  public func powerOn(now: Instant) {
    registerPointer = 0
    configuration = 0
    temperature = 0
    limits = Self.powerOnLimits
    conversionStartedAt = now
  }

  /// The resolution code R1:R0: 0 for 9 bits to 3 for 12.
  private var resolutionCode: UInt8 { configuration >> 5 & 0b11 }

  /// SD: the chip stops converting.
  private var isShutDown: Bool { configuration & 0x01 != 0 }

  /// Takes a configuration byte: a change of resolution restarts the conversion under way,
  /// clearing SD starts converting again, and OS with SD starts a single conversion.
  private func configure(_ value: UInt8, now: Instant) {
    let isResolutionChanged = (value ^ configuration) & 0b0110_0000 != 0
    configuration = value & 0x7F
    if conversionStartedAt == nil {
      let isOneShot = value & 0x80 != 0
      if !isShutDown || isOneShot { conversionStartedAt = now }
    } else if isResolutionChanged {
      conversionStartedAt = now
    }
  }

  /// The datasheet's typical conversion time at the resolution: 27.5 ms at 9 bits, doubling
  /// with each bit.
  private var conversionTime: Duration {
    .microseconds(27_500 << Int64(resolutionCode))
  }

  /// Once a conversion has ended: the temperature register takes the environment's temperature,
  /// and the chip stops (SD) or goes on converting back to back.
  private func finishConversion(now: Instant, environment: PhysicalEnvironment) {
    guard let started = conversionStartedAt else { return }
    let period = conversionTime.nanosecondsClamped
    let elapsed = now.duration(since: started).nanosecondsClamped
    guard elapsed >= period else { return }
    temperature = register(celsius: environment.temperatureCelsius)
    conversionStartedAt =
      isShutDown ? nil : started.advanced(by: .nanoseconds(elapsed / period * period))
  }

  /// `celsius` as the temperature register holds it at the resolution: the nearest step of
  /// 0.5 °C (9 bits) to 0.0625 °C (12 bits) within the format's range, left-justified.
  private func register(celsius: Double) -> UInt16 {
    let bits = 9 + Int(resolutionCode)
    let steps = (celsius * Double(1 << (bits - 8))).rounded()
    let largest = Double(1 << (bits - 1) - 1)
    let code = Int16(min(max(steps, -largest - 1), largest))
    return UInt16(bitPattern: code << (16 - bits))
  }
}
