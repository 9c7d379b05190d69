/// A response for the server to send: status, headers and the body, either whole (`body`) or
/// made as it is sent (`streamedBody`).
///
/// The serializer owns the framing headers: any `Content-Length`, `Transfer-Encoding` or
/// `Connection` set here is replaced by what the body and the connection actually need.
public struct HTTPResponse: Sendable {
  /// The status line's code and phrase.
  public var status: HTTPStatus
  /// Header fields other than framing (see the type's documentation).
  public var headers: HTTPHeaders
  /// The content; ignored for statuses that carry none (1xx, 204, 304), and when
  /// `streamedBody` is set.
  public var body: [UInt8]
  /// A body the connection produces piece by piece as it sends it, in place of `body`
  /// (see `HTTPServerConnection.nextBodyPiece`); nil for a whole body.
  public var streamedBody: HTTPBodySource?
  /// Whether to send the body with the chunked transfer coding instead of a Content-Length.
  /// HTTP/1.0 clients get a Content-Length regardless, since they do not know chunked.
  public var isChunked: Bool

  /// A response from its parts.
  public init(
    status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
    isChunked: Bool = false
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.isChunked = isChunked
  }

  /// A response whose body `streamedBody` makes as it is sent.
  public init(
    status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), streamedBody: HTTPBodySource,
    isChunked: Bool = false
  ) {
    self.init(status: status, headers: headers, isChunked: isChunked)
    self.streamedBody = streamedBody
  }

  /// The body's length in bytes, whether whole or streamed.
  public var bodyLength: Int { streamedBody?.length ?? body.count }

  /// Whether the responder asked to close the connection after this response.
  public var closesConnection: Bool {
    headers.containsToken("close", in: "Connection")
  }

  /// The response on the wire, for a request with `method` and `requestVersion`.
  ///
  /// Adds `Content-Length` (or `Transfer-Encoding: chunked`) unless the status has no body,
  /// `Connection: close` when `keepAlive` is false, and `Connection: keep-alive` for an HTTP/1.0
  /// client that stays connected. A response to HEAD has the headers the GET response would
  /// have, including its Content-Length, but no body (RFC 9110 §9.3.2). With a `streamedBody`
  /// this is the head alone: the connection sends the body after it, piece by piece.
  public func serialized(
    forRequestMethod method: HTTPMethod, keepAlive: Bool,
    requestVersion: HTTPVersion = .http1_1
  ) -> [UInt8] {
    var output: [UInt8] = []
    serialize(
      forRequestMethod: method, keepAlive: keepAlive, requestVersion: requestVersion,
      into: &output)
    return output
  }

  /// Appends the response on the wire to `output` (see `serialized`).
  func serialize(
    forRequestMethod method: HTTPMethod, keepAlive: Bool, requestVersion: HTTPVersion,
    into output: inout [UInt8]
  ) {
    let chunked = isChunked && requestVersion >= .http1_1
    let sendsBody = status.allowsBody && method != .head && streamedBody == nil
    // The status line, the fields, the framing fields added here (at most 38 and 24 bytes),
    // and the empty line.
    let headMaximumCount =
      15 + status.reasonPhrase.utf8.count + headers.fieldLinesMaximumCount + 38 + 24 + 2
    output.reserveCapacity(
      output.count + headMaximumCount + (sendsBody && !chunked ? body.count : 0))
    output.append(writingAtMost: headMaximumCount, from: self) { writer, response in
      writer.write("HTTP/1.1 ")
      writer.write(decimal: response.status.code)
      writer.write(ASCII.space)
      writer.write(utf8: response.status.reasonPhrase)
      writer.write("\r\n")
      response.headers.writeFieldLines(to: &writer, skipping: HTTPResponse.isFramingField)
      if response.status.allowsBody {
        if chunked {
          writer.write("Transfer-Encoding: chunked\r\n")
        } else {
          writer.write("Content-Length: ")
          writer.write(decimal: response.bodyLength)
          writer.write("\r\n")
        }
      }
      if !keepAlive {
        writer.write("Connection: close\r\n")
      } else if requestVersion < .http1_1 {
        writer.write("Connection: keep-alive\r\n")
      }
      writer.write("\r\n")
    }
    guard sendsBody else { return }
    if chunked {
      ChunkedEncoder.appendChunkedBody(body, to: &output)
    } else {
      output.append(contentsOf: body)
    }
  }

  /// Whether a field called `name` is one the serializer owns.
  private static func isFramingField(_ name: ArraySlice<UInt8>) -> Bool {
    // Asked of every field of every response: the length rules out most names at once.
    switch name.count {
    case 14: return equalsIgnoringASCIICase(name, "Content-Length".utf8)
    case 17: return equalsIgnoringASCIICase(name, "Transfer-Encoding".utf8)
    case 10: return equalsIgnoringASCIICase(name, "Connection".utf8)
    default: return false
    }
  }
}
