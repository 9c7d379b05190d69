import BoardSupport
import SensorDrivers
import Time

/// Runs the appliance's chips on one bus, each at its own interval, from the time the platform
/// passes in.
///
/// Sans-IO: the platform calls `poll(on:now:)` when `deadline` comes (or earlier; nothing is
/// due then) and publishes what it returns. Each chip's measurements fall on a fixed grid of its
/// interval from the start; a driver's `.wait(until:)` is honoured by calling that chip again at
/// that instant, and a measurement that ends late does not shift the grid. A chip that fails is
/// reported, set up again from its probe, and tried at its next turn: no value is invented.
///
/// A chip that must be measured more often than its interval (the SGP30, once a second:
/// `SampledChip.measurementIntervalMax`) is measured on that finer grid and publishes once per
/// interval: at each point of the interval's grid from the start, the mean of the measurements
/// since the last (`MeasurementAverager`), or nothing if there were none (warming up, failing).
///
/// The temperature and humidity of the first chip that measures both (a BME280, a BME680 or an
/// SCD4x, in the order the chips are given; not a TMP105, which has no humidity) go to every gas
/// sensor that compensates for humidity (SGP30, CCS811) after each of its measurements.
public struct SamplingScheduler {
  /// What one poll found.
  public enum Event: Equatable, Sendable {
    /// The chip at `address` finished a measurement (no event while it warms up); for a chip
    /// measured more often than its interval, its interval ended, and `values` are its means.
    case sampled(address: I2CAddress, values: [SampledValue])
    /// A chip failed; it is probed again at its next turn.
    case failed(address: I2CAddress, error: SensorError)
  }

  private struct ScheduledChip {
    var chip: SampledChip
    /// How often the chip is measured: its interval, or its `measurementIntervalMax` if shorter.
    let measurementInterval: Duration
    /// The start of the chip's next measurement on its grid.
    var nextMeasurementAt: Instant
    /// When the driver asked to be called again, while a measurement is under way.
    var callBackAt: Instant?
    /// The mean of the current interval's measurements, for a chip measured more often than
    /// its interval; nil for a chip that publishes each measurement.
    var averager: MeasurementAverager?

    /// When the chip's measurement is next to be started or continued.
    var measurementDueAt: Instant { callBackAt ?? nextMeasurementAt }
    var dueAt: Instant {
      guard let intervalEndsAt = averager?.intervalEndsAt else { return measurementDueAt }
      return min(measurementDueAt, intervalEndsAt)
    }
  }

  private var chips: [ScheduledChip]
  /// The index of the chip whose temperature and humidity the gas sensors are given, if any
  /// chip compensates for humidity and one measures it.
  private let hygrometerIndex: Int?
  /// The most driver steps one poll runs, so a misbehaving driver cannot hold the loop.
  public static let maximumStepsPerPoll = 64

  /// A scheduler whose chips each publish every `interval` from `start`: each measurement, or
  /// the mean of the interval's measurements for a chip measured more often.
  public init(chips: [(chip: SampledChip, interval: Duration)], start: Instant) {
    precondition(!chips.isEmpty, "an appliance samples at least one chip")
    self.chips = chips.map { chip, interval in
      precondition(interval > .zero, "a sampling interval is positive")
      let measurementInterval = min(interval, chip.measurementIntervalMax ?? interval)
      return ScheduledChip(
        chip: chip, measurementInterval: measurementInterval, nextMeasurementAt: start,
        callBackAt: nil,
        averager: measurementInterval < interval
          ? MeasurementAverager(interval: interval, start: start) : nil)
    }
    let isCompensationWanted = chips.contains { $0.chip.compensatesForHumidity }
    hygrometerIndex =
      isCompensationWanted ? chips.firstIndex { $0.chip.measuresAirHumidity } : nil
  }

  /// Starts every chip over from its probe at `now`, on a fresh grid from `now`: the sensors'
  /// power was cut, and what each chip was set up to do (an SGP30's warm-up, an SCD4x's
  /// periodic measurement) went with it. A chip's interval that the power cut short publishes
  /// no mean, as it never reached its end.
  public mutating func restart(at now: Instant) {
    for index in chips.indices {
      chips[index].chip.resetAfterPowerCycle()
      chips[index].callBackAt = nil
      chips[index].nextMeasurementAt = now
      chips[index].averager?.restart(at: now)
    }
  }

  /// The next instant at which a chip is due.
  public var deadline: Instant {
    var earliest = chips[0].dueAt
    for chip in chips.dropFirst() where chip.dueAt < earliest { earliest = chip.dueAt }
    return earliest
  }

  /// Runs every chip that is due at `now` one step further, after publishing the means of the
  /// averaged chips whose interval has ended.
  public mutating func poll<Bus: I2CBus>(on bus: inout Bus, now: Instant) -> [Event] {
    var events: [Event] = []
    var steps = 0
    for index in chips.indices where chips[index].dueAt <= now {
      guard steps < Self.maximumStepsPerPoll else { break }
      if let means = chips[index].averager?.closeInterval(ifEndedBy: now), !means.isEmpty {
        events.append(.sampled(address: chips[index].chip.address, values: means))
      }
      guard chips[index].measurementDueAt <= now else { continue }
      steps += 1
      do throws(SensorError) {
        switch try chips[index].chip.measure(on: &bus, now: now) {
        case .wait(let instant):
          precondition(instant > now, "a driver waits for a later instant")
          chips[index].callBackAt = instant
        case .done(let values):
          finishTurn(of: index, now: now)
          if chips[index].averager != nil {
            chips[index].averager?.add(values)
          } else if !values.isEmpty {
            events.append(.sampled(address: chips[index].chip.address, values: values))
          }
          if index == hygrometerIndex { passAirToGasSensors(values) }
        }
      } catch {
        events.append(.failed(address: chips[index].chip.address, error: error))
        chips[index].chip.reset()
        finishTurn(of: index, now: now)
      }
    }
    assert(deadline > now || steps == Self.maximumStepsPerPoll)
    return events
  }

  /// Gives the hygrometer's latest temperature and humidity to the gas sensors.
  private mutating func passAirToGasSensors(_ values: [SampledValue]) {
    guard let temperature = values.first(where: { $0.quantity == "temperature" }),
      let humidity = values.first(where: { $0.quantity == "humidity" })
    else { return }
    for index in chips.indices where chips[index].chip.compensatesForHumidity {
      chips[index].chip.compensate(
        temperatureCelsius: temperature.value, relativeHumidityPercent: humidity.value)
    }
  }

  /// Moves the chip's next measurement to its first grid point after `now`.
  private mutating func finishTurn(of index: Int, now: Instant) {
    chips[index].callBackAt = nil
    chips[index].nextMeasurementAt = chips[index].nextMeasurementAt.firstGridPoint(
      after: now, every: chips[index].measurementInterval)
  }
}
