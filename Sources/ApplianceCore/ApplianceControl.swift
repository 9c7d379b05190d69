import ApplianceProfiles
import BoardSupport
import Time

/// What the appliance does about what it measures, besides publishing it: raises and clears
/// the profile's alerts (`AlertMonitor`), cycles the sensors' power when a chip stops answering
/// (`SensorPowerCycler`, with the `sensor-power` role) and waters the plant when the soil is
/// dry (`PumpController`, with the `pump-relay` role).
///
/// Sans-IO: at each wake-up the appliance calls `poll` first, then, unless
/// `isSamplingPaused`, samples its chips and passes what it found to `handle`; it carries out
/// the actions both return and wakes again by `deadline` at the latest.
public struct ApplianceControl {
  /// Something the appliance must do or report.
  public enum Action: Equatable, Sendable {
    /// An alert was raised or cleared: report it.
    case alert(AlertMonitor.Change)
    /// Cut the sensors' power (drive `sensor-power` low): the chips at these addresses have not
    /// answered for a while.
    case cutSensorPower(unanswered: [I2CAddress])
    /// Restore the sensors' power (drive `sensor-power` high).
    case restoreSensorPower
    /// The chips are powered up again: start sampling every one over from its probe.
    case restartSampling
    /// Switch the pump on (drive `pump-relay` high); this is run `run` of the last 24 hours.
    case startPump(run: Int)
    /// Switch the pump off (drive `pump-relay` low).
    case stopPump
    /// The soil is dry, but the pump ran its most times in the last 24 hours: report it.
    case pumpCapped
  }

  /// The profile's alerts and their states.
  public private(set) var alerts: AlertMonitor
  /// The sensors' power switch, if the profile has the `sensor-power` role.
  public private(set) var sensorPower: SensorPowerCycler?
  /// The pump, if the profile has the `pump-relay` role.
  public private(set) var pump: PumpController?

  /// The control of an appliance of `profile` sampled by `plan`, starting at `now`: sensors
  /// powered, alerts clear, the pump off and soaking.
  public init(
    profile: SensorProfile, plan: SamplingPlan, now: Instant,
    sensorPowerConfiguration: SensorPowerCycler.Configuration = .init()
  ) {
    alerts = AlertMonitor(thresholds: profile.thresholds, plan: plan)
    if profile.gpioRoles.contains(.sensorPower) {
      sensorPower = SensorPowerCycler(configuration: sensorPowerConfiguration)
    }
    pump = profile.pump.map { PumpController(settings: $0, now: now) }
  }

  /// The level the line of `role` is to be at now, or nil for the status LED, which the
  /// appliance drives itself.
  public func level(of role: GPIORole) -> GPIOLevel? {
    switch role {
    case .statusLED: return nil
    case .sensorPower: return sensorPower?.level ?? .high
    case .pumpRelay: return pump?.relayLevel ?? .low
    }
  }

  /// Whether the chips must not be sampled now: their power is off or just back.
  public var isSamplingPaused: Bool {
    sensorPower?.isSamplingPaused ?? false
  }

  /// When `poll` must be called next at the latest, if anything waits for a time.
  public var deadline: Instant? {
    Instant.earliest(sensorPower?.deadline, pump?.deadline)
  }

  /// Moves the sensors' power and the pump on to `now` (wall time `time`).
  public mutating func poll(now: Instant, time: UTCTime) -> [Action] {
    var actions: [Action] = []
    if let step = sensorPower?.poll(now: now) {
      switch step {
      case .cutPower(let unanswered): actions.append(.cutSensorPower(unanswered: unanswered))
      case .restorePower: actions.append(.restoreSensorPower)
      case .restartSampling: actions.append(.restartSampling)
      }
    }
    if let action = pollPump(now: now, time: time) { actions.append(action) }
    return actions
  }

  /// Takes what one poll of the chips found at `now` (wall time `time`): the values go to the
  /// alerts, the failures to the sensors' power switch, and the soil's state to the pump.
  public mutating func handle(
    _ events: [SamplingScheduler.Event], now: Instant, time: UTCTime
  ) -> [Action] {
    var actions: [Action] = []
    for case .sampled(_, let values) in events {
      for value in values {
        for change in alerts.observe(value, now: now, time: time) {
          actions.append(.alert(change))
        }
      }
    }
    if case .cutPower(let unanswered)? = sensorPower?.observe(events, now: now) {
      actions.append(.cutSensorPower(unanswered: unanswered))
    }
    if let action = pollPump(now: now, time: time) { actions.append(action) }
    return actions
  }

  /// The pump's step at `now`, given the latest reading that found the soil dry: the
  /// freshest value behind a raised alert that calls for water.
  private mutating func pollPump(now: Instant, time: UTCTime) -> Action? {
    guard pump != nil else { return nil }
    var dryReadingAt: Instant?
    for alert in alerts.alerts where alert.threshold.callsForWatering && alert.isRaised {
      dryReadingAt = max(dryReadingAt ?? .zero, alert.latestValueAt ?? .zero)
    }
    switch pump?.poll(now: now, time: time, dryReadingAt: dryReadingAt) {
    case .start(let run)?: return .startPump(run: run)
    case .stop?: return .stopPump
    case .capped?: return .pumpCapped
    case nil: return nil
    }
  }
}
