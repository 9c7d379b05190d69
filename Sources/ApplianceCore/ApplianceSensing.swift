import ApplianceProfiles
import BoardSupport
import Time

/// The sensing half of an appliance, the same on every target: at each wake-up it moves the
/// `ApplianceControl` on, runs the board's chips that are due (unless their power is cut), and
/// carries out what the control decides on the board's lines (the sensors' power, the pump),
/// logging each action and each chip that stops or starts answering. What becomes of the values
/// it returns is the runtime's: an outbox and the hub, or a console.
///
/// Sans-IO apart from the board, which the runtime chose: the time comes in with each call, and
/// the log lines go out through `log`.
public final class ApplianceSensing {
  /// The appliance's id, which names its alerts (`plant-pot.soil`).
  private let applianceID: String
  /// The board whose chips and lines are driven.
  public let board: any ApplianceBoard
  /// The alerts, the sensors' power and the pump.
  public private(set) var control: ApplianceControl
  /// The profile's roles that `control` sets the level of: `sensor-power` and `pump-relay`.
  private let controlledRoles: [GPIORole]
  /// Chips whose last turn failed, so that a failure is logged once, not every turn. (A few
  /// chips: an array, which needs no hashing, whose seed would ask the entropy source for
  /// randomness that a bare-metal board without a generator QEMU models cannot give.)
  private var failingChips: [I2CAddress] = []
  private let log: (String) -> Void

  /// Sensing for appliance `applianceID` on `board`, with `control` over the profile's `roles`;
  /// `log` takes a line saying what happened.
  public init(
    applianceID: String, board: any ApplianceBoard, control: ApplianceControl,
    roles: [GPIORole], log: @escaping (String) -> Void
  ) {
    self.applianceID = applianceID
    self.board = board
    self.control = control
    controlledRoles = roles.filter { control.level(of: $0) != nil }
    self.log = log
  }

  /// When `poll` must be called next.
  public var deadline: Instant {
    let boardDeadline = control.isSamplingPaused ? nil : board.deadline
    guard let deadline = Instant.earliest(boardDeadline, control.deadline) else {
      preconditionFailure("paused sampling always waits for the power's deadline")
    }
    return deadline
  }

  /// Sets the controlled lines as the control starts (sensors powered, pump off).
  public func start(now: Instant) {
    for role in controlledRoles { drive(role, to: control.level(of: role) ?? .low, now: now) }
  }

  /// Switches the pump off, as the appliance stops: nothing must run unattended.
  public func finish(now: Instant) {
    if controlledRoles.contains(.pumpRelay) { drive(.pumpRelay, to: .low, now: now) }
  }

  /// Moves the control on to `now` (wall time `time`), runs the chips that are due, and acts on
  /// what they found; returns what each chip that ran found.
  public func poll(now: Instant, time: UTCTime) -> [SamplingScheduler.Event] {
    carryOut(control.poll(now: now, time: time), now: now)
    guard !control.isSamplingPaused else { return [] }
    let events = board.poll(now: now)
    for event in events {
      switch event {
      case .sampled(let address, _):
        guard let index = failingChips.firstIndex(of: address) else { continue }
        failingChips.remove(at: index)
        log("sensor at \(address) answers again")
      case .failed(let address, let error):
        guard !failingChips.contains(address) else { continue }
        failingChips.append(address)
        log("sensor at \(address): \(error); no readings from it until it answers again")
      }
    }
    carryOut(control.handle(events, now: now, time: time), now: now)
    return events
  }

  /// Does what the control asks and logs it.
  private func carryOut(_ actions: [ApplianceControl.Action], now: Instant) {
    for action in actions {
      switch action {
      case .alert(.raised(let alert)):
        log("alert raised: \(describe(alert)): \(alert.threshold.alert)")
      case .alert(.cleared(let alert)):
        log("alert cleared: \(describe(alert)): \(alert.threshold.alert)")
      case .cutSensorPower(let unanswered):
        drive(.sensorPower, to: .low, now: now)
        let chips = unanswered.map { "\($0)" }.joined(separator: ", ")
        let limit = control.sensorPower?.configuration.unansweredLimit.components.seconds ?? 0
        log(
          "cutting the sensors' power for a moment: no answer from \(chips) for \(limit) s "
            + "(power cycle \(control.sensorPower?.cycleCount ?? 0))")
      case .restoreSensorPower:
        drive(.sensorPower, to: .high, now: now)
      case .restartSampling:
        board.restartSampling(at: now)
        log("sensors powered again; probing every chip")
      case .startPump(let run):
        drive(.pumpRelay, to: .high, now: now)
        log(
          "pump on for \(pumpSettings.runSeconds) s: the soil is dry (run \(run) of at most "
            + "\(pumpSettings.runsPerDayMax) in 24 hours)")
      case .stopPump:
        drive(.pumpRelay, to: .low, now: now)
        log(
          "pump off; the water soaks in for \(pumpSettings.soakSeconds) s before the next "
            + "decision")
      case .pumpCapped:
        log(
          "pump: ran \(pumpSettings.runsPerDayMax) times in the last 24 hours, the most it "
            + "may; it stays off although the soil reads dry (is the soil sensor broken?)")
      }
    }
  }

  /// The pump's settings, for the log; only asked for when the pump acts.
  private var pumpSettings: PumpSettings {
    guard let pump = control.pump else { preconditionFailure("the appliance has no pump") }
    return pump.settings
  }

  /// `plant-pot.soil soil_moisture 24.9 (below 25)`.
  private func describe(_ alert: AlertMonitor.Alert) -> String {
    let threshold = alert.threshold
    let side = threshold.direction == .below ? "below" : "above"
    let value = alert.latestValue.map { " \(Self.tenths($0))" } ?? ""
    return "\(applianceID).\(alert.sensorName) \(threshold.quantity)\(value) "
      + "(\(side) \(Self.tenths(threshold.limit)))"
  }

  /// `value` to a tenth, without a fraction if it has none: `24.9`, `25`.
  private static func tenths(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    guard rounded == rounded.rounded(), let whole = Int64(exactly: rounded) else {
      return "\(rounded)"
    }
    return "\(whole)"
  }

  /// Drives the line of `role`; a failure is logged, and the appliance goes on.
  private func drive(_ role: GPIORole, to level: GPIOLevel, now: Instant) {
    do throws(GPIOError) {
      try board.drive(role, to: level, now: now)
    } catch {
      log("cannot drive the \(role.rawValue) line \(level == .high ? "high" : "low"): \(error)")
    }
  }
}
