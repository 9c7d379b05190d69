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
public struct SamplingScheduler {
  /// What one poll found.
  public enum Event: Equatable, Sendable {
    /// The chip at `address` finished a measurement (no values while it warms up).
    case sampled(address: I2CAddress, values: [SampledValue])
    /// A chip failed; it is probed again at its next turn.
    case failed(address: I2CAddress, error: SensorError)
  }

  private struct ScheduledChip {
    var chip: SampledChip
    let interval: Duration
    /// The start of the chip's next measurement on its grid.
    var nextMeasurementAt: Instant
    /// When the driver asked to be called again, while a measurement is under way.
    var callBackAt: Instant?

    var dueAt: Instant { callBackAt ?? nextMeasurementAt }
  }

  private var chips: [ScheduledChip]
  /// The most driver steps one poll runs, so a misbehaving driver cannot hold the loop.
  public static let maximumStepsPerPoll = 64

  /// A scheduler whose chips each measure every `interval` from `start`.
  public init(chips: [(chip: SampledChip, interval: Duration)], start: Instant) {
    precondition(!chips.isEmpty, "an appliance samples at least one chip")
    self.chips = chips.map {
      precondition($0.interval > .zero, "a sampling interval is positive")
      return ScheduledChip(
        chip: $0.chip, interval: $0.interval, nextMeasurementAt: start, callBackAt: nil)
    }
  }

  /// The next instant at which a chip is due.
  public var deadline: Instant {
    var earliest = chips[0].dueAt
    for chip in chips.dropFirst() where chip.dueAt < earliest { earliest = chip.dueAt }
    return earliest
  }

  /// Runs every chip that is due at `now` one step further.
  public mutating func poll<Bus: I2CBus>(on bus: inout Bus, now: Instant) -> [Event] {
    var events: [Event] = []
    var steps = 0
    for index in chips.indices where chips[index].dueAt <= now {
      guard steps < Self.maximumStepsPerPoll else { break }
      steps += 1
      do throws(SensorError) {
        switch try chips[index].chip.measure(on: &bus, now: now) {
        case .wait(let instant):
          precondition(instant > now, "a driver waits for a later instant")
          chips[index].callBackAt = instant
        case .done(let values):
          finishTurn(of: index, now: now)
          if !values.isEmpty {
            events.append(.sampled(address: chips[index].chip.address, values: values))
          }
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

  /// Moves the chip's next measurement to its first grid point after `now`.
  private mutating func finishTurn(of index: Int, now: Instant) {
    chips[index].callBackAt = nil
    let interval = chips[index].interval
    var next = chips[index].nextMeasurementAt
    // Skip the grid points a long measurement (or a stalled platform) missed, in one step.
    if next <= now {
      let behind = now.duration(since: next).nanosecondsClamped
      let periods = behind / interval.nanosecondsClamped + 1
      next = next + .nanoseconds(periods * interval.nanosecondsClamped)
    }
    chips[index].nextMeasurementAt = next
    assert(next > now)
  }
}
