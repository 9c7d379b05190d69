/// Received bytes not yet parsed, and the search for the end of a message head.
///
/// Heads end at the first empty line. The search resumes where it stopped, so bytes arriving
/// one at a time cost linear, not quadratic, time. Every line must end in CRLF: a bare LF or a
/// bare CR is rejected (RFC 9112 §2.2 allows either rejecting or tolerating a bare LF; Loam
/// rejects, because a peer that parses it differently is how requests get smuggled).
struct HTTPMessageBuffer {
  /// The outcome of looking for a complete head.
  enum HeadSearch {
    /// More bytes are needed.
    case incomplete
    /// A head: its first line without its line ending, and where in `received` its field
    /// section lies: every field line, each with its CRLF (see `HTTPHeaders.init(parsing:...)`).
    case complete(startLine: ArraySlice<UInt8>, fieldSection: Range<Int>)
    /// The head is longer than allowed; `firstLineComplete` tells which part overflowed.
    case tooLarge(firstLineComplete: Bool)
  }

  /// The most empty lines skipped before a head (RFC 9112 §2.2 asks servers to skip some).
  static let maximumLeadingEmptyLines = 8

  private var bytes: [UInt8] = []
  private var readIndex = 0
  /// Where the head search resumes, and what it has learned so far: where the field section
  /// starts once the request line is complete (the head itself starts at `readIndex`), and
  /// where the line being scanned starts after that.
  private var scanIndex = 0
  private var fieldSectionStart: Int?
  private var fieldLineStart = 0
  private var leadingEmptyLines = 0

  /// The bytes received and kept: consumed ones before `unread`, then the unread ones.
  var received: [UInt8] { bytes }

  /// Bytes received but not yet consumed.
  var unread: ArraySlice<UInt8> { bytes[readIndex...] }

  /// Whether any received byte is still unconsumed.
  var hasUnreadBytes: Bool { readIndex < bytes.count }

  /// Adds received bytes, first dropping consumed ones if they are most of the buffer.
  mutating func append<Bytes: Collection<UInt8>>(_ newBytes: Bytes) {
    compact()
    bytes.append(contentsOf: newBytes)
  }

  /// Marks `count` unread bytes as consumed.
  mutating func consume(_ count: Int) {
    precondition(count <= bytes.count - readIndex, "cannot consume bytes not received")
    readIndex += count
    scanIndex = max(scanIndex, readIndex)
  }
  /// Moves bytes of a body framed by Content-Length into `body`; true once it holds `length`.
  mutating func readBody(length: Int, into body: inout [UInt8]) -> Bool {
    precondition(body.count <= length)
    let count = min(length - body.count, unread.count)
    body.append(contentsOf: unread.prefix(count))
    consume(count)
    return body.count == length
  }

  /// Moves the data of a chunked body into `body`; true once the last chunk and trailers are in.
  mutating func readChunkedBody(
    into body: inout [UInt8], decoder: inout ChunkedDecoder, maximumBytes: Int
  ) throws(HTTPParseError) -> Bool {
    let used = try decoder.decode(unread, into: &body, maximumBodyBytes: maximumBytes)
    consume(used)
    return decoder.isFinished
  }

  /// Drops consumed bytes once they are a large part of the buffer, keeping memory bounded by
  /// what is unread while copying each byte only a bounded number of times.
  private mutating func compact() {
    guard readIndex > 0, readIndex >= bytes.count / 2 else { return }
    bytes.removeFirst(readIndex)
    scanIndex -= readIndex
    fieldSectionStart = fieldSectionStart.map { $0 - readIndex }
    fieldLineStart = max(fieldLineStart - readIndex, 0)
    readIndex = 0
  }

  /// Looks for a complete head of at most `maximumBytes` bytes (line endings included) and
  /// consumes it if found.
  mutating func takeHead(maximumBytes: Int) throws(HTTPParseError) -> HeadSearch {
    while scanIndex < bytes.count {
      if scanIndex - readIndex >= maximumBytes {
        return .tooLarge(firstLineComplete: fieldSectionStart != nil)
      }
      let searchEnd = min(bytes.count, readIndex + maximumBytes)
      guard
        let lineEnd = HTTPMessageBuffer.firstLineEndByte(in: bytes, from: scanIndex, to: searchEnd)
      else {
        scanIndex = searchEnd
        continue
      }
      scanIndex = lineEnd
      let byte = bytes[scanIndex]
      if byte == ASCII.carriageReturn {
        guard scanIndex + 2 - readIndex <= maximumBytes else {
          return .tooLarge(firstLineComplete: fieldSectionStart != nil)
        }
        guard scanIndex + 1 < bytes.count else { return .incomplete }
        guard bytes[scanIndex + 1] == ASCII.lineFeed else {
          throw .badRequest("a CR is not followed by LF")
        }
        scanIndex += 2
        if let head = try endOfLine() { return head }
      } else {
        throw .badRequest("a line ends in a bare LF; HTTP lines end in CRLF")
      }
    }
    return .incomplete
  }

  /// The index of the first CR or LF in `bytes[start..<end]`, or nil. Most bytes of a head are
  /// neither, so they are skipped here without the checks a subscript makes on each.
  private static func firstLineEndByte(in bytes: [UInt8], from start: Int, to end: Int) -> Int? {
    precondition(start >= 0 && end <= bytes.count)
    return bytes.withUnsafeBufferPointer { buffer in
      var index = start
      while index < end {
        let byte = buffer[index]
        if byte == ASCII.carriageReturn || byte == ASCII.lineFeed { return index }
        index += 1
      }
      return nil
    }
  }

  /// Called after each CRLF: skips leading empty lines, or finishes the head at an empty line.
  private mutating func endOfLine() throws(HTTPParseError) -> HeadSearch? {
    let lineStart = fieldSectionStart == nil ? readIndex : fieldLineStart
    guard scanIndex - lineStart == 2 else {
      if fieldSectionStart == nil { fieldSectionStart = scanIndex }
      fieldLineStart = scanIndex
      return nil
    }
    guard let fieldSectionStart else {
      leadingEmptyLines += 1
      guard leadingEmptyLines <= HTTPMessageBuffer.maximumLeadingEmptyLines else {
        throw .badRequest("too many empty lines before the request line")
      }
      readIndex = scanIndex
      return nil
    }
    let startLine = bytes[readIndex..<(fieldSectionStart - 2)]
    let fieldSection = fieldSectionStart..<lineStart
    readIndex = scanIndex
    self.fieldSectionStart = nil
    leadingEmptyLines = 0
    return .complete(startLine: startLine, fieldSection: fieldSection)
  }
}
