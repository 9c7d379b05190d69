import BoardSupport
import JSON

/// A chip model on a simulated board's bus, as the `sim` board description lists it:
/// `{"chip": "sgp30", "bus": 1, "address": "0x58"}`.
public struct SimulatedDevice: Equatable, Sendable {
  /// The chip modelled.
  public var chip: SensorChip
  /// The bus it sits on.
  public var bus: Int
  /// Its address, one the chip allows.
  public var address: I2CAddress
}

extension SimulatedDevice: JSONDecodable {
  /// Decodes a device; that its bus exists is checked by the board.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["chip", "bus", "address"])
    chip = try object.decodeSensorChip("chip")
    bus = try object.decodeInteger("bus", in: 0...SensorConfiguration.busNumberMax)
    address = try object.decodeI2CAddress("address", of: chip)
  }
}
