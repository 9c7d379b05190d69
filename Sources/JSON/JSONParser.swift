/// A strict RFC 8259 JSON parser.
///
/// Strict means a document is either exactly JSON or rejected with the reason and byte offset:
/// no trailing commas, comments, `NaN`, byte order mark, unpaired surrogates, ill-formed UTF-8 or
/// data after the value; and no duplicate object keys, because RFC 8259 leaves their meaning
/// open and an API must not guess which one counts.
///
/// The parser keeps open arrays and objects on an explicit stack rather than recursing, so
/// nesting is bounded by `Limits.maximumDepth` and not by the machine stack.
public enum JSONParser {
  /// Bounds on what a document may cost to parse.
  public struct Limits: Sendable {
    /// The deepest nesting of arrays and objects; `[[1]]` has depth 2.
    public var maximumDepth: Int
    /// The longest document accepted, in bytes.
    public var maximumDocumentBytes: Int
    /// The longest string (key or value) accepted, in bytes of UTF-8 after unescaping.
    public var maximumStringBytes: Int

    /// Limits suited to sensor payloads: 64 levels, 1 MiB documents, 64 KiB strings.
    public init(
      maximumDepth: Int = 64,
      maximumDocumentBytes: Int = 1 << 20,
      maximumStringBytes: Int = 1 << 16
    ) {
      self.maximumDepth = maximumDepth
      self.maximumDocumentBytes = maximumDocumentBytes
      self.maximumStringBytes = maximumStringBytes
    }
  }

  /// Parses `bytes`, which must hold exactly one JSON value (surrounding whitespace allowed).
  public static func parse(
    _ bytes: [UInt8], limits: Limits = .init()
  ) throws(JSONParseError) -> JSONValue {
    guard bytes.count <= limits.maximumDocumentBytes else {
      let limit = limits.maximumDocumentBytes
      throw JSONParseError(.documentTooLarge(limit), at: limit)
    }
    var parser = Parser(bytes: bytes, limits: limits)
    return try parser.parseDocument()
  }

  /// Parses a document held in any collection of bytes, such as an `ArraySlice<UInt8>`.
  public static func parse(
    _ bytes: some Collection<UInt8>, limits: Limits = .init()
  ) throws(JSONParseError) -> JSONValue {
    guard bytes.count <= limits.maximumDocumentBytes else {
      let limit = limits.maximumDocumentBytes
      throw JSONParseError(.documentTooLarge(limit), at: limit)
    }
    return try parse(Array(bytes), limits: limits)
  }
}

/// The parser's state: the document and the offset of the next byte to read.
struct Parser {
  let bytes: [UInt8]
  let limits: JSONParser.Limits
  var position = 0

  /// The byte at `position`, or nil at the end of the document.
  var current: UInt8? {
    position < bytes.count ? bytes[position] : nil
  }

  /// An error of `kind` at the current position.
  func error(_ kind: JSONParseError.Kind) -> JSONParseError {
    JSONParseError(kind, at: position)
  }

  /// Skips the four whitespace bytes RFC 8259 allows: space, tab, line feed, carriage return.
  mutating func skipWhitespace() {
    while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
      position += 1
    }
  }
}
