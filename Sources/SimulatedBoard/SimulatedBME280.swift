import BoardSupport
import Time

/// A model of a Bosch BME280 at 0x77 or 0x76 (BME280 datasheet, revision 1.6), in its register
/// interface: chip ID, calibration, `ctrl_hum`, `ctrl_meas`, `status` and the data registers,
/// with auto-incrementing reads and register-and-value pair writes (section 6.2).
///
/// A forced-mode measurement takes the datasheet's typical time (section 9.1); `status` shows
/// `measuring` until then, and only then do the data registers change. The raw values are found
/// by inverting the datasheet's floating-point compensation (section 8.1) for the environment,
/// so the driver's integer compensation should give the environment back to its resolution.
public final class SimulatedBME280: SimulatedI2CChip {
  public let address: I2CAddress
  public var faults = SimulatedChipFaults()
  /// The trimming parameters burnt into this chip.
  public let trimming: BME280Trimming
  private var registers = [UInt8](repeating: 0, count: 256)
  private var registerPointer: UInt8 = 0
  private var conversionEndsAt: Instant?

  /// A chip at `address` (0x76 or 0x77) trimmed with `trimming`.
  public init(
    address: I2CAddress = I2CAddress(known: 0x77), trimming: BME280Trimming = .example
  ) {
    precondition(address.value == 0x76 || address.value == 0x77, "a BME280 is at 0x76 or 0x77")
    self.address = address
    self.trimming = trimming
  }

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    finishConversion(now: now, environment: environment)
    guard let request = try RegisterPairWrite(bytes) else { return }
    registerPointer = request.pointer
    for (register, value) in request.writes { write(value, to: register, now: now) }
  }

  public func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    finishConversion(now: now, environment: environment)
    var bytes: [UInt8] = []
    for _ in 0..<count {
      bytes.append(registerPointer == 0xF3 ? status(now: now) : registers[Int(registerPointer)])
      registerPointer &+= 1
    }
    return bytes
  }

  public func powerOn(now: Instant) {
    registers = [UInt8](repeating: 0, count: 256)
    registers[0xD0] = 0x60
    let (first, second) = trimming.registerBlocks
    registers.replaceSubrange(0x88..<0x88 + first.count, with: first)
    registers.replaceSubrange(0xE1..<0xE1 + second.count, with: second)
    // Data registers read 0x80000 (temperature, pressure) and 0x8000 (humidity) until a
    // measurement (table 18's reset values).
    registers.replaceSubrange(0xF7...0xFE, with: [0x80, 0, 0, 0x80, 0, 0, 0x80, 0])
    registerPointer = 0
    conversionEndsAt = nil
  }

  /// Writes one register; read-only ones are ignored, as on the chip.
  private func write(_ value: UInt8, to register: UInt8, now: Instant) {
    switch register {
    case 0xE0 where value == 0xB6:
      powerOn(now: now)
    case 0xF2, 0xF5:
      registers[Int(register)] = value
    case 0xF4:
      registers[0xF4] = value
      if value & 0b11 == 0b01 || value & 0b11 == 0b10 {
        conversionEndsAt = now.advanced(by: typicalMeasurementTime())
      }
    default:
      break
    }
  }

  /// `status`: bit 3 `measuring` while a conversion runs.
  private func status(now: Instant) -> UInt8 {
    guard let end = conversionEndsAt, now < end else { return 0 }
    return 0b1000
  }

  /// Datasheet section 9.1, typical: 1 + 2 T + (2 P + 0.5) + (2 H + 0.5) ms, where each term is
  /// the oversampling count and a skipped quantity costs nothing.
  private func typicalMeasurementTime() -> Duration {
    func oversampling(_ code: UInt8) -> Int64 { code == 0 ? 0 : 1 << min(Int64(code) - 1, 4) }
    let temperature = oversampling(registers[0xF4] >> 5)
    let pressure = oversampling(registers[0xF4] >> 2 & 0b111)
    let humidity = oversampling(registers[0xF2] & 0b111)
    var microseconds = 1000 + 2000 * temperature
    if pressure > 0 { microseconds += 2000 * pressure + 500 }
    if humidity > 0 { microseconds += 2000 * humidity + 500 }
    return .microseconds(microseconds)
  }

  /// At the end of a forced conversion: the data registers take the environment's raw values
  /// and the chip goes back to sleep mode.
  private func finishConversion(now: Instant, environment: PhysicalEnvironment) {
    guard let end = conversionEndsAt, now >= end else { return }
    conversionEndsAt = nil
    registers[0xF4] &= ~0b11
    let raw = trimming.rawValues(for: environment)
    registers.replaceSubrange(
      0xF7...0xFE,
      with: [
        UInt8(raw.pressure >> 12), UInt8(raw.pressure >> 4 & 0xFF), UInt8(raw.pressure & 0xF) << 4,
        UInt8(raw.temperature >> 12), UInt8(raw.temperature >> 4 & 0xFF),
        UInt8(raw.temperature & 0xF) << 4,
        UInt8(raw.humidity >> 8), UInt8(raw.humidity & 0xFF),
      ])
  }
}
