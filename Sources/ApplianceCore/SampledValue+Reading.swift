import Readings
import Time

extension SampledValue {
  /// The id of the value's sensor at the hub: the appliance's id and the value's sensor name
  /// (`plant-pot.soil`).
  public func sensorID(ofAppliance applianceID: String) -> String {
    "\(applianceID).\(sensorName)"
  }

  /// The reading an appliance publishes of this value.
  public func reading(ofAppliance applianceID: String, time: UTCTime, sequence: UInt64)
    -> Reading
  {
    Reading(
      sensorID: sensorID(ofAppliance: applianceID), quantity: quantity, unit: unit, value: value,
      time: time, sequence: sequence)
  }

  /// The line a unikernel prints for this value on its console:
  /// `reading plant-pot.soil soil_moisture 41.2 %`.
  public func consoleLine(ofAppliance applianceID: String) -> String {
    "reading \(sensorID(ofAppliance: applianceID)) \(quantity) \(value) \(unit)"
  }
}
