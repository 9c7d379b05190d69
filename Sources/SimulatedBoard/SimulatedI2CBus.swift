import BoardSupport
import Time

/// An I2C bus with simulated chips on it, in simulated time.
///
/// The test or simulation sets `now` and `environment` and hands the bus to drivers, which see an
/// `I2CBus` like any other. A reference type, so that drivers given the bus `inout` and the test
/// that moves its clock share one bus.
///
/// The chips share one supply, as when a board's `sensor-power` line switches them: while it is
/// cut (`cutPower()`) no chip acknowledges anything, and when it is restored (`restorePower()`)
/// every chip starts from its power-on state.
public final class SimulatedI2CBus: I2CBus {
  /// The simulated time chips see during a transaction.
  public var now: Instant
  /// What every chip measures unless its readings are stuck.
  public var environment: PhysicalEnvironment
  /// False models a missing controller: every transaction fails with `.busAbsent`.
  public var isPresent = true
  /// Whether the chips' supply is on.
  public private(set) var isPowered = true
  /// Transactions attempted so far, failed ones included: how tests see a driver's retries.
  public private(set) var transactionCount = 0
  private var chips: [any SimulatedI2CChip] = []

  /// An empty bus at `now` in `environment`.
  public init(now: Instant = .zero, environment: PhysicalEnvironment = PhysicalEnvironment()) {
    self.now = now
    self.environment = environment
  }

  /// Connects `chip`, powered on at `now`. Two chips at one address is a wiring mistake.
  public func attach(_ chip: any SimulatedI2CChip) {
    precondition(
      !chips.contains { $0.address == chip.address }, "two chips at \(chip.address)")
    chip.powerOn(now: now)
    chips.append(chip)
  }

  /// Cuts the chips' supply: they stop answering and forget their state.
  public func cutPower() {
    isPowered = false
  }

  /// Restores the chips' supply at `now`: each starts from its power-on state, and a chip that
  /// had hung answers again.
  public func restorePower() {
    isPowered = true
    for chip in chips {
      chip.faults.isHung = false
      chip.powerOn(now: now)
    }
  }

  public func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8] {
    transactionCount += 1
    guard isPresent else { throw .busAbsent }
    guard isPowered, let chip = chips.first(where: { $0.address == transaction.address }),
      !chip.faults.isUnplugged, !chip.faults.isHung
    else { throw .addressNotAcknowledged }
    if chip.faults.addressNAKsRemaining > 0 {
      chip.faults.addressNAKsRemaining -= 1
      throw .addressNotAcknowledged
    }
    let measured = chip.faults.stuckEnvironment ?? environment
    var answer: [UInt8] = []
    for message in transaction.messages {
      switch message {
      case .write(let bytes):
        try chip.receive(bytes, now: now, environment: measured)
      case .read(let count):
        var bytes = try chip.transmit(count: count, now: now, environment: measured)
        precondition(bytes.count == count, "a chip model answered the wrong length")
        if chip.faults.corruptedReadsRemaining > 0 && count > 0 {
          chip.faults.corruptedReadsRemaining -= 1
          bytes[0] ^= 0x01
        }
        answer += bytes
      }
    }
    return answer
  }
}
