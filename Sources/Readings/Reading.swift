import JSON
import Time

/// One measurement from one sensor, as an appliance reports it.
///
/// `sequence` numbers are per appliance and strictly increasing across all its sensors, which is
/// what lets the hub store a batch that was sent twice only once: it keeps the highest sequence it
/// has stored per appliance and treats anything at or below it as a duplicate.
public struct Reading: Equatable, Sendable {
  /// The sensor's identifier, `<appliance>.<name>`, for example `plant-pot.soil`.
  public var sensorID: String
  /// What is measured, in snake case: `soil_moisture`, `temperature`, `tvoc`, ...
  public var quantity: String
  /// The unit of `value` as people write it: `%`, `°C`, `ppb`, `ppm`, `%RH`.
  public var unit: String
  /// The measured value in `unit`; always finite.
  public var value: Double
  /// When the sensor was read, by the appliance's wall clock.
  public var time: UTCTime
  /// The appliance-wide sequence number, at least 1.
  public var sequence: UInt64

  /// A reading; `validate(forAppliance:)` checks it before it is trusted.
  public init(
    sensorID: String, quantity: String, unit: String, value: Double, time: UTCTime,
    sequence: UInt64
  ) {
    self.sensorID = sensorID
    self.quantity = quantity
    self.unit = unit
    self.value = value
    self.time = time
    self.sequence = sequence
  }
}

extension Reading {
  /// The longest quantity name accepted, in bytes.
  public static let maximumQuantityLength = 32
  /// The longest unit accepted, in Unicode scalars (as JSON Schema's `maxLength` counts).
  public static let maximumUnitLength = 16

  /// Checks the fields a decoder cannot: identifiers, lengths and ranges.
  /// Returns a message naming the first problem, or nil when the reading is valid.
  public func problem(forAppliance applianceID: String) -> String? {
    guard Identifier.isValid(sensorID) else {
      return "sensor id must be 1-64 characters of a-z, 0-9, '.', '_' or '-'"
    }
    guard sensorID.utf8.starts(with: applianceID.utf8),
      sensorID.utf8.dropFirst(applianceID.utf8.count).first == UInt8(ascii: "."),
      sensorID.utf8.count > applianceID.utf8.count + 1
    else {
      return "sensor id must start with the appliance id and a dot ('\(applianceID).')"
    }
    let quantityBytes = quantity.utf8
    guard !quantityBytes.isEmpty, quantityBytes.count <= Self.maximumQuantityLength,
      quantityBytes.allSatisfy({
        ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
      })
    else {
      return "quantity must be 1-32 characters of a-z, 0-9 or '_'"
    }
    let unitScalars = unit.unicodeScalars
    guard !unitScalars.isEmpty, unitScalars.count <= Self.maximumUnitLength,
      !unitScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
    else {
      return "unit must be 1-16 characters of printable text"
    }
    guard value.isFinite else { return "value must be a finite number" }
    guard sequence >= 1 else { return "seq must be at least 1" }
    return nil
  }
}
