import Time

/// What a driver operation asks of its caller after one call.
///
/// Chips take milliseconds to seconds to convert, and a driver never sleeps or reads a clock.
/// An operation such as `measure(on:now:)` sends its command and answers `.wait(until:)`; the
/// caller calls the same operation again at or after that instant (with the new `now`), and
/// eventually gets `.done` with the result.
public enum DriverStep<Output> {
  /// Call the operation again at or after this instant.
  case wait(until: Instant)
  /// The operation finished with this result.
  case done(Output)
}

extension DriverStep: Equatable where Output: Equatable {}

extension DriverStep {
  /// The same step with its result transformed; a wait stays the same wait.
  public func map<Transformed, Failure: Error>(
    _ transform: (Output) throws(Failure) -> Transformed
  ) throws(Failure) -> DriverStep<Transformed> {
    switch self {
    case .wait(let instant): return .wait(until: instant)
    case .done(let output): return .done(try transform(output))
    }
  }
}
