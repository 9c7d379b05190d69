import Readings
import Time

extension SampledValue {
  /// The reading an appliance publishes of this value: the sensor's id is the appliance's id
  /// and the value's sensor name (`plant-pot.soil`).
  public func reading(ofAppliance applianceID: String, time: UTCTime, sequence: UInt64)
    -> Reading
  {
    Reading(
      sensorID: "\(applianceID).\(sensorName)", quantity: quantity, unit: unit, value: value,
      time: time, sequence: sequence)
  }
}
