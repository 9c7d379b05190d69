import BoardSupport
import Time

/// A model of a Sensirion SCD40/SCD41 CO2 sensor at 0x62 (SCD4x datasheet, "Basic
/// Commands").
///
/// After `start_periodic_measurement` it takes a measurement of the environment every 5 s;
/// `get_data_ready_status` says whether one is waiting and `read_measurement` takes it. While
/// measuring it refuses the commands the datasheet reserves for idle mode (here
/// `get_serial_number` and another start). Power-on leaves it idle.
public final class SimulatedSCD4x: SimulatedI2CChip {
  /// The measurement period in periodic mode.
  public static let measurementInterval = Duration.seconds(5)

  public let address = I2CAddress(known: 0x62)
  public var faults = SimulatedChipFaults()
  /// The 48-bit serial number the chip reports.
  public let serialNumber: UInt64 = 0x0000_BEEF_F00D
  private var responder = SensirionResponder()
  /// When periodic measurement started; nil when idle.
  private var measuringSince: Instant?
  /// The number of the last measurement read since the start (the first is 1).
  private var lastReadMeasurement = 0

  /// A chip; it powers on when attached to a bus.
  public init() {}

  /// Whether periodic measurement is running.
  public var isMeasuringPeriodically: Bool { measuringSince != nil }

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    let command = try responder.accept(bytes, now: now)
    guard command.arguments.isEmpty else { throw .dataNotAcknowledged }
    switch command.code {
    case 0x21B1 where measuringSince == nil:  // start_periodic_measurement
      measuringSince = now
      lastReadMeasurement = 0
      responder.respond([], after: .zero, now: now)
    case 0xE4B8:  // get_data_ready_status
      // Any of the low 11 bits set means ready; the high bits are undefined.
      let status: UInt16 = latestMeasurement(now: now) > lastReadMeasurement ? 0x8006 : 0x8000
      responder.respond([status], after: .milliseconds(1), now: now)
    case 0xEC05:  // read_measurement
      let latest = latestMeasurement(now: now)
      guard latest > lastReadMeasurement else {
        // Nothing new to read: the read that follows is not acknowledged.
        responder.respond([], after: .milliseconds(1), now: now)
        return
      }
      lastReadMeasurement = latest
      responder.respond(measurementWords(environment), after: .milliseconds(1), now: now)
    case 0x3F86 where measuringSince != nil:  // stop_periodic_measurement
      measuringSince = nil
      responder.respond([], after: .milliseconds(500), now: now)
    case 0x3682 where measuringSince == nil:  // get_serial_number
      responder.respond(serialNumberWords(serialNumber), after: .milliseconds(1), now: now)
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
    measuringSince = nil
    lastReadMeasurement = 0
  }

  /// How many measurements periodic mode has completed by `now`; 0 when idle.
  private func latestMeasurement(now: Instant) -> Int {
    guard let measuringSince else { return 0 }
    let elapsed = now.duration(since: measuringSince)
    return Int(elapsed / Self.measurementInterval)
  }

  /// The CO2, temperature and humidity words (read_measurement's conversions, inverted).
  private func measurementWords(_ environment: PhysicalEnvironment) -> [UInt16] {
    [
      clampedWord(environment.co2PartsPerMillion),
      clampedWord((environment.temperatureCelsius + 45) * 65_535 / 175),
      clampedWord(environment.relativeHumidityPercent * 65_535 / 100),
    ]
  }
}
