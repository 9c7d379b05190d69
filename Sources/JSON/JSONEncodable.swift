/// A type that writes itself as JSON, without Codable (which Embedded Swift lacks).
///
/// ```swift
/// extension Reading: JSONEncodable {
///   func encode(to writer: inout JSONWriter) {
///     writer.beginObject()
///     writer.field("sensor", sensor)
///     writer.field("value", value)
///     writer.endObject()
///   }
/// }
/// ```
public protocol JSONEncodable {
  /// Writes exactly one JSON value.
  func encode(to writer: inout JSONWriter)
}

extension JSONEncodable {
  /// The value as compact JSON text.
  public func serialized() -> [UInt8] {
    var writer = JSONWriter()
    encode(to: &writer)
    return writer.bytes
  }
}

extension JSONValue: JSONEncodable {
  /// Writes the value tree.
  public func encode(to writer: inout JSONWriter) {
    writer.value(self)
  }
}

extension JSONObject: JSONEncodable {
  /// Writes the object, members in order.
  public func encode(to writer: inout JSONWriter) {
    writer.value(JSONValue.object(self))
  }
}

extension String: JSONEncodable {
  /// Writes a JSON string.
  public func encode(to writer: inout JSONWriter) {
    writer.string(self)
  }
}

extension Bool: JSONEncodable {
  /// Writes `true` or `false`.
  public func encode(to writer: inout JSONWriter) {
    writer.bool(self)
  }
}

extension Int: JSONEncodable {
  /// Writes the integer exactly.
  public func encode(to writer: inout JSONWriter) {
    writer.integer(self)
  }
}

extension Int64: JSONEncodable {
  /// Writes the integer exactly.
  public func encode(to writer: inout JSONWriter) {
    writer.integer(self)
  }
}

extension Double: JSONEncodable {
  /// Writes the shortest round-trip form; `null` if not finite (see `JSONWriter.number`).
  public func encode(to writer: inout JSONWriter) {
    writer.number(self)
  }
}

extension Array: JSONEncodable where Element: JSONEncodable {
  /// Writes a JSON array of the elements.
  public func encode(to writer: inout JSONWriter) {
    writer.beginArray()
    for element in self { element.encode(to: &writer) }
    writer.endArray()
  }
}

extension Optional: JSONEncodable where Wrapped: JSONEncodable {
  /// Writes the wrapped value, or `null` for nil.
  public func encode(to writer: inout JSONWriter) {
    switch self {
    case .some(let wrapped): wrapped.encode(to: &writer)
    case .none: writer.null()
    }
  }
}
