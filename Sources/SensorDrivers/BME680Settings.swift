import Time

/// How a BME680 measures: the oversampling of each quantity and the gas heater's set-point.
public struct BME680Settings: Equatable, Sendable {
  /// Samples averaged into one reading (`osrs_t`, `osrs_p` and `osrs_h`, BME680 datasheet
  /// section 5.3.2); more samples mean less noise and a longer measurement.
  public enum Oversampling: UInt8, Sendable {
    case times1 = 1
    case times2, times4, times8, times16

    /// The samples this setting averages.
    var sampleCount: Int64 { 1 << Int64(rawValue - 1) }
  }

  /// Temperature oversampling.
  public var temperatureOversampling: Oversampling
  /// Pressure oversampling.
  public var pressureOversampling: Oversampling
  /// Humidity oversampling.
  public var humidityOversampling: Oversampling
  /// The gas heater's set-point, or nil to measure no gas (the chip then marks its gas reading
  /// invalid).
  public var heater: BME680Heater?

  /// Settings of the given values; the defaults take one sample of each quantity and heat as
  /// `BME680Heater.quickStart` does.
  public init(
    temperatureOversampling: Oversampling = .times1, pressureOversampling: Oversampling = .times1,
    humidityOversampling: Oversampling = .times1, heater: BME680Heater? = .quickStart
  ) {
    self.temperatureOversampling = temperatureOversampling
    self.pressureOversampling = pressureOversampling
    self.humidityOversampling = humidityOversampling
    self.heater = heater
  }

  /// How long a forced measurement takes, heating included.
  ///
  /// The datasheet gives no formula; this is the budget Bosch's sensor API makes: 1.963 ms per
  /// sample, 0.477 ms for each of the four switches between quantities and five more for the
  /// gas conversion, 1 ms to wake up, and the heating time when gas is measured.
  public var measurementTime: Duration {
    let sampleCount =
      temperatureOversampling.sampleCount + pressureOversampling.sampleCount
      + humidityOversampling.sampleCount
    let conversion = Duration.microseconds(sampleCount * 1963 + 9 * 477 + 1000)
    guard let heater else { return conversion }
    return conversion + heater.heatingDuration
  }
}
