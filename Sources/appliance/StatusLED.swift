import BoardSupport
import HostPlatform
import Time

/// The LED on the board's `status-led` line: lit while the appliance runs, dark for a moment
/// each time the hub acknowledges readings, so that a glance shows the appliance is alive and
/// reaching the hub.
///
/// An LED that fails is not worth stopping the appliance for: its first failure after opening
/// is logged, and the appliance goes on.
final class StatusLED {
  private var chip: any GPIOChip
  private let line: Int
  private let loop: EventLoop
  private var blinkTimer: TimerID?
  private var hasFailed = false

  /// How long the LED stays dark for an acknowledgement.
  static let blinkDuration = Duration.milliseconds(150)

  /// Drives `line` of `chip` high.
  init(chip: any GPIOChip, line: Int, loop: EventLoop) throws(GPIOError) {
    var chip = chip
    try chip.configure(line: line, as: .output(initial: .high))
    self.chip = chip
    self.line = line
    self.loop = loop
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
      try chip.set(line: line, to: level)
    } catch {
      if !hasFailed { writeLine("appliance: status LED on line \(line): \(error)") }
      hasFailed = true
    }
  }
}
