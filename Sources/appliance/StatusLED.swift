import ApplianceCore
import ApplianceProfiles
import BoardSupport
import HostPlatform
import Time

/// The LED on the board's `status-led` line: lit while the appliance runs, dark for a moment
/// each time the hub acknowledges readings, so that a glance shows the appliance is alive and
/// reaching the hub.
///
/// An LED that fails is not worth stopping the appliance for: its first failure is logged, and
/// the appliance goes on.
final class StatusLED {
  private let board: any ApplianceBoard
  private let clock: ApplianceClock
  private let loop: EventLoop
  private var blinkTimer: TimerID?
  private var hasFailed = false

  /// How long the LED stays dark for an acknowledgement.
  static let blinkDuration = Duration.milliseconds(150)

  /// Lights the LED of `board`, whose profile has the `status-led` role.
  init(board: any ApplianceBoard, clock: ApplianceClock, loop: EventLoop) {
    self.board = board
    self.clock = clock
    self.loop = loop
    set(.high)
  }

  /// Darkens the LED for `blinkDuration`.
  func blink() {
    if let blinkTimer { loop.cancel(blinkTimer) }
    set(.low)
    blinkTimer = loop.schedule(at: loop.now + Self.blinkDuration) { [weak self] in
      self?.blinkTimer = nil
      self?.set(.high)
    }
  }

  /// Darkens the LED for good, as the appliance stops.
  func turnOff() {
    if let blinkTimer { loop.cancel(blinkTimer) }
    set(.low)
  }

  private func set(_ level: GPIOLevel) {
    do throws(GPIOError) {
      try board.drive(.statusLED, to: level, now: clock.now())
    } catch {
      if !hasFailed { writeLine("appliance: status LED: \(error)") }
      hasFailed = true
    }
  }
}
