import BoardSupport
import Time

/// A model of a Sensirion SGP30 gas sensor at 0x58 (SGP30 datasheet, version 1.0, table 10).
///
/// It answers `Init_air_quality`, `Measure_air_quality` (400 ppm CO2eq and 0 ppb TVOC for 15 s
/// after init, the environment's values after that), `Set_humidity`, `Get_feature_set_version`
/// and `Get_serial_id`, with the datasheet's execution times. Other commands are not
/// acknowledged.
public final class SimulatedSGP30: SimulatedI2CChip {
  public let address = I2CAddress(known: 0x58)
  public var faults = SimulatedChipFaults()
  /// The 48-bit serial number the chip reports.
  public let serialNumber: UInt64 = 0x0000_0A1B_2C3D
  /// The feature set word: product type 0 (SGP30), version 0x22.
  public let featureSet: UInt16 = 0x0022
  /// The last absolute humidity set for compensation, 8.8 fixed point g/m3; 0 is off.
  public private(set) var absoluteHumidityFixedPoint: UInt16 = 0
  private var responder = SensirionResponder()
  private var initializedAt: Instant?

  /// A chip; it powers on when attached to a bus.
  public init() {}

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    let command = try responder.accept(bytes, now: now)
    switch (command.code, command.arguments.count) {
    case (0x2003, 0):  // Init_air_quality
      initializedAt = now
      responder.respond([], after: .milliseconds(10), now: now)
    case (0x2008, 0):  // Measure_air_quality
      responder.respond(
        airQuality(now: now, environment: environment), after: .milliseconds(12), now: now)
    case (0x2061, 1):  // Set_humidity
      absoluteHumidityFixedPoint = command.arguments[0]
      responder.respond([], after: .milliseconds(10), now: now)
    case (0x202F, 0):  // Get_feature_set_version
      responder.respond([featureSet], after: .milliseconds(10), now: now)
    case (0x3682, 0):  // Get_serial_id
      responder.respond(serialNumberWords(serialNumber), after: .microseconds(500), now: now)
    default:
      throw .dataNotAcknowledged
    }
  }

  public func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    try responder.read(count: count, now: now)
  }

  public func powerOn(now: Instant) {
    responder.reset()
    initializedAt = nil
    absoluteHumidityFixedPoint = 0
  }

  /// CO2eq and TVOC words: the fixed warm-up values until 15 s after init (or with no init).
  private func airQuality(now: Instant, environment: PhysicalEnvironment) -> [UInt16] {
    guard let initializedAt, now >= initializedAt.advanced(by: .seconds(15)) else {
      return [400, 0]
    }
    return [
      max(clampedWord(environment.co2PartsPerMillion), 400),
      min(clampedWord(environment.totalVOCPartsPerBillion), 60_000),
    ]
  }
}
