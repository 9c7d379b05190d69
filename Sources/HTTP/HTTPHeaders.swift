/// A header section: ordered fields whose names compare without regard to ASCII case
/// (RFC 9110 §5).
///
/// Order and repetition are kept as received, because some fields (`Set-Cookie`) cannot be
/// joined and because proxies and tests need the message as it was.
public struct HTTPHeaders: Sequence, ExpressibleByDictionaryLiteral, Sendable {
  /// One field line: a name and its value, without surrounding whitespace.
  public typealias Field = (name: String, value: String)

  private var fields: [Field] = []

  /// An empty header section.
  public init() {}

  /// An empty header section with room for `capacity` fields.
  init(capacity: Int) {
    fields.reserveCapacity(capacity)
  }

  /// Fields in literal order, for example `["Content-Type": "text/plain"]`.
  public init(dictionaryLiteral elements: (String, String)...) {
    for (name, value) in elements { add(name: name, value: value) }
  }

  /// The number of field lines.
  public var count: Int { fields.count }

  /// The first value of the field called `name` (any case), or nil if there is none.
  public subscript(name: String) -> String? {
    for field in fields where equalsIgnoringASCIICase(field.name.utf8, name.utf8) {
      return field.value
    }
    return nil
  }

  /// Every value of the field called `name` (any case), in order.
  public func values(for name: String) -> [String] {
    fields.filter { equalsIgnoringASCIICase($0.name.utf8, name.utf8) }.map { $0.value }
  }

  /// How many field lines are called `name` (any case).
  public func count(of name: String) -> Int {
    var count = 0
    for field in fields where equalsIgnoringASCIICase(field.name.utf8, name.utf8) { count += 1 }
    return count
  }

  /// Whether a field called `name` is present.
  public func contains(name: String) -> Bool { self[name] != nil }

  /// Appends a field line. The name must be a token and the value must hold no control bytes
  /// (so no CR or LF): a header built by the program is never allowed to split a message.
  public mutating func add(name: String, value: String) {
    precondition(isToken(name.utf8), "a header name is a token")
    precondition(
      allBytes(of: value.utf8, satisfy: isFieldValueByte), "a header value has no control bytes")
    fields.append((name, value))
  }

  /// Appends a field line the parser has already checked.
  mutating func addValidated(name: String, value: String) {
    fields.append((name, value))
  }

  /// Replaces the first field called `name` and removes any others, or appends the field.
  public mutating func replaceOrAdd(name: String, value: String) {
    guard let first = fields.firstIndex(where: { equalsIgnoringASCIICase($0.name.utf8, name.utf8) })
    else {
      add(name: name, value: value)
      return
    }
    precondition(
      allBytes(of: value.utf8, satisfy: isFieldValueByte), "a header value has no control bytes")
    fields[first].value = value
    var index = first + 1
    while index < fields.count {
      if equalsIgnoringASCIICase(fields[index].name.utf8, name.utf8) {
        fields.remove(at: index)
      } else {
        index += 1
      }
    }
  }

  /// Removes every field called `name`.
  public mutating func remove(name: String) {
    fields.removeAll { equalsIgnoringASCIICase($0.name.utf8, name.utf8) }
  }

  /// The comma-separated list elements of every field called `name`, lowercased and trimmed,
  /// empty elements dropped (RFC 9110 §5.6.1). Used for `Connection` and `Transfer-Encoding`.
  func lowercasedListElements(for name: String) -> [String] {
    var elements: [String] = []
    for value in values(for: name) {
      for element in Array(value.utf8).split(separator: ASCII.comma) {
        let trimmed = trimmingWhitespace(element)
        if !trimmed.isEmpty {
          elements.append(String(decoding: trimmed.map(asciiLowercased), as: UTF8.self))
        }
      }
    }
    return elements
  }

  /// Whether a comma-list field called `name` holds `token` (compared without case).
  public func containsToken(_ token: String, in name: String) -> Bool {
    // Asked of every request and response (`Connection`), so it builds no strings.
    for field in fields where equalsIgnoringASCIICase(field.name.utf8, name.utf8) {
      for element in field.value.utf8.split(separator: ASCII.comma)
      where equalsIgnoringASCIICase(trimmingWhitespace(element), token.utf8) {
        return true
      }
    }
    return false
  }

  public func makeIterator() -> IndexingIterator<[Field]> {
    fields.makeIterator()
  }
}
