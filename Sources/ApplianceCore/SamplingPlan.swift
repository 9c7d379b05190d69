import ApplianceProfiles
import SensorDrivers
import Time

/// What an appliance samples, built from its sensor profile: one `SampledChip` per sensor, with
/// the chip's driver at the profile's address, its settings (an ADS1115's channel and gain, a
/// soil probe's calibration), and how often it publishes.
///
/// A chip is measured once per its interval, except one that must be measured more often (the
/// SGP30, once a second: `SampledChip.measurementIntervalMax`), which publishes the mean of each
/// interval's measurements (`SamplingScheduler`).
///
/// The plan is the same on every board; the board only decides which bus the chips are read on.
public struct SamplingPlan {
  /// The chips, in the profile's order, each with its interval.
  public private(set) var chips: [(chip: SampledChip, interval: Duration)]

  /// The plan for `profile`; `interval`, if given, replaces every sensor's interval (for demos
  /// and tests, which want readings sooner than a profile's minute).
  public init(profile: SensorProfile, interval: Duration? = nil) {
    chips = profile.sensors.map { sensor in
      (
        SampledChip(Self.driver(for: sensor), sensorName: sensor.id),
        interval ?? .seconds(Int64(sensor.intervalSeconds))
      )
    }
  }

  /// A name two of the plan's chips would both publish under, with the two sensors, or nil.
  /// A chip's further quantities go out as `<id>.<quantity>`, so sensor ids such as `air` and
  /// `air.humidity` can collide although each is unique; the hub would then mix two series.
  public var publishedNameClash: (name: String, first: String, second: String)? {
    var publisherByName: [String: String] = [:]
    for (chip, _) in chips {
      for name in chip.publishedNames {
        if let first = publisherByName[name] { return (name, first, chip.sensorName) }
        publisherByName[name] = chip.sensorName
      }
    }
    return nil
  }

  /// The name the values `threshold` compares are published under, or nil if no chip of the
  /// plan publishes them (a seesaw's temperature, which the appliance does not read).
  public func publishedName(of threshold: AlertThreshold) -> String? {
    chips.first { $0.chip.sensorName == threshold.sensorID }?.chip.publishedName(
      of: threshold.quantity)
  }

  /// A scheduler running the plan's chips from `start`.
  public func scheduler(start: Instant) -> SamplingScheduler {
    SamplingScheduler(chips: chips, start: start)
  }

  private static func driver(for sensor: SensorConfiguration) -> SampledChip.Driver {
    switch (sensor.chip, sensor.options) {
    case (.seesaw, .seesaw(let calibration)):
      return .seesawSoil(SeesawSoilSensor(address: sensor.address), calibration: calibration)
    case (.ads1115, .ads1115(let channel, let gain, let calibration)):
      return .ads1115(
        ADS1115(address: sensor.address, gain: gain), channel: channel, calibration: calibration)
    case (.bme280, _): return .bme280(BME280(address: sensor.address))
    case (.bme680, _): return .bme680(BME680(address: sensor.address))
    case (.tmp105, _): return .tmp105(TMP105(address: sensor.address))
    // The SGP30 and SCD4x have one fixed address, which the profile was checked against.
    case (.sgp30, _): return .sgp30(SGP30())
    case (.scd4x, _): return .scd4x(SCD4x())
    case (.ccs811, _): return .ccs811(CCS811(address: sensor.address))
    case (.seesaw, _), (.ads1115, _):
      preconditionFailure("SensorConfiguration decodes the options of its chip")
    }
  }
}
