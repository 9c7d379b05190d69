import BoardSupport
import Time

/// A simulated GPIO chip with the lines an appliance uses. Outputs are observed with
/// `drivenLevel(of:)`; the outside world changes inputs with `applyExternalLevel`, which queues
/// edge events as a kernel's GPIO character device does.
public struct SimulatedGPIOChip: GPIOChip {
  /// The line offsets on this chip.
  public enum Line {
    /// An LED that shows the appliance's state.
    public static let statusLED = 0
    /// A switch that powers the sensors, so that a hung chip can be power-cycled.
    public static let sensorPower = 1
    /// A relay that runs the watering pump.
    public static let pumpRelay = 2
    /// A push button, an input.
    public static let button = 3
  }

  /// The lines' names, by offset, as `gpioinfo` would list them.
  public static let lineNames = ["status-led", "sensor-power", "pump-relay", "button"]
  /// Edge events held before new ones are dropped (and counted).
  public static let eventCapacity = 16

  private var configurations: [GPIOLineConfiguration?]
  private var levels: [GPIOLevel]
  private var events: [GPIOEdgeEvent] = []
  /// Edge events dropped because the queue was full.
  public private(set) var droppedEventCount = 0

  /// A chip with every line unconfigured and low.
  public init() {
    configurations = [GPIOLineConfiguration?](repeating: nil, count: Self.lineNames.count)
    levels = [GPIOLevel](repeating: .low, count: Self.lineNames.count)
  }

  /// The offset of the line called `name`.
  public static func line(named name: String) -> Int? {
    lineNames.firstIndex(of: name)
  }

  /// The level a line is at, as the outside world sees it (the pump runs when its relay line is
  /// high).
  public func drivenLevel(of line: Int) -> GPIOLevel {
    levels[line]
  }

  /// The outside world sets an input line to `level` at `time`. Ignored for outputs, which the
  /// chip drives itself.
  public mutating func applyExternalLevel(_ level: GPIOLevel, to line: Int, at time: Instant) {
    guard case .input(let edges) = configurations[line], levels[line] != level else { return }
    levels[line] = level
    let isReported: Bool
    switch edges {
    case .none: isReported = false
    case .rising: isReported = level == .high
    case .falling: isReported = level == .low
    case .both: isReported = true
    }
    guard isReported else { return }
    guard events.count < Self.eventCapacity else {
      droppedEventCount += 1
      return
    }
    events.append(GPIOEdgeEvent(line: line, level: level, time: time))
  }

  public mutating func configure(
    line: Int, as configuration: GPIOLineConfiguration
  ) throws(GPIOError) {
    guard levels.indices.contains(line) else { throw .noSuchLine(line) }
    configurations[line] = configuration
    if case .output(let initial) = configuration { levels[line] = initial }
  }

  public mutating func set(line: Int, to level: GPIOLevel) throws(GPIOError) {
    guard levels.indices.contains(line) else { throw .noSuchLine(line) }
    guard case .output = configurations[line] else { throw .wrongConfiguration(line) }
    levels[line] = level
  }

  public mutating func level(of line: Int) throws(GPIOError) -> GPIOLevel {
    guard levels.indices.contains(line) else { throw .noSuchLine(line) }
    guard configurations[line] != nil else { throw .wrongConfiguration(line) }
    return levels[line]
  }

  public mutating func nextEdgeEvent() -> GPIOEdgeEvent? {
    events.isEmpty ? nil : events.removeFirst()
  }
}
