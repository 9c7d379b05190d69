/// A type that can be built from a parsed JSON value, without Codable.
///
/// ```swift
/// extension Reading: JSONDecodable {
///   init(json: JSONValue) throws(JSONDecodingError) {
///     let object = try JSONObject(json: json)
///     sensor = try object.decode("sensor")
///     value = try object.decode("value")
///   }
/// }
/// ```
public protocol JSONDecodable {
  /// Builds a value from `json`, or explains why it cannot.
  init(json: JSONValue) throws(JSONDecodingError)
}

extension JSONObject {
  /// Decodes the member `key`, which must be present; errors get `key` prefixed to their path.
  public func decode<T: JSONDecodable>(
    _ key: String, as type: T.Type = T.self
  ) throws(JSONDecodingError) -> T {
    guard let value = self[key] else {
      throw JSONDecodingError(.missingKey, path: [.key(key)])
    }
    return try Self.decode(value, at: key)
  }

  /// Decodes the member `key`, or returns nil if it is absent or `null`.
  public func decodeIfPresent<T: JSONDecodable>(
    _ key: String, as type: T.Type = T.self
  ) throws(JSONDecodingError) -> T? {
    guard let value = self[key], !value.isNull else { return nil }
    return try Self.decode(value, at: key)
  }

  /// Refuses members other than `allowed`, so that a misspelt key (`"calibraton"`) is an error
  /// at that key rather than a setting silently left at its default.
  public func rejectUnknownKeys(allowed: [String]) throws(JSONDecodingError) {
    for member in members where !allowed.contains(member.key) {
      throw JSONDecodingError(.invalidValue("unknown field"), path: [.key(member.key)])
    }
  }

  private static func decode<T: JSONDecodable>(
    _ value: JSONValue, at key: String
  ) throws(JSONDecodingError) -> T {
    do {
      return try T(json: value)
    } catch {
      throw error.prefixed(with: .key(key))
    }
  }
}

extension JSONValue: JSONDecodable {
  /// Any value.
  public init(json: JSONValue) {
    self = json
  }
}

extension JSONObject: JSONDecodable {
  /// An object.
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard case .object(let object) = json else {
      throw .typeMismatch(expected: .object, found: json)
    }
    self = object
  }
}

extension String: JSONDecodable {
  /// A string.
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard case .string(let string) = json else {
      throw .typeMismatch(expected: .string, found: json)
    }
    self = string
  }
}

extension Bool: JSONDecodable {
  /// `true` or `false`.
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard case .bool(let flag) = json else { throw .typeMismatch(expected: .bool, found: json) }
    self = flag
  }
}

extension Int64: JSONDecodable {
  /// An integral number in range. JSON does not tell integers from other numbers, so `1e3`
  /// (parsed as the double 1000) is accepted too; `1.5` is not.
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard case .number(let number) = json else {
      throw .typeMismatch(expected: .number, found: json)
    }
    guard let integer = number.int64Value else {
      // Every double of magnitude 2^63 or more is integral, just too large; a smaller one
      // that does not convert has a fraction.
      let double = number.doubleValue
      let isTooLarge = double >= 0x1p63 || double < -0x1p63
      throw JSONDecodingError(isTooLarge ? .integerOutOfRange : .notAnInteger)
    }
    self = integer
  }
}

extension Int: JSONDecodable {
  /// An integral number that fits an `Int` (see `Int64`).
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard let integer = Int(exactly: try Int64(json: json)) else {
      throw JSONDecodingError(.integerOutOfRange)
    }
    self = integer
  }
}

extension Double: JSONDecodable {
  /// Any number; integers beyond 2^53 round to the nearest double.
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard case .number(let number) = json else {
      throw .typeMismatch(expected: .number, found: json)
    }
    self = number.doubleValue
  }
}

extension Array: JSONDecodable where Element: JSONDecodable {
  /// An array whose elements all decode; an element's error gets its index in the path.
  public init(json: JSONValue) throws(JSONDecodingError) {
    guard case .array(let elements) = json else {
      throw .typeMismatch(expected: .array, found: json)
    }
    var decoded: [Element] = []
    decoded.reserveCapacity(elements.count)
    for (index, element) in elements.enumerated() {
      do {
        decoded.append(try Element(json: element))
      } catch {
        throw error.prefixed(with: .index(index))
      }
    }
    self = decoded
  }
}

extension Optional: JSONDecodable where Wrapped: JSONDecodable {
  /// `null` as nil, anything else as the wrapped type.
  public init(json: JSONValue) throws(JSONDecodingError) {
    self = json.isNull ? nil : try Wrapped(json: json)
  }
}
