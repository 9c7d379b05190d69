import ApplianceProfiles
import Time

/// The profile's alerts, raised and cleared as the appliance's values come in.
///
/// Sans-IO: the appliance passes in each value it sampled, with the instant and the wall time
/// it was measured at, and logs the changes `observe` returns. An alert is raised by the first
/// value past its threshold's limit and cleared by the first value back past the limit by the
/// threshold's hysteresis (`AlertThreshold`); values in between leave it as it is, so a value
/// hovering on the limit, or a sensor's noise there, cannot raise and clear it over and over.
/// An alert whose sensor stops giving values keeps its state: a failing chip is reported as
/// such, not as a change in the air or the soil.
public struct AlertMonitor {
  /// One threshold of the profile and its state.
  public struct Alert: Equatable, Sendable {
    /// The rule.
    public let threshold: AlertThreshold
    /// The name the values it compares are published under (`soil`, `air.humidity`); the
    /// appliance prefixes its own id.
    public let sensorName: String
    /// The wall time of the value that raised it, or nil while it is clear.
    public fileprivate(set) var raisedAt: UTCTime?
    /// The latest value compared, in the quantity's unit.
    public fileprivate(set) var latestValue: Double?
    /// When the latest value was measured.
    public fileprivate(set) var latestValueAt: Instant?

    /// Whether the alert is raised.
    public var isRaised: Bool { raisedAt != nil }
  }

  /// A change of an alert's state.
  public enum Change: Equatable, Sendable {
    /// The alert was raised; its `latestValue` raised it.
    case raised(Alert)
    /// The alert was cleared; its `latestValue` cleared it.
    case cleared(Alert)
  }

  /// Every threshold of the profile with its state, in the profile's order.
  public private(set) var alerts: [Alert]

  /// A monitor of `thresholds`, all clear, each comparing the values published under the name
  /// `plan` gives it. Every threshold must name a value the plan publishes
  /// (`SamplingPlan.publishedName(of:)`), which the appliance checks at start.
  public init(thresholds: [AlertThreshold], plan: SamplingPlan) {
    alerts = thresholds.map { threshold in
      guard let sensorName = plan.publishedName(of: threshold) else {
        preconditionFailure("the plan publishes no \(threshold.quantity) of \(threshold.sensorID)")
      }
      return Alert(threshold: threshold, sensorName: sensorName)
    }
  }

  /// The alerts that are raised.
  public var raisedAlerts: [Alert] {
    alerts.filter { $0.isRaised }
  }

  /// Compares `value`, measured at `now` (wall time `time`), with the thresholds on it and
  /// returns the alerts it raised or cleared.
  public mutating func observe(_ value: SampledValue, now: Instant, time: UTCTime) -> [Change] {
    var changes: [Change] = []
    for index in alerts.indices
    where alerts[index].sensorName == value.sensorName
      && alerts[index].threshold.quantity == value.quantity
    {
      alerts[index].latestValue = value.value
      alerts[index].latestValueAt = now
      let threshold = alerts[index].threshold
      if !alerts[index].isRaised && threshold.isCrossed(by: value.value) {
        alerts[index].raisedAt = time
        changes.append(.raised(alerts[index]))
      } else if alerts[index].isRaised && threshold.isCleared(by: value.value) {
        alerts[index].raisedAt = nil
        changes.append(.cleared(alerts[index]))
      }
    }
    return changes
  }
}
