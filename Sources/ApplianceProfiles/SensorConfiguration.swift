import BoardSupport
import JSON
import Readings
import SensorDrivers

/// One sensor in a profile: which chip, where it sits, how often it is read, and the settings
/// its chip needs.
///
/// ```json
/// {"id": "soil", "chip": "ads1115", "bus": 1, "address": "0x48", "interval_seconds": 60,
///  "channel": 0, "full_scale_volts": 4.096, "calibration": {"dry": 2.75, "wet": 1.25}}
/// ```
public struct SensorConfiguration: Equatable, Sendable {
  /// The sensor's local name; readings are published as `<appliance>.<id>`.
  public var id: String
  /// The chip.
  public var chip: SensorChip
  /// The I2C bus number (`1` is `/dev/i2c-1` on a Pi).
  public var bus: Int
  /// The chip's 7-bit address, one its datasheet allows.
  public var address: I2CAddress
  /// How often the sensor is read, in seconds; at least the chip's minimum.
  public var intervalSeconds: Int
  /// Chip-specific settings.
  public var options: SensorOptions

  /// The largest bus number accepted; Linux numbers adapters from 0 and a Pi has a handful.
  public static let busNumberMax = 255
  /// The longest sample interval accepted, one day: a sensor read less often is forgotten.
  public static let intervalSecondsMax = 86_400
}

/// The settings only some chips have.
public enum SensorOptions: Equatable, Sendable {
  /// The chip needs none.
  case none
  /// A seesaw soil sensor's calibration, in its capacitance counts.
  case seesaw(calibration: MoistureCalibration)
  /// An ADS1115 input with an analog probe: the channel (AIN0 to AIN3), the gain, and the
  /// probe's calibration in volts.
  case ads1115(channel: Int, gain: ADS1115.Gain, calibration: MoistureCalibration)
}

extension SensorConfiguration: JSONDecodable {
  private static let commonKeys = ["id", "chip", "bus", "address", "interval_seconds"]

  /// The members only sensors of `chip` have.
  private static func optionKeys(of chip: SensorChip) -> [String] {
    switch chip {
    case .seesaw: return ["calibration"]
    case .ads1115: return ["channel", "full_scale_volts", "calibration"]
    case .sgp30, .scd4x, .bme280, .bme680, .ccs811, .tmp105: return []
    }
  }

  /// Decodes a sensor and checks everything about it that does not depend on other sensors.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    id = try object.decode("id")
    guard Identifier.isValid(id) else {
      throw JSONDecodingError(
        .invalidValue("a sensor id is lower-case letters, digits, '.', '_' and '-'"),
        path: [.key("id")])
    }
    chip = try object.decodeSensorChip("chip")
    try object.rejectUnknownKeys(allowed: Self.commonKeys + Self.optionKeys(of: chip))
    bus = try object.decodeInteger("bus", in: 0...Self.busNumberMax)
    address = try object.decodeI2CAddress("address", of: chip)
    intervalSeconds = try object.decodeInteger("interval_seconds", in: 1...Self.intervalSecondsMax)
    guard intervalSeconds >= chip.minimumIntervalSeconds else {
      throw JSONDecodingError(
        .invalidValue(
          "\(intervalSeconds) s is below the \(chip.displayName)'s minimum interval of"
            + " \(chip.minimumIntervalSeconds) s"),
        path: [.key("interval_seconds")])
    }
    switch chip {
    case .seesaw:
      options = .seesaw(calibration: try object.decodeSeesawCalibration("calibration"))
    case .ads1115:
      let gain = try object.decodeADS1115Gain("full_scale_volts")
      options = .ads1115(
        channel: try object.decodeInteger("channel", in: 0...3), gain: gain,
        calibration: try object.decodeAnalogProbeCalibration("calibration", gain: gain))
    case .sgp30, .scd4x, .bme280, .bme680, .ccs811, .tmp105:
      options = .none
    }
  }
}
