import BareMetalSupport
import Time

/// The unikernel's only loop: it runs the application's step when its deadline comes and
/// sleeps in `WFI` in between, woken by the generic timer (or any device interrupt the board
/// forwards). Interrupts are never taken; the step looks at its devices itself.
public enum PollLoop {
  /// Calls `step` with the current time, forever; `step` does what is due and returns when it
  /// wants to run next (an earlier interrupt may run it sooner). `acknowledgeInterrupts`
  /// clears what woke the core.
  public static func run(
    timer: GenericTimer, acknowledgeInterrupts: () -> Void, step: (Instant) -> Instant
  ) -> Never {
    while true {
      let next = step(timer.now)
      timer.wake(at: next)
      // A device interrupt also ends the wait; the step then runs early, which is harmless.
      if !timer.hasFired { loam_wait_for_interrupt() }
      timer.disarm()
      acknowledgeInterrupts()
    }
  }
}
