import Time

/// A platform's monotonic clock: the `Instant` every state machine is fed. It counts from an
/// arbitrary origin (power-on, boot) and never goes back; the Arm generic timer on bare metal,
/// `CLOCK_MONOTONIC` on Linux.
public protocol MonotonicClockSource {
  /// The current instant.
  var now: Instant { get }
}
