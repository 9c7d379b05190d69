/// Reads the chunked transfer coding (RFC 9112 §7.1) incrementally, appending chunk data to the
/// caller's body as it arrives. Used by both the request parser and the client's response parser.
///
/// ```
/// chunked-body = *chunk last-chunk trailer-section CRLF
/// chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// ```
/// Chunk extensions are checked for stray control bytes and ignored; trailer fields are checked
/// (`name:value` lines) and discarded, within `maximumTrailerBytes`.
struct ChunkedDecoder {
  /// The most hex digits in a chunk size: 15 keeps any size below 2^60, far from overflow.
  static let maximumSizeDigits = 15
  /// The most bytes of chunk extensions and trailer fields together.
  static let maximumMetadataBytes = 4096

  private enum State {
    case size
    case sizeExtension
    case sizeLineFeed
    case data(remaining: Int)
    case dataCarriageReturn
    case dataLineFeed
    case trailerName(length: Int)
    case trailerValue
    case trailerLineFeed(lineWasEmpty: Bool)
    case finished
  }

  private var state = State.size
  private var chunkSize = 0
  private var sizeDigits = 0
  private var metadataBytes = 0

  /// Whether the last chunk and the trailer section have been read.
  var isFinished: Bool {
    if case .finished = state { return true }
    return false
  }

  /// Decodes from `input`, appending chunk data to `body`, and returns how many bytes of
  /// `input` it used. Stops after the end of the body; later bytes belong to the next message.
  mutating func decode(
    _ input: ArraySlice<UInt8>, into body: inout [UInt8], maximumBodyBytes: Int
  ) throws(HTTPParseError) -> Int {
    var index = input.startIndex
    while index < input.endIndex, !isFinished {
      if case .data(let remaining) = state {
        let count = min(remaining, input.endIndex - index)
        body.append(contentsOf: input[index..<(index + count)])
        index += count
        state = count == remaining ? .dataCarriageReturn : .data(remaining: remaining - count)
      } else {
        try step(input[index], body: body, maximumBodyBytes: maximumBodyBytes)
        index += 1
      }
    }
    return index - input.startIndex
  }

  /// Advances the framing state by one byte (every state but `data`).
  private mutating func step(
    _ byte: UInt8, body: [UInt8], maximumBodyBytes: Int
  ) throws(HTTPParseError) {
    switch state {
    case .size:
      if let digit = hexadecimalDigitValue(byte) {
        sizeDigits += 1
        guard sizeDigits <= ChunkedDecoder.maximumSizeDigits else {
          throw .badRequest("a chunk size has too many digits")
        }
        chunkSize = chunkSize * 16 + digit
      } else {
        guard sizeDigits > 0 else { throw .badRequest("a chunk size is missing") }
        try endOfSize(byte)
      }
    case .sizeExtension:
      if byte == ASCII.carriageReturn {
        state = .sizeLineFeed
      } else {
        guard isFieldValueByte(byte) else { throw .badRequest("a chunk extension is malformed") }
        try countMetadataByte()
      }
    case .sizeLineFeed:
      try expectLineFeed(byte)
      try startChunk(body: body, maximumBodyBytes: maximumBodyBytes)
    case .dataCarriageReturn:
      guard byte == ASCII.carriageReturn else { throw .badRequest("chunk data overruns its size") }
      state = .dataLineFeed
    case .dataLineFeed:
      try expectLineFeed(byte)
      state = .size
    case .trailerName, .trailerValue, .trailerLineFeed:
      try stepTrailer(byte)
    case .data, .finished:
      preconditionFailure("decode handles data and stops when finished")
    }
  }

  /// The byte after a chunk size's digits: an extension, or the end of the size line.
  private mutating func endOfSize(_ byte: UInt8) throws(HTTPParseError) {
    if byte == ASCII.carriageReturn {
      state = .sizeLineFeed
    } else if byte == ASCII.semicolon || isWhitespace(byte) {
      try countMetadataByte()
      state = .sizeExtension
    } else {
      throw .badRequest("a chunk size is not hexadecimal")
    }
  }

  /// After a size line: read the chunk's data, or the trailers if it was the last chunk.
  private mutating func startChunk(body: [UInt8], maximumBodyBytes: Int) throws(HTTPParseError) {
    guard chunkSize <= maximumBodyBytes - body.count else {
      throw HTTPParseError(status: .payloadTooLarge, message: "the chunked body is too large")
    }
    state = chunkSize == 0 ? .trailerName(length: 0) : .data(remaining: chunkSize)
    chunkSize = 0
    sizeDigits = 0
  }

  /// One byte of the trailer section: field lines, then an empty line.
  private mutating func stepTrailer(_ byte: UInt8) throws(HTTPParseError) {
    switch state {
    case .trailerName(let length):
      if byte == ASCII.carriageReturn, length == 0 {
        state = .trailerLineFeed(lineWasEmpty: true)
      } else if byte == ASCII.colon, length > 0 {
        state = .trailerValue
      } else {
        guard isTokenByte(byte) else { throw .badRequest("a trailer field name is malformed") }
        state = .trailerName(length: length + 1)
      }
    case .trailerValue:
      if byte == ASCII.carriageReturn {
        state = .trailerLineFeed(lineWasEmpty: false)
      } else {
        guard isFieldValueByte(byte) else { throw .badRequest("a trailer field is malformed") }
      }
    case .trailerLineFeed(let lineWasEmpty):
      try expectLineFeed(byte)
      state = lineWasEmpty ? .finished : .trailerName(length: 0)
    default:
      preconditionFailure("only trailer states reach here")
    }
    try countMetadataByte()
  }

  private func expectLineFeed(_ byte: UInt8) throws(HTTPParseError) {
    guard byte == ASCII.lineFeed else { throw .badRequest("a CR is not followed by LF") }
  }

  private mutating func countMetadataByte() throws(HTTPParseError) {
    metadataBytes += 1
    guard metadataBytes <= ChunkedDecoder.maximumMetadataBytes else {
      throw HTTPParseError(
        status: .requestHeaderFieldsTooLarge, message: "chunk extensions or trailers are too large")
    }
  }
}
