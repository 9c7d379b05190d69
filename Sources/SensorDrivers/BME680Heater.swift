import Time

/// A set-point of the BME680's gas-sensor heater: the hot plate's target temperature and how long
/// it is held there before the gas resistance is measured (BME680 datasheet, section 3.3.5; the
/// registers `res_heat_0` and `gas_wait_0`, section 5.3.3).
public struct BME680Heater: Equatable, Sendable {
  /// The hot plate's target, in degrees Celsius (200 to 400).
  public let targetCelsius: Int32
  /// `gas_wait_0`: the heating time as a count of milliseconds (bits 5:0) times 1, 4, 16 or 64
  /// (bits 7:6).
  public let waitCode: UInt8

  /// 100 ms of heating, as in the datasheet's quick start (section 3.2.1, `gas_wait_0` 0x59),
  /// to 300 °C, the middle of the heater's range (the quick start names no temperature).
  public static let quickStart = BME680Heater(targetCelsius: 300, heatingMilliseconds: 100)

  /// Heating to `targetCelsius` for `heatingMilliseconds` (1 to 4032), or as near below it as
  /// `gas_wait_0` can hold: the count has 6 bits, so times above 63 ms go in steps of 4, 16 or
  /// 64 ms.
  public init(targetCelsius: Int32, heatingMilliseconds: Int) {
    precondition((200...400).contains(targetCelsius), "the heater's range is 200 to 400 °C")
    precondition((1...4032).contains(heatingMilliseconds), "gas_wait holds 1 to 4032 ms")
    var factorExponent = 0
    var count = heatingMilliseconds
    while count > 63 {
      count /= 4
      factorExponent += 1
    }
    self.targetCelsius = targetCelsius
    waitCode = UInt8(factorExponent << 6 | count)
  }

  /// How long the heater heats: the time `waitCode` holds.
  public var heatingDuration: Duration {
    .milliseconds(Int64(waitCode & 0x3F) << (2 * Int64(waitCode >> 6)))
  }
}
