import BoardSupport
import Time

/// A model of a Bosch BME680 at 0x77 or 0x76 (BME680 datasheet, BST-BME680-DS001), in its
/// register interface: chip ID, soft reset, calibration, the control and heater registers,
/// `meas_status_0` and the data registers, with auto-incrementing reads and register-and-value
/// pair writes (section 6.2).
///
/// A forced measurement (mode 01 in `ctrl_meas`) runs for the time Bosch's sensor API budgets
/// for it: 1.963 ms per sample, 4.293 ms of switching and gas conversion, 1 ms to wake, and the
/// heating time of the chosen set-point when `run_gas` is set. Meanwhile `meas_status_0` shows
/// `measuring` (and `gas_measuring` while heating) and control writes are dropped, since the chip
/// ignores them then (section 3.1). At the end the data registers change, `new_data_0` is set
/// until the next measurement starts, and the chip sleeps again.
///
/// Raw temperature, pressure and humidity are found by inverting the datasheet's floating-point
/// compensation for the environment, so the driver's integer compensation should give the
/// environment back to its resolution; oversampling changes the time, not the resolution. The
/// gas reading is real (`gas_valid_r`) only with `run_gas`, and the heater counts as stable
/// (`heat_stab_r`) when it heats for at least 20 ms, the datasheet's "approximately 20-30 ms"
/// (section 3.3.5).
public final class SimulatedBME680: SimulatedI2CChip {
  public let address: I2CAddress
  public var faults = SimulatedChipFaults()
  /// The calibration burnt into this chip.
  public let trimming: BME680Trimming
  /// Time each measurement takes beyond the budget, as a chip at the slow end of its tolerance
  /// needs; a test sets it to make a driver poll.
  public var conversionDelay = Duration.zero
  private var registers = [UInt8](repeating: 0, count: 256)
  private var registerPointer: UInt8 = 0
  /// While a measurement runs: when its heating starts (nil without gas) and when it ends.
  private var conversion: (heatingStartsAt: Instant?, endsAt: Instant)?

  /// The shortest heating after which the model's heater is at its target.
  static let heaterSettlingTime = Duration.milliseconds(20)

  /// A chip at `address` (0x76 or 0x77) calibrated with `trimming`.
  public init(
    address: I2CAddress = I2CAddress(known: 0x77), trimming: BME680Trimming = .example
  ) {
    precondition(address.value == 0x76 || address.value == 0x77, "a BME680 is at 0x76 or 0x77")
    self.address = address
    self.trimming = trimming
  }

  /// The resistance of the gas sensor's metal oxide in `environment`: 100 kΩ in clean air,
  /// falling as VOCs rise, R = 100 kΩ / √(1 + TVOC / 50 ppb). Metal-oxide sensors fall along a
  /// power law of concentration; this one's exponent of one half is of the usual size. Humidity
  /// and the heater's temperature, which also move it on a real chip, are left out.
  public static func gasResistanceOhms(in environment: PhysicalEnvironment) -> Double {
    let voc = max(environment.totalVOCPartsPerBillion, 0)
    return 100_000 / (1 + voc / 50).squareRoot()
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
      bytes.append(
        registerPointer == 0x1D ? measurementStatus(now: now) : registers[Int(registerPointer)])
      registerPointer &+= 1
    }
    return bytes
  }

  public func powerOn(now: Instant) {
    registers = [UInt8](repeating: 0, count: 256)
    registers[0xD0] = 0x61
    let (first, second, heater) = trimming.registerBlocks
    registers.replaceSubrange(0x8A..<0x8A + first.count, with: first)
    registers.replaceSubrange(0xE1..<0xE1 + second.count, with: second)
    registers.replaceSubrange(0x00..<heater.count, with: heater)
    // Pressure, temperature and humidity read 0x80000, 0x80000 and 0x8000 until a measurement
    // (the memory map's reset values, section 5.2).
    registers[0x1F] = 0x80
    registers[0x22] = 0x80
    registers[0x25] = 0x80
    registerPointer = 0
    conversion = nil
  }

  /// Writes one register; read-only ones are ignored, as on the chip.
  private func write(_ value: UInt8, to register: UInt8, now: Instant) {
    if register == 0xE0 {
      if value == 0xB6 { powerOn(now: now) }
      return
    }
    guard conversion == nil else { return }
    switch register {
    case 0x50...0x6D, 0x70...0x72, 0x75:  // Heater set-points, ctrl_gas, ctrl_hum, config.
      registers[Int(register)] = value
    case 0x74:
      registers[0x74] = value
      if value & 0b11 == 0b01 { startConversion(now: now) }
    default:
      break
    }
  }

  /// Starts a forced measurement of the quantities `ctrl_hum` and `ctrl_meas` ask for, and of
  /// gas at set-point `nb_conv` if `run_gas` is set.
  private func startConversion(now: Instant) {
    func sampleCount(_ code: UInt8) -> Int64 { code == 0 ? 0 : 1 << min(Int64(code) - 1, 4) }
    let samples =
      sampleCount(registers[0x74] >> 5) + sampleCount(registers[0x74] >> 2 & 0b111)
      + sampleCount(registers[0x72] & 0b111)
    let heatingStartsAt = now.advanced(
      by: .microseconds(samples * 1963 + 9 * 477 + 1000) + conversionDelay)
    var endsAt = heatingStartsAt
    if isRunningGas { endsAt = endsAt.advanced(by: heatingDuration) }
    conversion = (isRunningGas ? heatingStartsAt : nil, endsAt)
    registers[0x1D] = setPoint  // new_data_0 clears; gas_meas_index_0 is the set-point.
  }

  /// `meas_status_0`: `measuring` throughout a measurement, `gas_measuring` while heating.
  private func measurementStatus(now: Instant) -> UInt8 {
    guard let conversion else { return registers[0x1D] }
    var status = registers[0x1D] | 0x20
    if let heatingStartsAt = conversion.heatingStartsAt, now >= heatingStartsAt {
      status |= 0x40
    }
    return status
  }

  /// At the end of a forced measurement: the data registers take the environment's raw values,
  /// `new_data_0` is set and the chip goes back to sleep mode.
  private func finishConversion(now: Instant, environment: PhysicalEnvironment) {
    guard let conversion, now >= conversion.endsAt else { return }
    self.conversion = nil
    registers[0x74] &= ~0b11
    let raw = trimming.rawValues(for: environment)
    // A skipped quantity reads as at reset.
    let temperature: Int32 = registers[0x74] >> 5 == 0 ? 0x80000 : raw.temperature
    let pressure: Int32 = registers[0x74] >> 2 & 0b111 == 0 ? 0x80000 : raw.pressure
    let humidity: Int32 = registers[0x72] & 0b111 == 0 ? 0x8000 : raw.humidity
    func twentyBits(_ value: Int32) -> [UInt8] {
      [UInt8(value >> 12), UInt8(value >> 4 & 0xFF), UInt8(value & 0xF) << 4]
    }
    registers.replaceSubrange(0x1F...0x24, with: twentyBits(pressure) + twentyBits(temperature))
    registers[0x25] = UInt8(humidity >> 8)
    registers[0x26] = UInt8(humidity & 0xFF)
    if isRunningGas {
      let gas = trimming.rawGas(resistanceOhms: Self.gasResistanceOhms(in: environment))
      let isHeaterStable = heatingDuration >= Self.heaterSettlingTime
      registers[0x2A] = UInt8(gas.reading >> 2)
      registers[0x2B] =
        UInt8(gas.reading & 0b11) << 6 | 0x20 | (isHeaterStable ? 0x10 : 0) | gas.range
    } else {
      // A dummy gas conversion keeps the timing; its reading is not valid.
      registers[0x2A] = 0
      registers[0x2B] = 0
    }
    registers[0x1D] = 0x80 | setPoint
  }

  /// `run_gas`, bit 4 of `ctrl_gas_1`.
  private var isRunningGas: Bool { registers[0x71] & 0x10 != 0 }

  /// `nb_conv`, the heater set-point a gas measurement uses (0 to 9).
  private var setPoint: UInt8 { min(registers[0x71] & 0x0F, 9) }

  /// The heating time of the set-point: `gas_wait_x` counts milliseconds (bits 5:0) in units of
  /// 1, 4, 16 or 64 (bits 7:6).
  private var heatingDuration: Duration {
    let code = registers[0x64 + Int(setPoint)]
    return .milliseconds(Int64(code & 0x3F) << (2 * Int64(code >> 6)))
  }
}
