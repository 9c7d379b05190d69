/// A request to the Raspberry Pi's VideoCore firmware over the mailbox's property channel, and
/// its answer (the firmware's "Mailbox property interface": a buffer of 32-bit little-endian
/// words: total size, a request/response code, tags, and a zero end tag).
///
/// Each tag is its id, the size of its value buffer, a request/response word (bit 31 set with
/// the answer's length in the response), and the value buffer itself, padded to 32 bits.
public struct PropertyMessage: Equatable, Sendable {
  /// A property the firmware knows.
  public struct Tag: Equatable, Sendable {
    /// The tag's id.
    public let id: UInt32
    /// Bytes of value buffer: room for the larger of the request's and the response's values.
    public let valueBufferBytes: Int
    /// The request's values.
    public let requestValues: [UInt32]

    /// The board's model (a firmware-specific number; 0 on most boards).
    public static let boardModel = Tag(id: 0x0001_0001, valueBufferBytes: 4, requestValues: [])
    /// The board's revision code, which names the model, memory and maker.
    public static let boardRevision = Tag(id: 0x0001_0002, valueBufferBytes: 4, requestValues: [])
    /// The Ethernet MAC address (6 bytes).
    public static let macAddress = Tag(id: 0x0001_0003, valueBufferBytes: 8, requestValues: [])
    /// The board's 64-bit serial number.
    public static let serialNumber = Tag(id: 0x0001_0004, valueBufferBytes: 8, requestValues: [])
    /// The ARM's share of RAM: base address and size.
    public static let armMemory = Tag(id: 0x0001_0005, valueBufferBytes: 8, requestValues: [])
    /// A clock's rate in hertz; `clockID` 4 is the core clock, which drives the I2C controllers.
    public static func clockRate(clockID: UInt32) -> Tag {
      Tag(id: 0x0003_0002, valueBufferBytes: 8, requestValues: [clockID])
    }
  }

  /// The core clock's id for `Tag.clockRate`.
  public static let coreClockID: UInt32 = 4
  /// The request code word.
  static let processRequest: UInt32 = 0
  /// The response code word when the firmware handled the whole buffer.
  static let responseSuccess: UInt32 = 0x8000_0000
  /// Bit 31 of a tag's request/response word: the firmware answered this tag.
  static let tagResponse: UInt32 = 0x8000_0000

  /// The tags asked for, in order.
  public let tags: [Tag]

  /// A message asking for `tags`.
  public init(tags: [Tag]) {
    precondition(!tags.isEmpty, "a property message asks for at least one tag")
    self.tags = tags
  }

  /// The request as the words of the buffer the firmware reads and overwrites.
  public var requestWords: [UInt32] {
    var words: [UInt32] = [0, Self.processRequest]
    for tag in tags {
      precondition(
        tag.valueBufferBytes % 4 == 0 && tag.valueBufferBytes >= 4 * tag.requestValues.count)
      words.append(tag.id)
      words.append(UInt32(tag.valueBufferBytes))
      words.append(0)
      var values = tag.requestValues
      while values.count < tag.valueBufferBytes / 4 { values.append(0) }
      words.append(contentsOf: values)
    }
    words.append(0)  // the end tag
    words[0] = UInt32(words.count * 4)
    return words
  }

  /// The values of each tag in the firmware's answer, in the order asked; nil for a tag the
  /// firmware did not answer. Throws when the buffer as a whole was not handled.
  public func responseValues(from words: [UInt32]) throws(PropertyMailboxError) -> [[UInt32]?] {
    guard words.count == requestWords.count else { throw .malformedResponse }
    guard words[1] == Self.responseSuccess else { throw .firmwareRefused(code: words[1]) }
    var values: [[UInt32]?] = []
    var index = 2
    for tag in tags {
      guard words[index] == tag.id else { throw .malformedResponse }
      let state = words[index + 2]
      let length = Int(state & ~Self.tagResponse)
      let valueWords = tag.valueBufferBytes / 4
      if state & Self.tagResponse != 0 && length <= tag.valueBufferBytes {
        values.append(Array(words[(index + 3)..<(index + 3 + (length + 3) / 4)]))
      } else {
        values.append(nil)
      }
      index += 3 + valueWords
    }
    return values
  }
}

/// Why the firmware gave no answer.
public enum PropertyMailboxError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The firmware did not mark the buffer handled (0x80000001 is its parse error).
  case firmwareRefused(code: UInt32)
  /// The answer did not have the request's shape.
  case malformedResponse
  /// No answer within the wait.
  case noAnswer

  public var description: String {
    switch self {
    case .firmwareRefused(let code): return "the firmware refused the request (code \(code))"
    case .malformedResponse: return "the firmware's answer is malformed"
    case .noAnswer: return "the firmware did not answer"
    }
  }
}
