/// Writes JSON text into a byte buffer, one token at a time, without building a `JSONValue`.
///
/// Commas and colons are inserted automatically. The call sequence must form one JSON value:
/// a key where an object expects a value, a value where it expects a key, an unbalanced `end`
/// or a second top-level value is a programming error and stops with a precondition failure.
///
/// Output is compact (no whitespace). Strings escape `"`, `\` and control characters and keep
/// all other Unicode as UTF-8. Doubles use Swift's shortest round-trip form.
public struct JSONWriter {
  /// The JSON text written so far.
  public private(set) var bytes: [UInt8] = []

  /// The containers opened and not yet closed, innermost last.
  private var openContainers: [Container] = []
  /// Whether the innermost container already holds an element, so the next needs a comma.
  private var containerHasElements = false
  /// Whether a key was written whose value has not been.
  private var awaitingValueForKey = false
  /// Whether the single top-level value is finished.
  public private(set) var isComplete = false

  private enum Container {
    case array
    case object
  }

  /// An empty writer.
  public init() {}

  /// Opens an object; follow with `key`/value pairs and `endObject()`.
  public mutating func beginObject() {
    beginValue()
    bytes.append(ASCII.openBrace)
    openContainers.append(.object)
    containerHasElements = false
  }

  /// Closes the innermost object.
  public mutating func endObject() {
    precondition(openContainers.last == .object, "endObject() without an open object")
    precondition(!awaitingValueForKey, "endObject() after a key without a value")
    openContainers.removeLast()
    bytes.append(ASCII.closeBrace)
    endValue()
  }

  /// Opens an array; follow with values and `endArray()`.
  public mutating func beginArray() {
    beginValue()
    bytes.append(ASCII.openBracket)
    openContainers.append(.array)
    containerHasElements = false
  }

  /// Closes the innermost array.
  public mutating func endArray() {
    precondition(openContainers.last == .array, "endArray() without an open array")
    openContainers.removeLast()
    bytes.append(ASCII.closeBracket)
    endValue()
  }

  /// Writes the key of the next object member.
  public mutating func key(_ name: String) {
    precondition(openContainers.last == .object, "key() outside an object")
    precondition(!awaitingValueForKey, "key() where a value was expected")
    if containerHasElements { bytes.append(ASCII.comma) }
    appendQuoted(name)
    bytes.append(ASCII.colon)
    awaitingValueForKey = true
  }

  /// Writes a string value.
  public mutating func string(_ value: String) {
    beginValue()
    appendQuoted(value)
    endValue()
  }

  /// Writes an integer value exactly.
  public mutating func integer(_ value: Int64) {
    beginValue()
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    // Digits come out least significant first; write them, then reverse them in place.
    let start = bytes.count
    var magnitude = value.magnitude
    repeat {
      bytes.append(ASCII.zero + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    bytes[start...].reverse()
    endValue()
  }

  /// Writes an integer value exactly.
  public mutating func integer(_ value: Int) {
    integer(Int64(value))
  }

  /// Writes a double in its shortest round-trip form, such as `0.1`, `100.0` or `1e-05`.
  ///
  /// JSON has no NaN or infinity, and the alternatives are worse: a string would change the
  /// value's type for readers, and trapping would let one bad sensor reading crash the appliance.
  /// So non-finite values are written as `null`, the conventional "no value" (as JavaScript's
  /// `JSON.stringify` does).
  public mutating func number(_ value: Double) {
    guard value.isFinite else { return null() }
    beginValue()
    bytes.append(contentsOf: "\(value)".utf8)
    endValue()
  }

  /// Writes `true` or `false`.
  public mutating func bool(_ value: Bool) {
    beginValue()
    bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    endValue()
  }

  /// Writes `null`.
  public mutating func null() {
    beginValue()
    bytes.append(contentsOf: "null".utf8)
    endValue()
  }

  /// Writes a whole value tree. Recursion goes as deep as the value nests; a parsed value is
  /// bounded by `JSONParser.Limits.maximumDepth`.
  public mutating func value(_ value: JSONValue) {
    switch value {
    case .null: null()
    case .bool(let flag): bool(flag)
    case .number(.integer(let integer)): self.integer(integer)
    case .number(.double(let double)): number(double)
    case .string(let text): string(text)
    case .array(let elements):
      beginArray()
      for element in elements { self.value(element) }
      endArray()
    case .object(let object):
      beginObject()
      for member in object.members { field(member.key, member.value) }
      endObject()
    }
  }

  /// Writes any encodable value.
  public mutating func value(_ value: some JSONEncodable) {
    value.encode(to: &self)
  }

  /// Writes an object member: the key, then the value.
  public mutating func field(_ key: String, _ value: some JSONEncodable) {
    self.key(key)
    value.encode(to: &self)
  }

  /// Checks a value is allowed here and writes the separator before it.
  private mutating func beginValue() {
    switch openContainers.last {
    case nil:
      precondition(!isComplete, "a JSON document has one top-level value")
    case .object:
      precondition(awaitingValueForKey, "a value in an object needs a key first")
      awaitingValueForKey = false
    case .array:
      if containerHasElements { bytes.append(ASCII.comma) }
    }
  }

  private mutating func endValue() {
    if openContainers.isEmpty {
      isComplete = true
    } else {
      containerHasElements = true
    }
  }

  /// Appends `text` as a JSON string (RFC 8259 section 7).
  private mutating func appendQuoted(_ text: String) {
    bytes.append(ASCII.quote)
    var text = text
    text.withUTF8 { utf8 in
      // Copy runs that need no escaping in one go; most strings are a single run.
      var runStart = 0
      for index in 0..<utf8.count {
        let byte = utf8[index]
        guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash else { continue }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
        appendEscaped(byte)
        runStart = index + 1
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }
    bytes.append(ASCII.quote)
  }

  /// Appends the escape sequence of a quote, a backslash or a control character.
  private mutating func appendEscaped(_ byte: UInt8) {
    switch byte {
    case ASCII.quote, ASCII.backslash: bytes.append(contentsOf: [ASCII.backslash, byte])
    case 0x0A: bytes.append(contentsOf: [ASCII.backslash, 0x6E])  // \n
    case 0x0D: bytes.append(contentsOf: [ASCII.backslash, 0x72])  // \r
    case 0x09: bytes.append(contentsOf: [ASCII.backslash, 0x74])  // \t
    case 0x08: bytes.append(contentsOf: [ASCII.backslash, 0x62])  // \b
    case 0x0C: bytes.append(contentsOf: [ASCII.backslash, 0x66])  // \f
    default:
      precondition(byte < 0x20, "only quotes, backslashes and control characters are escaped")
      bytes.append(contentsOf: [ASCII.backslash, ASCII.lowercaseU, ASCII.zero, ASCII.zero])
      bytes.append(Hexadecimal.digit(byte >> 4))
      bytes.append(Hexadecimal.digit(byte & 0xF))
    }
  }

}
