/// Why a JSON value does not have the shape a type expects, and where in the document.
///
/// Decoders report the reason; the object and array helpers (`JSONObject.decode`, the `Array`
/// conformance) prefix the key or index they were decoding as the error passes up, so the
/// final error names the full path: `readings[3].value: expected a number, found a string`.
public struct JSONDecodingError: Error, Equatable, CustomStringConvertible {
  /// One step from a value to a nested value.
  public enum PathComponent: Equatable, Sendable {
    /// An object member.
    case key(String)
    /// An array element.
    case index(Int)
  }

  /// What is wrong with the value.
  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The value is of another kind.
    case typeMismatch(expected: JSONValue.Kind, found: JSONValue.Kind)
    /// A required object member is absent.
    case missingKey
    /// A number has a fraction where an integer is required.
    case notAnInteger
    /// An integer does not fit the type decoded into.
    case integerOutOfRange
    /// A type-specific rule is broken, such as "must not be empty".
    case invalidValue(String)

    /// The reason as a phrase, such as "expected a number, found a string".
    public var description: String {
      switch self {
      case .typeMismatch(let expected, let found): return "expected \(expected), found \(found)"
      case .missingKey: return "required key is missing"
      case .notAnInteger: return "expected an integer, found a number with a fraction"
      case .integerOutOfRange: return "integer out of range"
      case .invalidValue(let message): return message
      }
    }
  }

  /// From the outermost value to the failing one; empty for the value decoded first.
  public var path: [PathComponent]
  /// What is wrong.
  public var reason: Reason

  /// An error at the current value (the path is filled in on the way up).
  public init(_ reason: Reason, path: [PathComponent] = []) {
    self.reason = reason
    self.path = path
  }

  /// A type mismatch: `expected` was wanted but `value` was found.
  public static func typeMismatch(expected: JSONValue.Kind, found value: JSONValue) -> Self {
    JSONDecodingError(.typeMismatch(expected: expected, found: value.kind))
  }

  /// The same error one level further down: `component` is put in front of the path.
  public func prefixed(with component: PathComponent) -> Self {
    JSONDecodingError(reason, path: [component] + path)
  }

  /// The path as it would be written in JavaScript (`readings[3].value`), then the reason.
  public var description: String {
    guard !path.isEmpty else { return "\(reason)" }
    var text = ""
    for component in path {
      switch component {
      case .key(let key): text += text.isEmpty ? key : ".\(key)"
      case .index(let index): text += "[\(index)]"
      }
    }
    return "\(text): \(reason)"
  }
}
