/// Why bytes are not an acceptable HTTP message, and the status a server answers them with.
///
/// The request parser and the chunk decoder throw it; the server connection turns it into the
/// responder's `errorResponse(status:message:)` and closes, since after bad framing nothing that
/// follows on the connection can be trusted.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The status to answer with: 400, 413, 414, 431, 501 or 505.
  public var status: HTTPStatus
  /// What was wrong, for a person reading a log or the error body.
  public var message: String

  /// An error answered with `status`.
  public init(status: HTTPStatus, message: String) {
    self.status = status
    self.message = message
  }

  /// A 400 Bad Request error.
  static func badRequest(_ message: String) -> HTTPParseError {
    HTTPParseError(status: .badRequest, message: message)
  }

  /// The status and message, for logs.
  public var description: String { "\(status): \(message)" }
}
