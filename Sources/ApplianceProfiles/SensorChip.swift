import BoardSupport
import JSON
import SensorDrivers

/// The chips a sensor profile may name, with the facts a profile is checked against: the
/// addresses each chip answers at and how often it can usefully be sampled.
public enum SensorChip: String, CaseIterable, Sendable {
  /// Sensirion SGP30: TVOC and eCO2.
  case sgp30
  /// Sensirion SCD40 or SCD41: CO2, temperature and humidity.
  case scd4x
  /// Bosch BME280: temperature, humidity and pressure.
  case bme280
  /// Bosch BME680: temperature, humidity, pressure and the gas sensor's resistance.
  case bme680
  /// ams (ScioSense) CCS811: TVOC and eCO2.
  case ccs811
  /// Adafruit STEMMA soil sensor (seesaw): soil moisture and temperature.
  case seesaw
  /// TI ADS1115 ADC reading an analog capacitive soil probe: soil moisture.
  case ads1115
  /// TI TMP105: temperature.
  case tmp105

  /// The chip's name as its datasheet writes it.
  public var displayName: String {
    switch self {
    case .sgp30: return "SGP30"
    case .scd4x: return "SCD4x"
    case .bme280: return "BME280"
    case .bme680: return "BME680"
    case .ccs811: return "CCS811"
    case .seesaw: return "seesaw soil sensor"
    case .ads1115: return "ADS1115"
    case .tmp105: return "TMP105"
    }
  }

  /// The addresses the chip can be strapped to (the drivers' constants, from the datasheets).
  public var addresses: [I2CAddress] {
    switch self {
    case .sgp30: return [SGP30.address]
    case .scd4x: return [SCD4x.address]
    case .bme280: return [BME280.secondaryAddress, BME280.primaryAddress]
    case .bme680: return [BME680.secondaryAddress, BME680.primaryAddress]
    case .ccs811: return [CCS811.primaryAddress, CCS811.secondaryAddress]
    // The seesaw's two address jumpers add 1 and 2 to 0x36 (Adafruit's soil sensor guide).
    case .seesaw: return (0x36...0x39).map { I2CAddress(known: $0) }
    // ADDR to GND, VDD, SDA or SCL (ADS1115 datasheet, "I2C Address Selection").
    case .ads1115: return (0x48...0x4B).map { I2CAddress(known: $0) }
    case .tmp105: return [TMP105.defaultAddress, TMP105.secondaryAddress]
    }
  }

  /// The shortest sample interval a profile may ask for, in seconds.
  public var minimumIntervalSeconds: Int {
    switch self {
    // Periodic measurement gives a new value every 5 s (SCD4x datasheet,
    // "start_periodic_measurement"); sampling faster reads the same value again.
    case .scd4x: return 5
    // The baseline algorithm needs measure_air_quality every 1 s (SGP30 datasheet,
    // "Air Quality Signals"), so the appliance measures at 1 s and cannot publish faster.
    case .sgp30: return 1
    // Drive mode 1 is the fastest mode that computes eCO2 and TVOC (CCS811 datasheet, MEAS_MODE).
    case .ccs811: return 1
    // These measure within a fraction of a second (the BME680 heats its gas sensor for 100 ms,
    // the TMP105 converts on its own every 220 ms); 1 s is Loam's floor, as nothing in a pot
    // or a fridge changes faster and a shared bus should stay mostly idle.
    case .bme280, .bme680, .seesaw, .ads1115, .tmp105: return 1
    }
  }

  /// The quantities the chip's readings carry, as `Reading.quantity` names them.
  public var quantities: [String] {
    switch self {
    case .sgp30, .ccs811: return ["tvoc", "eco2"]
    case .scd4x: return ["co2", "temperature", "humidity"]
    case .bme280: return ["temperature", "humidity", "pressure"]
    case .bme680: return ["temperature", "humidity", "pressure", "gas_resistance"]
    case .seesaw: return ["soil_moisture", "temperature"]
    case .ads1115: return ["soil_moisture"]
    case .tmp105: return ["temperature"]
    }
  }

  /// The chip names a profile may use, for error messages: `sgp30, scd4x, ...`.
  static var knownNames: String {
    allCases.map { $0.rawValue }.joined(separator: ", ")
  }
}

extension JSONObject {
  /// Decodes the member `key` as a chip name.
  func decodeSensorChip(_ key: String) throws(JSONDecodingError) -> SensorChip {
    let name: String = try decode(key)
    guard let chip = SensorChip(rawValue: name) else {
      throw JSONDecodingError(
        .invalidValue("unknown chip \"\(name)\" (known: \(SensorChip.knownNames))"),
        path: [.key(key)])
    }
    return chip
  }

  /// Decodes the member `key` as an address that `chip` can be strapped to.
  func decodeI2CAddress(_ key: String, of chip: SensorChip) throws(JSONDecodingError) -> I2CAddress
  {
    let address = try decodeI2CAddress(key)
    guard chip.addresses.contains(address) else {
      let allowed = chip.addresses.map { $0.description }.joined(separator: ", ")
      throw JSONDecodingError(
        .invalidValue("the \(chip.displayName) does not answer at \(address) (only \(allowed))"),
        path: [.key(key)])
    }
    return address
  }
}
