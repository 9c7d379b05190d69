import JSON
import SensorDrivers

// A probe's dry/wet calibration as a profile writes it, `{"dry": 2.75, "wet": 1.25}`, with the
// checks that catch the usual mistakes: the two readings swapped, or copied twice.

extension JSONObject {
  /// A seesaw soil sensor's calibration, in capacitance counts. The count rises with moisture
  /// (Adafruit's guide: about 200 in dry soil to 2000 in wet), so dry must be below wet.
  func decodeSeesawCalibration(_ key: String) throws(JSONDecodingError) -> MoistureCalibration {
    try decodeCalibration(
      key, range: 0...Double(SeesawSoilSensor.capacitanceMax), risesWithMoisture: true,
      why: "the seesaw's capacitance count rises as the soil gets wetter")
  }

  /// An analog capacitive probe's calibration, in volts at the ADS1115. The probe's output
  /// falls as the soil gets wetter, so dry must be above wet, and both must be inside the
  /// gain's range or the reading would clip.
  func decodeAnalogProbeCalibration(
    _ key: String, gain: ADS1115.Gain
  ) throws(JSONDecodingError) -> MoistureCalibration {
    try decodeCalibration(
      key, range: 0...gain.fullScaleVolts, risesWithMoisture: false,
      why: "an analog capacitive probe's voltage falls as the soil gets wetter")
  }

  /// The ADS1115 gain named by its full-scale range in volts (ADS1115 datasheet, PGA field).
  func decodeADS1115Gain(_ key: String) throws(JSONDecodingError) -> ADS1115.Gain {
    let volts: Double = try decode(key)
    let gains: [ADS1115.Gain] = [
      .fullScale6144Millivolts, .fullScale4096Millivolts, .fullScale2048Millivolts,
      .fullScale1024Millivolts, .fullScale512Millivolts, .fullScale256Millivolts,
    ]
    guard let gain = gains.first(where: { $0.fullScaleVolts == volts }) else {
      throw JSONDecodingError(
        .invalidValue("the ADS1115's ranges are 6.144, 4.096, 2.048, 1.024, 0.512 and 0.256 V"),
        path: [.key(key)])
    }
    return gain
  }

  private func decodeCalibration(
    _ key: String, range: ClosedRange<Double>, risesWithMoisture: Bool, why: String
  ) throws(JSONDecodingError) -> MoistureCalibration {
    let object: JSONObject = try decode(key)
    do throws(JSONDecodingError) {
      try object.rejectUnknownKeys(allowed: ["dry", "wet"])
      let dry: Double = try object.decode("dry")
      let wet: Double = try object.decode("wet")
      for (name, value) in [("dry", dry), ("wet", wet)] where !range.contains(value) {
        throw JSONDecodingError(
          .invalidValue("outside the range the chip can read"), path: [.key(name)])
      }
      guard dry != wet else {
        throw JSONDecodingError(.invalidValue("dry and wet readings are equal; \(why)"))
      }
      guard (dry < wet) == risesWithMoisture else {
        let order = risesWithMoisture ? "below" : "above"
        throw JSONDecodingError(
          .invalidValue("dry and wet are reversed: dry must be \(order) wet, as \(why)"))
      }
      return MoistureCalibration(dry: dry, wet: wet)
    } catch {
      throw error.prefixed(with: .key(key))
    }
  }
}
