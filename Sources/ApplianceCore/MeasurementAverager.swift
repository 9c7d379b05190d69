import Time

/// The mean of a chip's measurements over each interval of a fixed grid, for a chip that is
/// measured more often than it publishes: the SGP30, measured once a second as its datasheet
/// asks, publishes once per its profile's interval.
///
/// Sans-IO: the scheduler adds the values of each measurement as it finishes, and at the end of
/// each interval takes the means, which are published then, at the interval's end. A
/// measurement counts in the interval it finishes in. Each quantity is averaged over the
/// measurements that gave it; an interval in which the chip gave no values (warming up,
/// failing) has no means, and nothing stands in for them.
public struct MeasurementAverager {
  /// How often the means are taken.
  public let interval: Duration
  /// The end of the current interval, when its means are due.
  public private(set) var intervalEndsAt: Instant
  /// Each quantity of the current interval, first added first, its value the sum of its
  /// measurements.
  private var sums: [SampledValue] = []
  /// How many measurements each of `sums` adds up.
  private var counts: [Int] = []

  /// An averager whose first interval runs from `start` for `interval`.
  public init(interval: Duration, start: Instant) {
    precondition(interval > .zero, "an averaging interval is positive")
    self.interval = interval
    intervalEndsAt = start + interval
  }

  /// Adds the values of one measurement to the current interval.
  public mutating func add(_ values: [SampledValue]) {
    for value in values {
      if let index = sums.firstIndex(where: { $0.sensorName == value.sensorName }) {
        assert(sums[index].quantity == value.quantity && sums[index].unit == value.unit)
        sums[index].value += value.value
        counts[index] += 1
      } else {
        sums.append(value)
        counts.append(1)
      }
    }
  }

  /// Ends the current interval if `now` is at or past its end: returns the mean of each
  /// quantity measured in it, in the order they were first added, and starts the next interval,
  /// up to the grid's first point after `now`. Returns none if the interval has not ended, or
  /// nothing was measured in it.
  public mutating func closeInterval(ifEndedBy now: Instant) -> [SampledValue] {
    guard now >= intervalEndsAt else { return [] }
    var means = sums
    for index in means.indices { means[index].value /= Double(counts[index]) }
    sums = []
    counts = []
    intervalEndsAt = intervalEndsAt.firstGridPoint(after: now, every: interval)
    return means
  }

  /// Starts a new grid at `now`, when the chip was powered again: what was measured of the
  /// interval the power cut short is dropped, as that interval never reached its end.
  public mutating func restart(at now: Instant) {
    sums = []
    counts = []
    intervalEndsAt = now + interval
  }
}
