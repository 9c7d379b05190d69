import Glibc

/// A small reader of `--name value` options for Loam's executables. A mistake prints the message
/// and the usage text, then exits with status 2, as command-line tools do.
public struct CommandLineOptions {
  private var remaining: [String]
  private let usage: String

  /// Options from `arguments` (without the program name). `--help` prints `usage` and exits.
  public init(_ arguments: some Sequence<String>, usage: String) {
    remaining = Array(arguments)
    self.usage = usage
    if remaining.contains("--help") || remaining.contains("-h") {
      writeLine(usage)
      exit(0)
    }
  }

  /// Takes `name`'s value, or nil when the option is absent.
  public mutating func value(_ name: String) -> String? {
    guard let position = remaining.firstIndex(of: name) else { return nil }
    guard position + 1 < remaining.count else { fail("\(name) needs a value") }
    let value = remaining[position + 1]
    remaining.removeSubrange(position...(position + 1))
    return value
  }

  /// Takes `name`'s value as a TCP port (1-65535).
  public mutating func port(_ name: String) -> UInt16? {
    guard let text = value(name) else { return nil }
    guard let port = UInt16(text), port > 0 else { fail("\(name) must be a port from 1 to 65535") }
    return port
  }

  /// Takes `name`'s value as a number in `range`.
  public mutating func number(_ name: String, in range: ClosedRange<Double>) -> Double? {
    guard let text = value(name) else { return nil }
    guard let number = Double(text), range.contains(number) else {
      fail("\(name) must be a number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  /// Ends parsing: anything not taken is an error.
  public func finish() {
    if let unknown = remaining.first { fail("unknown argument '\(unknown)'") }
  }

  private func fail(_ message: String) -> Never {
    writeLine("\(message)\n\(usage)", to: STDERR_FILENO)
    exit(2)
  }
}
