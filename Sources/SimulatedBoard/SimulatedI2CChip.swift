import BoardSupport
import Time

/// Faults a test injects into one simulated chip.
public struct SimulatedChipFaults: Equatable, Sendable {
  /// The chip is unplugged: nothing acknowledges its address.
  public var isUnplugged = false
  /// The chip has locked up, as chips do after a brown-out or a glitch in the middle of a
  /// transfer: it acknowledges nothing until its power is cycled
  /// (`SimulatedI2CBus.restorePower()`) or it is plugged in again.
  public var isHung = false
  /// The next this many transactions to the chip see no acknowledgement of the address, as
  /// when a glitch or a busy chip drops off the bus for a moment.
  public var addressNAKsRemaining = 0
  /// The next this many reads from the chip arrive with one bit flipped in their first byte.
  public var corruptedReadsRemaining = 0
  /// While set, the chip measures this environment instead of the bus's: its readings are stuck.
  public var stuckEnvironment: PhysicalEnvironment?

  /// No faults.
  public init() {}
}

/// A model of one chip on a `SimulatedI2CBus`. A class, so that a test keeps a reference to set
/// its faults while the bus holds it.
public protocol SimulatedI2CChip: AnyObject {
  /// The chip's address on the bus.
  var address: I2CAddress { get }
  /// The faults injected into this chip; the bus applies them.
  var faults: SimulatedChipFaults { get set }
  /// Takes the bytes of one write message.
  func receive(_ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment) throws(I2CError)
  /// Answers one read message of `count` bytes.
  func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8]
  /// Returns to the state the chip has just after power is applied.
  func powerOn(now: Instant)
}

extension SimulatedI2CChip {
  /// Pulls the chip off the bus: it stops answering.
  public func unplug() {
    faults.isUnplugged = true
  }

  /// Plugs the chip back in: it answers again, in its power-on state (an SGP30 warms up again,
  /// an SCD4x is no longer measuring).
  public func plugIn(now: Instant) {
    faults.isUnplugged = false
    faults.isHung = false
    powerOn(now: now)
  }

  /// Locks the chip up: it stops answering until its power is cycled.
  public func hang() {
    faults.isHung = true
  }

  /// Freezes the chip's readings at `environment`, whatever the bus's environment does.
  public func stick(at environment: PhysicalEnvironment) {
    faults.stuckEnvironment = environment
  }
}
