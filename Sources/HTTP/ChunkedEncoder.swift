/// Writes the chunked transfer coding (RFC 9112 §7.1): each chunk is its size in hex, CRLF, the
/// data, CRLF; a zero-size chunk and an empty trailer section end the body.
///
/// Used by the response serializer and by the client's request serializer.
enum ChunkedEncoder {
  /// The largest chunk written; longer bodies are split so a reader's buffers stay small.
  static let maximumChunkBytes = 16_384

  /// Appends `body` as chunks followed by the last chunk.
  static func appendChunkedBody(_ body: [UInt8], to output: inout [UInt8]) {
    var start = 0
    while start < body.count {
      let end = min(start + maximumChunkBytes, body.count)
      appendChunk(body[start..<end], to: &output)
      start = end
    }
    appendLastChunk(to: &output)
  }

  /// Appends one chunk holding `data`, which must not be empty (an empty chunk ends a body).
  static func appendChunk(_ data: ArraySlice<UInt8>, to output: inout [UInt8]) {
    appendChunkSizeLine(data.count, to: &output)
    output.append(contentsOf: data)
    output.append(contentsOf: ASCII.crlf)
  }

  /// Appends the line that opens a chunk of `size` bytes, which must be at least 1 (an empty
  /// chunk ends a body); the data and a CRLF must follow.
  static func appendChunkSizeLine(_ size: Int, to output: inout [UInt8]) {
    precondition(size > 0, "an empty chunk would end the body")
    appendHexadecimal(size, to: &output)
    output.append(contentsOf: ASCII.crlf)
  }

  /// Appends the last chunk and an empty trailer section.
  static func appendLastChunk(to output: inout [UInt8]) {
    output.append(contentsOf: [UInt8(ascii: "0")] + ASCII.crlf + ASCII.crlf)
  }

  private static func appendHexadecimal(_ value: Int, to output: inout [UInt8]) {
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var shift = (Int.bitWidth / 4 - 1) * 4
    while shift > 0, (value >> shift) & 0xF == 0 { shift -= 4 }
    while shift >= 0 {
      output.append(digits[(value >> shift) & 0xF])
      shift -= 4
    }
  }
}
