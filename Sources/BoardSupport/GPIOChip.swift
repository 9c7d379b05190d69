import Time

/// A GPIO line's electrical level.
public enum GPIOLevel: Equatable, Sendable, CustomStringConvertible {
  case low
  case high

  public var description: String { self == .high ? "high" : "low" }
}

/// Which level changes of an input line become `GPIOEdgeEvent`s.
public enum GPIOEdgeDetection: Equatable, Sendable {
  case none
  case rising
  case falling
  case both
}

/// How a line is used: read, with optional edge events, or driven at a level.
public enum GPIOLineConfiguration: Equatable, Sendable {
  /// An input; changes matching `edges` are queued as events.
  case input(edges: GPIOEdgeDetection)
  /// An output, driven at `initial` from the moment it is configured.
  case output(initial: GPIOLevel)
}

/// One level change seen on an input line, as a value the platform polls for.
public struct GPIOEdgeEvent: Equatable, Sendable {
  /// The offset of the line on its chip.
  public var line: Int
  /// The level the line changed to: `.high` for a rising edge, `.low` for a falling one.
  public var level: GPIOLevel
  /// When the change was seen, on the platform's monotonic clock.
  public var time: Instant

  /// An edge on `line` to `level` at `time`.
  public init(line: Int, level: GPIOLevel, time: Instant) {
    self.line = line
    self.level = level
    self.time = time
  }
}

/// Why a GPIO request failed.
public enum GPIOError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The chip has no line at this offset.
  case noSuchLine(Int)
  /// Another user (a kernel driver or process) holds the line.
  case lineBusy(Int)
  /// The line is not configured for this use: setting an input, or using an unconfigured line.
  case wrongConfiguration(Int)
  /// The GPIO chip itself is missing or could not be opened.
  case chipAbsent

  public var description: String {
    switch self {
    case .noSuchLine(let line): return "no GPIO line \(line)"
    case .lineBusy(let line): return "GPIO line \(line) is in use by someone else"
    case .wrongConfiguration(let line): return "GPIO line \(line) is not configured for that"
    case .chipAbsent: return "the GPIO chip is absent"
    }
  }
}

/// A GPIO controller whose lines are addressed by offset, as libgpiod addresses a chip's lines.
public protocol GPIOChip {
  /// Requests `line` for the given use, replacing an earlier configuration of it.
  mutating func configure(line: Int, as configuration: GPIOLineConfiguration) throws(GPIOError)
  /// Drives an output line to `level`.
  mutating func set(line: Int, to level: GPIOLevel) throws(GPIOError)
  /// The current level of a configured line (for an output, the level it drives).
  mutating func level(of line: Int) throws(GPIOError) -> GPIOLevel
  /// The oldest edge event not yet taken, or nil when there is none.
  mutating func nextEdgeEvent() -> GPIOEdgeEvent?
}
