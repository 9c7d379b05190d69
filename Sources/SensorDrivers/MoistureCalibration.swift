/// A soil probe's two reference readings, which turn its raw signal into percent.
///
/// Capacitive probes read differently in every pot and soil, so each is calibrated: once in dry
/// air or dry soil, once in water or saturated soil. The raw signal may rise with moisture (a
/// seesaw's capacitance count) or fall (an analog probe's voltage); both work.
public struct MoistureCalibration: Equatable, Sendable {
  /// The raw reading of the probe when dry: 0 %.
  public var dry: Double
  /// The raw reading of the probe in water: 100 %.
  public var wet: Double

  /// A calibration from its two reference readings, which must differ.
  public init(dry: Double, wet: Double) {
    precondition(dry != wet, "the dry and wet readings must differ")
    self.dry = dry
    self.wet = wet
  }

  /// Soil moisture in percent for a raw reading, by linear interpolation between the references
  /// and clamped to 0...100 (readings a little beyond them are noise, not drier than dry).
  public func percent(raw: Double) -> Double {
    let fraction = (raw - dry) / (wet - dry)
    return min(max(fraction * 100, 0), 100)
  }
}
