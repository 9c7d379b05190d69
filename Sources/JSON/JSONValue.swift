/// A parsed JSON document or any value inside one.
///
/// Equality compares strings and keys by their Unicode code points (their UTF-8 bytes), as JSON
/// does, not by Swift's canonical equivalence: `"\u00e9"` and `"e\u0301"` are different JSON
/// strings. Numbers compare by case and value, so `.integer(1)` differs from `.double(1.0)`.
public enum JSONValue: Equatable, Sendable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number.
  case number(JSONNumber)
  /// A string.
  case string(String)
  /// An array, in document order.
  case array([JSONValue])
  /// An object, with its members in document order.
  case object(JSONObject)

  /// The string, if this is a string.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The number as an `Int64`, if this is an integral number in range (see `JSONNumber`).
  public var int64Value: Int64? {
    if case .number(let number) = self { return number.int64Value }
    return nil
  }

  /// The number as a `Double`, if this is a number.
  public var doubleValue: Double? {
    if case .number(let number) = self { return number.doubleValue }
    return nil
  }

  /// The boolean, if this is `true` or `false`.
  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// The elements, if this is an array.
  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// The object, if this is an object.
  public var objectValue: JSONObject? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// Whether this is `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// Which of JSON's six kinds of value this is.
  public var kind: Kind {
    switch self {
    case .null: return .null
    case .bool: return .bool
    case .number: return .number
    case .string: return .string
    case .array: return .array
    case .object: return .object
    }
  }

  /// Structural equality; strings by their UTF-8 bytes (see the type's documentation).
  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let left), .bool(let right)): return left == right
    case (.number(let left), .number(let right)): return left == right
    case (.string(let left), .string(let right)): return left.utf8.elementsEqual(right.utf8)
    case (.array(let left), .array(let right)): return left == right
    case (.object(let left), .object(let right)): return left == right
    default: return false
    }
  }
}

extension JSONValue {
  /// JSON's six kinds of value, for messages such as "expected a number, found a string".
  public enum Kind: Equatable, Sendable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool
    /// A number.
    case number
    /// A string.
    case string
    /// An array.
    case array
    /// An object.
    case object

    /// The kind with its article, as it reads in a sentence: "a number", "an object".
    public var description: String {
      switch self {
      case .null: return "null"
      case .bool: return "a boolean"
      case .number: return "a number"
      case .string: return "a string"
      case .array: return "an array"
      case .object: return "an object"
      }
    }
  }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  /// `null`.
  public init(nilLiteral: ()) { self = .null }
  /// A boolean.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// An integer.
  public init(integerLiteral value: Int64) { self = .number(.integer(value)) }
  /// A double; must be finite.
  public init(floatLiteral value: Double) {
    precondition(value.isFinite, "JSON numbers are finite")
    self = .number(.double(value))
  }
  /// A string.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An array.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// An object, members in the order written; keys must be distinct.
  public init(dictionaryLiteral members: (String, JSONValue)...) {
    var object = JSONObject()
    for (key, value) in members {
      precondition(object[key] == nil, "duplicate key in JSON object literal")
      object[key] = value
    }
    self = .object(object)
  }
}
