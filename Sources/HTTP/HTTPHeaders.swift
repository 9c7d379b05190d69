/// A header section: ordered fields whose names compare without regard to ASCII case
/// (RFC 9110 §5).
///
/// Order and repetition are kept as received, because some fields (`Set-Cookie`) cannot be
/// joined and because proxies and tests need the message as it was.
///
/// The fields are kept as bytes, the way they travel: a buffer holding every name and value,
/// and the bounds of each. A parsed section shares the parser's receive buffer rather than
/// copying it (so a head kept after its response keeps that buffer alive, and the parser then
/// copies its buffer once when more bytes arrive); a lookup compares bytes; a `String` is made
/// only for a value someone asks for; and a serializer copies names and values straight out.
/// Every request passes through here, so this is most of what a header section costs.
public struct HTTPHeaders: Sequence, ExpressibleByDictionaryLiteral, Sendable {
  /// One field line: a name and its value, without surrounding whitespace.
  public typealias Field = (name: String, value: String)

  /// Where one field's name and value lie in `bytes`.
  struct FieldBounds: Sendable {
    var name: Range<Int>
    var value: Range<Int>
  }

  /// The names and values of the fields, at the places `fields` gives, among other bytes
  /// when the section was parsed.
  private(set) var bytes: [UInt8] = []
  /// Each field's bounds, in order.
  private(set) var fields: [FieldBounds] = []

  /// An empty header section.
  public init() {}

  /// Fields in literal order, for example `["Content-Type": "text/plain"]`.
  public init(dictionaryLiteral elements: (String, String)...) {
    for (name, value) in elements { add(name: name, value: value) }
  }

  /// The number of field lines.
  public var count: Int { fields.count }

  /// The first value of the field called `name` (any case), or nil if there is none.
  public subscript(name: String) -> String? {
    guard let index = firstIndex(named: name) else { return nil }
    return value(at: index)
  }

  /// Every value of the field called `name` (any case), in order.
  public func values(for name: String) -> [String] {
    valueBytes(for: name).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The value bytes of every field called `name` (any case), in order.
  func valueBytes(for name: String) -> [ArraySlice<UInt8>] {
    var values: [ArraySlice<UInt8>] = []
    for index in fields.indices where field(index, isNamed: name) {
      values.append(bytes[fields[index].value])
    }
    return values
  }

  /// How many field lines are called `name` (any case).
  public func count(of name: String) -> Int {
    var count = 0
    for index in fields.indices where field(index, isNamed: name) { count += 1 }
    return count
  }

  /// Whether a field called `name` is present.
  public func contains(name: String) -> Bool { firstIndex(named: name) != nil }

  /// Appends a field line. The name must be a token and the value must hold no control bytes
  /// (so no CR or LF): a header built by the program is never allowed to split a message.
  public mutating func add(name: String, value: String) {
    precondition(isToken(name.utf8), "a header name is a token")
    precondition(
      allBytes(of: value.utf8, satisfy: isFieldValueByte), "a header value has no control bytes")
    let nameStart = bytes.count
    bytes.append(ascii: name)
    let valueStart = bytes.count
    bytes.append(ascii: value)
    fields.append(FieldBounds(name: nameStart..<valueStart, value: valueStart..<bytes.count))
  }

  /// Replaces the first field called `name` and removes any others, or appends the field.
  public mutating func replaceOrAdd(name: String, value: String) {
    guard let first = firstIndex(named: name) else {
      add(name: name, value: value)
      return
    }
    var replaced = HTTPHeaders()
    for (index, field) in enumerated() {
      if index == first {
        replaced.add(name: field.name, value: value)
      } else if !self.field(index, isNamed: name) {
        replaced.add(name: field.name, value: field.value)
      }
    }
    self = replaced
  }

  /// Removes every field called `name`.
  public mutating func remove(name: String) {
    var kept = HTTPHeaders()
    for (index, field) in enumerated() where !self.field(index, isNamed: name) {
      kept.add(name: field.name, value: field.value)
    }
    self = kept
  }

  /// The comma-separated list elements of every field called `name`, lowercased and trimmed,
  /// empty elements dropped (RFC 9110 §5.6.1). Used for `Connection` and `Transfer-Encoding`.
  func lowercasedListElements(for name: String) -> [String] {
    var elements: [String] = []
    for value in valueBytes(for: name) {
      for element in value.split(separator: ASCII.comma) {
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
    // Asked of every request and response (`Connection`), so it builds no strings or arrays.
    for index in fields.indices where field(index, isNamed: name) {
      for element in bytes[fields[index].value].split(separator: ASCII.comma)
      where equalsIgnoringASCIICase(trimmingWhitespace(element), token.utf8) {
        return true
      }
    }
    return false
  }

  /// The value bytes of the first field called `name` (any case), or nil.
  func firstValueBytes(named name: String) -> ArraySlice<UInt8>? {
    guard let index = firstIndex(named: name) else { return nil }
    return bytes[fields[index].value]
  }

  public func makeIterator() -> Iterator {
    Iterator(headers: self)
  }

  /// The fields in order, each made into strings as it is reached.
  public struct Iterator: IteratorProtocol {
    let headers: HTTPHeaders
    var index = 0

    public mutating func next() -> Field? {
      guard index < headers.fields.count else { return nil }
      defer { index += 1 }
      let bounds = headers.fields[index]
      return (
        String(decoding: headers.bytes[bounds.name], as: UTF8.self),
        headers.value(at: index)
      )
    }
  }

  /// The index of the first field called `name` (any case), or nil.
  private func firstIndex(named name: String) -> Int? {
    fields.indices.first { field($0, isNamed: name) }
  }

  /// Whether the field at `index` is called `name` (any case).
  func field(_ index: Int, isNamed name: String) -> Bool {
    let bounds = fields[index].name
    guard bounds.count == name.utf8.count else { return false }
    return equalsIgnoringASCIICase(bytes[bounds], name.utf8)
  }

  /// The value of the field at `index`, as a string.
  private func value(at index: Int) -> String {
    String(decoding: bytes[fields[index].value], as: UTF8.self)
  }
}

extension HTTPHeaders {
  /// The fields of a parsed field section, after rejecting what RFC 9112 §5 forbids: whitespace
  /// before the colon, line folding, control bytes. Allows at most `maximumCount` fields.
  /// `fieldSection` is where in `buffer` `HTTPMessageBuffer.takeHead` found the section: lines
  /// that each end in CRLF, and no other CR.
  init(
    parsing buffer: [UInt8], fieldSection: Range<Int>, maximumCount: Int
  ) throws(HTTPParseError) {
    bytes = buffer
    // Every request has a few of these lines: they are read straight from memory, with the
    // section's bounds checked once here rather than on every byte.
    fields = try buffer[fieldSection].withUnsafeBufferPointer { section throws(HTTPParseError) in
      var lineCount = 0
      for byte in section where byte == ASCII.lineFeed { lineCount += 1 }
      guard lineCount <= maximumCount else {
        throw HTTPParseError(
          status: .requestHeaderFieldsTooLarge, message: "more than \(maximumCount) header fields")
      }
      var fields: [FieldBounds] = []
      fields.reserveCapacity(lineCount)
      var lineStart = 0
      while lineStart < section.count {
        var lineEnd = lineStart
        while section[lineEnd] != ASCII.carriageReturn { lineEnd += 1 }
        fields.append(
          try HTTPHeaders.fieldBounds(
            ofLine: lineStart..<lineEnd, in: section, at: fieldSection.lowerBound))
        lineStart = lineEnd + 2
      }
      return fields
    }
  }

  /// The name and value of the field line at `line` in `section`, after checking it, as
  /// indices of the buffer `section` is part of, at `offset` in it.
  private static func fieldBounds(
    ofLine line: Range<Int>, in section: UnsafeBufferPointer<UInt8>, at offset: Int
  ) throws(HTTPParseError) -> FieldBounds {
    guard !line.isEmpty, !isWhitespace(section[line.lowerBound]) else {
      throw .badRequest("obsolete line folding is not accepted")
    }
    var colon = line.lowerBound
    while colon < line.upperBound, section[colon] != ASCII.colon {
      guard isTokenByte(section[colon]) else {
        throw .badRequest("a header field name is missing or not a token")
      }
      colon += 1
    }
    guard colon > line.lowerBound, colon < line.upperBound else {
      throw .badRequest("a header field name is missing or not a token")
    }
    var valueStart = colon + 1
    var valueEnd = line.upperBound
    while valueStart < valueEnd, isWhitespace(section[valueStart]) { valueStart += 1 }
    while valueEnd > valueStart, isWhitespace(section[valueEnd - 1]) { valueEnd -= 1 }
    for index in valueStart..<valueEnd where !isFieldValueByte(section[index]) {
      throw .badRequest("a header field value holds control bytes")
    }
    return FieldBounds(
      name: (offset + line.lowerBound)..<(offset + colon),
      value: (offset + valueStart)..<(offset + valueEnd))
  }

  /// The most bytes `writeFieldLines` writes: every field, with its `: ` and CRLF.
  var fieldLinesMaximumCount: Int {
    var count = 0
    for field in fields { count += field.name.count + field.value.count + 4 }
    return count
  }

  /// Writes each field as a field line, `name: value` and CRLF, except those `skip` names.
  func writeFieldLines(to writer: inout ByteWriter, skipping skip: (ArraySlice<UInt8>) -> Bool) {
    for field in fields where !skip(bytes[field.name]) {
      writer.write(bytes[field.name])
      writer.write(": ")
      writer.write(bytes[field.value])
      writer.write("\r\n")
    }
  }
}
