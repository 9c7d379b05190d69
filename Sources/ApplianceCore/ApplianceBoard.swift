import ApplianceProfiles
import BoardSupport
import Time

/// The board an appliance runs on, as the runtime sees it: a bus with the profile's chips on it,
/// sampled by a `SamplingScheduler` from the profile's `SamplingPlan`, and the GPIO lines of the
/// profile's roles. `SimulatedApplianceBoard` (`--board sim`) and `LinuxApplianceBoard` (the
/// Raspberry Pis) differ only in what the bus and the lines are.
public protocol ApplianceBoard: AnyObject {
  /// The board's name in `Boards/`, for the health report and logs.
  var name: String { get }
  /// The chips on the bus, for the health report.
  var chips: [(address: I2CAddress, name: String)] { get }
  /// When `poll` should be called next.
  var deadline: Instant { get }
  /// Runs every chip that is due at `now`.
  func poll(now: Instant) -> [SamplingScheduler.Event]
  /// Starts every chip over from its probe at `now`, after the sensors' power was cycled.
  func restartSampling(at now: Instant)
  /// Drives the line of `role`, one of the profile's roles, to `level` at `now`.
  func drive(_ role: GPIORole, to level: GPIOLevel, now: Instant) throws(GPIOError)
}
