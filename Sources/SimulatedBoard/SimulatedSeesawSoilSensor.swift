import BoardSupport
import Time

/// A model of the Adafruit STEMMA soil sensor's seesaw firmware at 0x36: hardware ID,
/// temperature and the touch channel that measures the probe's capacitance.
///
/// A read names its register in a write first; the firmware needs a few milliseconds to prepare
/// temperature and capacitance, and a read before then gets 0xFF bytes, which a careful driver
/// recognises (a count above 4095) and retries.
public final class SimulatedSeesawSoilSensor: SimulatedI2CChip {
  /// The capacitance count in bone-dry soil, and in water: this model's probe.
  public static let dryCount = 320.0
  public static let wetCount = 1015.0

  public let address: I2CAddress
  public var faults = SimulatedChipFaults()
  /// The value of `STATUS_HW_ID`: 0x55 for a SAMD09-based board.
  public let hardwareID: UInt8 = 0x55
  /// The next this many reads find the firmware not ready, however long the driver waited (it
  /// was busy elsewhere), and get 0xFF bytes.
  public var lateAnswersRemaining = 0
  private var requested: (module: UInt8, function: UInt8, readyAt: Instant)?

  /// A sensor at `address` (0x36 unless its jumpers are set).
  public init(address: I2CAddress = I2CAddress(known: 0x36)) {
    self.address = address
  }

  public func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    guard bytes.count >= 2 else { throw .dataNotAcknowledged }
    let preparation: Duration = bytes[0] == 0x00 && bytes[1] == 0x01 ? .zero : .milliseconds(5)
    requested = (bytes[0], bytes[1], now.advanced(by: preparation))
  }

  public func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    defer { requested = nil }
    guard let requested, now >= requested.readyAt, lateAnswersRemaining == 0 else {
      lateAnswersRemaining = max(lateAnswersRemaining - 1, 0)
      return [UInt8](repeating: 0xFF, count: count)
    }
    let answer: [UInt8]
    switch (requested.module, requested.function) {
    case (0x00, 0x01):
      answer = [hardwareID]
    case (0x00, 0x04):
      // 16.16 fixed point degrees Celsius, big-endian.
      let fixedPoint = UInt32(max(environment.temperatureCelsius, 0) * 65_536)
      answer = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: fixedPoint >> $0) }
    case (0x0F, 0x10):
      let fraction = min(max(environment.soilMoisturePercent / 100, 0), 1)
      let count = UInt16(
        (Self.dryCount + fraction * (Self.wetCount - Self.dryCount)).rounded())
      answer = [UInt8(count >> 8), UInt8(count & 0xFF)]
    default:
      answer = []
    }
    return (0..<count).map { $0 < answer.count ? answer[$0] : 0xFF }
  }

  public func powerOn(now: Instant) {
    requested = nil
  }
}
