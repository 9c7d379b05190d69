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
    /// A head: its first line without its line ending, and its field section: every field
    /// line, each with its CRLF (see `parseFieldLines`).
    case complete(startLine: ArraySlice<UInt8>, fieldSection: ArraySlice<UInt8>)
    /// The head is longer than allowed; `firstLineComplete` tells which part overflowed.
    case tooLarge(firstLineComplete: Bool)
  }

  /// The most empty lines skipped before a head (RFC 9112 §2.2 asks servers to skip some).
  static let maximumLeadingEmptyLines = 8

  private var bytes: [UInt8] = []
  private var readIndex = 0
  /// Where the head search resumes, and what it has learned so far.
  private var scanIndex = 0
  private var lineStarts: [Int] = []
  private var leadingEmptyLines = 0

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
    for index in lineStarts.indices { lineStarts[index] -= readIndex }
    readIndex = 0
  }

  /// Looks for a complete head of at most `maximumBytes` bytes (line endings included) and
  /// consumes it if found.
  mutating func takeHead(maximumBytes: Int) throws(HTTPParseError) -> HeadSearch {
    if lineStarts.isEmpty { lineStarts.append(readIndex) }
    while scanIndex < bytes.count {
      if scanIndex - readIndex >= maximumBytes {
        return .tooLarge(firstLineComplete: lineStarts.count > 1)
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
          return .tooLarge(firstLineComplete: lineStarts.count > 1)
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
    let lineStart = lineStarts[lineStarts.count - 1]
    guard scanIndex - lineStart == 2 else {
      lineStarts.append(scanIndex)
      return nil
    }
    if lineStarts.count == 1 {
      leadingEmptyLines += 1
      guard leadingEmptyLines <= HTTPMessageBuffer.maximumLeadingEmptyLines else {
        throw .badRequest("too many empty lines before the request line")
      }
      readIndex = scanIndex
      lineStarts[0] = scanIndex
      return nil
    }
    let startLine = bytes[lineStarts[0]..<(lineStarts[1] - 2)]
    let fieldSection = bytes[lineStarts[1]..<lineStart]
    readIndex = scanIndex
    lineStarts.removeAll(keepingCapacity: true)
    leadingEmptyLines = 0
    return .complete(startLine: startLine, fieldSection: fieldSection)
  }
}

/// Parses field lines (`name: value`) into headers, rejecting what RFC 9112 §5 forbids:
/// whitespace before the colon, line folding, control bytes. Allows at most `maximumCount`.
/// `fieldSection` is what `takeHead` found: lines that each end in CRLF, and no other CR.
func parseFieldLines(
  _ fieldSection: ArraySlice<UInt8>, maximumCount: Int
) throws(HTTPParseError) -> HTTPHeaders {
  // Every request has a few of these lines: they are read straight from memory, with the
  // section's bounds checked once here rather than on every byte.
  try fieldSection.withUnsafeBufferPointer { section throws(HTTPParseError) in
    var lineCount = 0
    for byte in section where byte == ASCII.lineFeed { lineCount += 1 }
    guard lineCount <= maximumCount else {
      throw HTTPParseError(
        status: .requestHeaderFieldsTooLarge, message: "more than \(maximumCount) header fields")
    }
    var headers = HTTPHeaders(capacity: lineCount)
    var lineStart = 0
    while lineStart < section.count {
      var lineEnd = lineStart
      while section[lineEnd] != ASCII.carriageReturn { lineEnd += 1 }
      try headers.addValidated(
        parsingFieldLine: UnsafeBufferPointer(rebasing: section[lineStart..<lineEnd]))
      lineStart = lineEnd + 2
    }
    return headers
  }
}

extension HTTPHeaders {
  /// Appends the field in one line of a field section, after checking it.
  fileprivate mutating func addValidated(
    parsingFieldLine line: UnsafeBufferPointer<UInt8>
  ) throws(HTTPParseError) {
    guard let first = line.first, !isWhitespace(first) else {
      throw .badRequest("obsolete line folding is not accepted")
    }
    var colon = 0
    while colon < line.count, line[colon] != ASCII.colon {
      guard isTokenByte(line[colon]) else {
        throw .badRequest("a header field name is missing or not a token")
      }
      colon += 1
    }
    guard colon > 0, colon < line.count else {
      throw .badRequest("a header field name is missing or not a token")
    }
    var valueStart = colon + 1
    var valueEnd = line.count
    while valueStart < valueEnd, isWhitespace(line[valueStart]) { valueStart += 1 }
    while valueEnd > valueStart, isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
    for index in valueStart..<valueEnd where !isFieldValueByte(line[index]) {
      throw .badRequest("a header field value holds control bytes")
    }
    addValidated(
      name: String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self),
      value: String(
        decoding: UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]), as: UTF8.self))
  }
}
