import BoardSupport
import Readings
import Time

/// What the appliance knows about itself, for its local API: the latest reading of each
/// sensor, the state of each chip on its bus, its outbox, and its alerts, sensor power and pump.
/// The runtime updates it as it samples and publishes.
public struct ApplianceStatus {
  /// One chip's state.
  public enum ChipState: Equatable, Sendable {
    /// Not measured yet (probing, warming up, or its first turn has not come).
    case starting
    /// Its last turn gave a measurement.
    case measuring
    /// Its last turn failed with this error; it is probed again at its next turn.
    case failing(String)
  }

  /// A chip on the bus.
  public struct Chip: Equatable, Sendable {
    /// Its I2C address.
    public var address: I2CAddress
    /// Which chip it is, for people: `SGP30`, `BME280`, ...
    public var name: String
    /// Its state.
    public var state: ChipState
  }

  /// This appliance's id.
  public let applianceID: String
  /// The board, for example `sim`.
  public let board: String
  /// The chips on the board's bus, in bus order.
  public private(set) var chips: [Chip]
  /// The latest reading of each sensor, sorted by sensor id.
  public private(set) var latestReadings: [Reading] = []
  /// Readings waiting in the outbox.
  public var outboxWaitingCount = 0
  /// The outbox's capacity.
  public var outboxCapacity = 0
  /// Readings merged away by downsampling since the appliance started.
  public var outboxDownsampledCount = 0
  /// The highest sequence number the hub acknowledged.
  public var deliveredSequence: UInt64 = 0
  /// The alerts, the sensors' power and the pump, as the appliance last moved them on.
  public var control: ApplianceControl?

  /// The status of a new appliance whose chips have not measured yet.
  public init(applianceID: String, board: String, chips: [(address: I2CAddress, name: String)]) {
    self.applianceID = applianceID
    self.board = board
    self.chips = chips.map { Chip(address: $0.address, name: $0.name, state: .starting) }
  }

  /// Records a new reading as its sensor's latest.
  public mutating func record(_ reading: Reading) {
    // Few sensors (a handful an appliance): a sorted array beats a dictionary here.
    var index = 0
    while index < latestReadings.count, latestReadings[index].sensorID < reading.sensorID {
      index += 1
    }
    if index < latestReadings.count, latestReadings[index].sensorID == reading.sensorID {
      assert(latestReadings[index].sequence < reading.sequence)
      latestReadings[index] = reading
    } else {
      latestReadings.insert(reading, at: index)
    }
  }

  /// Sets the state of the chip at `address`.
  public mutating func setState(_ state: ChipState, ofChipAt address: I2CAddress) {
    guard let index = chips.firstIndex(where: { $0.address == address }) else {
      preconditionFailure("no chip at \(address) on this board")
    }
    chips[index].state = state
  }

  /// Whether every chip measures.
  public var isHealthy: Bool {
    chips.allSatisfy { $0.state == .measuring }
  }
}
