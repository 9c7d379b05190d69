import JSON

/// Finds where a value sits in a JSON document's text, given its path (`sensors[1].address`).
///
/// `JSONValue` keeps no positions (the hub decodes many small documents and has no use for
/// them), but a person fixing a configuration file needs the line. Decoding and validation
/// errors carry the path of the value they reject, so this walks the text along that path
/// afterwards. It expects a document that `JSONParser` accepted, and is only as strict as that
/// needs: it skips values by their brackets and quotes.
struct JSONValueLocator {
  private let document: [UInt8]
  private var position = 0

  /// The byte offset where the value at `path` starts in `document`. When the path leads to a
  /// member that is absent (a missing key), the offset of the deepest value that exists: the
  /// object that lacks the key.
  static func offset(of path: [JSONDecodingError.PathComponent], in document: [UInt8]) -> Int {
    var locator = JSONValueLocator(document: document)
    locator.skipWhitespace()
    for component in path {
      let valueStart = locator.position
      let found: Bool
      switch component {
      case .key(let key): found = locator.enterMember(named: key)
      case .index(let index): found = locator.enterElement(at: index)
      }
      guard found else { return valueStart }
    }
    return locator.position
  }

  private init(document: [UInt8]) {
    self.document = document
  }

  private var current: UInt8? {
    position < document.count ? document[position] : nil
  }

  /// Moves from an object's `{` to the start of the value of its member `key`.
  private mutating func enterMember(named key: String) -> Bool {
    guard current == UInt8(ascii: "{") else { return false }
    position += 1
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { return false }  // `}`: no such member.
      let keyStart = position
      skipString()
      let keyText = document[keyStart..<position]
      skipWhitespace()
      guard current == UInt8(ascii: ":") else { return false }
      position += 1
      skipWhitespace()
      if Self.keyText(keyText, spells: key) { return true }
      skipValue()
      skipWhitespace()
      guard current == UInt8(ascii: ",") else { return false }
      position += 1
    }
  }

  /// Moves from an array's `[` to the start of its element `index`.
  private mutating func enterElement(at index: Int) -> Bool {
    guard current == UInt8(ascii: "[") else { return false }
    position += 1
    skipWhitespace()
    for _ in 0..<index {
      guard current != UInt8(ascii: "]") else { return false }
      skipValue()
      skipWhitespace()
      guard current == UInt8(ascii: ",") else { return false }
      position += 1
      skipWhitespace()
    }
    return current != nil && current != UInt8(ascii: "]")
  }

  /// Whether the quoted key `text` (with its quotes) is `key`. Keys with escapes are decoded
  /// by the real parser, so `"\u0061"` matches `a` exactly as the decoder saw it.
  private static func keyText(_ text: ArraySlice<UInt8>, spells key: String) -> Bool {
    guard text.contains(UInt8(ascii: "\\")) else {
      return text.dropFirst().dropLast().elementsEqual(key.utf8)
    }
    guard let decoded = try? JSONParser.parse(text).stringValue else { return false }
    return decoded.utf8.elementsEqual(key.utf8)
  }

  /// Skips one whole value: a string, an array or object with everything inside, or a literal.
  private mutating func skipValue() {
    switch current {
    case UInt8(ascii: "\""):
      skipString()
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      var depth = 0
      while let byte = current {
        if byte == UInt8(ascii: "\"") {
          skipString()
          continue
        }
        position += 1
        if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
        if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
        if depth == 0 { return }
      }
    default:
      // A number, `true`, `false` or `null`: everything up to the next delimiter.
      while let byte = current, !Self.endsLiteral(byte) { position += 1 }
    }
  }

  /// Skips a string from its opening quote to just past its closing quote.
  private mutating func skipString() {
    position += 1
    while let byte = current {
      position += byte == UInt8(ascii: "\\") ? 2 : 1
      if byte == UInt8(ascii: "\"") { return }
    }
  }

  private mutating func skipWhitespace() {
    while let byte = current, Self.isWhitespace(byte) { position += 1 }
  }

  private static func endsLiteral(_ byte: UInt8) -> Bool {
    isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")
      || byte == UInt8(ascii: "}")
  }

  /// RFC 8259's four whitespace bytes.
  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
  }
}
