import BareMetalSupport
import BoardSupport
import Time

/// The Arm generic timer's EL1 physical timer: a 64-bit counter running at a fixed frequency
/// (`CNTFRQ_EL0`, which the firmware or QEMU sets: 54 MHz on a Pi 4, 19.2 MHz on a Pi 3,
/// 62.5 MHz on QEMU 10's virt), and one compare value that raises the timer's interrupt when
/// the counter passes it.
///
/// It is the unikernel's only clock: `now` is the `Instant` every state machine is fed, counted
/// from power-on, and `wake(at:)` is how the poll loop sleeps until its next deadline.
public struct GenericTimer: MonotonicClockSource {
  /// Counter ticks a second.
  public let frequencyHertz: UInt64

  /// The timer, with its compare interrupt off.
  public init() {
    frequencyHertz = loam_read_cntfrq_el0()
    precondition(frequencyHertz > 0, "CNTFRQ_EL0 is not set: the firmware did not program it")
    loam_write_cntp_ctl_el0(0)
  }

  /// The time since the counter started.
  public var now: Instant {
    let ticks = loam_read_cntpct_el0()
    let seconds = ticks / frequencyHertz
    let remainder = ticks % frequencyHertz
    return Instant(
      nanoseconds: seconds * 1_000_000_000 + remainder * 1_000_000_000 / frequencyHertz)
  }

  /// Arms the compare so that the timer's interrupt line rises at `instant` (at once if it is
  /// past). The interrupt stays masked in the CPU; it only ends a `wait_for_interrupt`.
  public func wake(at instant: Instant) {
    let seconds = instant.nanoseconds / 1_000_000_000
    let nanoseconds = instant.nanoseconds % 1_000_000_000
    // Round up, so that a wake-up never comes before the instant asked for.
    let ticks =
      seconds * frequencyHertz + (nanoseconds * frequencyHertz + 999_999_999) / 1_000_000_000
    loam_write_cntp_cval_el0(ticks)
    loam_write_cntp_ctl_el0(1)  // ENABLE, IMASK clear
  }

  /// Whether the armed compare has passed (CNTP_CTL_EL0.ISTATUS).
  public var hasFired: Bool { loam_read_cntp_ctl_el0() & 0b101 == 0b101 }

  /// Turns the compare interrupt off, which lowers the timer's interrupt line.
  public func disarm() { loam_write_cntp_ctl_el0(0) }
}
