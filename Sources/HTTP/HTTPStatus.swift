/// A response status: a three-digit code and its reason phrase (RFC 9110 §15).
///
/// Two statuses are equal when their codes are; the reason phrase is only for people.
public struct HTTPStatus: Hashable, Sendable, CustomStringConvertible {
  /// The three-digit status code, 100 to 999.
  public var code: Int
  /// The text after the code on the status line, for example `Not Found`.
  public var reasonPhrase: String

  /// A status with an explicit reason phrase.
  public init(code: Int, reasonPhrase: String) {
    precondition((100...999).contains(code), "a status code has three digits")
    self.code = code
    self.reasonPhrase = reasonPhrase
  }

  /// A status with the standard reason phrase for `code`, or an empty phrase for codes Loam
  /// does not know.
  public init(code: Int) {
    self.init(code: code, reasonPhrase: HTTPStatus.standardReasonPhrase(for: code))
  }

  public static func == (lhs: HTTPStatus, rhs: HTTPStatus) -> Bool { lhs.code == rhs.code }

  public func hash(into hasher: inout Hasher) { hasher.combine(code) }

  /// The code and phrase, for example `404 Not Found`.
  public var description: String { "\(code) \(reasonPhrase)" }

  /// Whether a response with this status may carry content. Informational (1xx), 204 and 304
  /// responses never do (RFC 9112 §6.3), so their end is the end of the head.
  public var allowsBody: Bool {
    code >= 200 && code != 204 && code != 304
  }

  /// 100: the server will read the body the client is holding back (`Expect: 100-continue`).
  public static let `continue` = HTTPStatus(code: 100)
  /// 200: success.
  public static let ok = HTTPStatus(code: 200)
  /// 201: a resource was created.
  public static let created = HTTPStatus(code: 201)
  /// 202: accepted for later processing.
  public static let accepted = HTTPStatus(code: 202)
  /// 204: success with no content.
  public static let noContent = HTTPStatus(code: 204)
  /// 304: the cached representation is still good.
  public static let notModified = HTTPStatus(code: 304)
  /// 400: the request is malformed.
  public static let badRequest = HTTPStatus(code: 400)
  /// 401: authentication is required.
  public static let unauthorized = HTTPStatus(code: 401)
  /// 403: the request is understood but refused.
  public static let forbidden = HTTPStatus(code: 403)
  /// 404: no resource at this path.
  public static let notFound = HTTPStatus(code: 404)
  /// 405: the resource exists but not for this method; the response carries `Allow`.
  public static let methodNotAllowed = HTTPStatus(code: 405)
  /// 408: the request did not arrive in time.
  public static let requestTimeout = HTTPStatus(code: 408)
  /// 409: the request conflicts with the resource's state.
  public static let conflict = HTTPStatus(code: 409)
  /// 411: the request needs a Content-Length.
  public static let lengthRequired = HTTPStatus(code: 411)
  /// 413: the body is larger than the route accepts.
  public static let payloadTooLarge = HTTPStatus(code: 413)
  /// 414: the request line (its target) is longer than the server accepts.
  public static let uriTooLong = HTTPStatus(code: 414)
  /// 415: the body's media type is not accepted.
  public static let unsupportedMediaType = HTTPStatus(code: 415)
  /// 417: the `Expect` header asks for something the server does not do.
  public static let expectationFailed = HTTPStatus(code: 417)
  /// 422: the body is well-formed but its content is invalid.
  public static let unprocessableContent = HTTPStatus(code: 422)
  /// 429: the client is sending too many requests.
  public static let tooManyRequests = HTTPStatus(code: 429)
  /// 431: the header section is larger than the server accepts.
  public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
  /// 500: the server failed.
  public static let internalServerError = HTTPStatus(code: 500)
  /// 501: the server does not implement what the request needs (a method, a transfer coding).
  public static let notImplemented = HTTPStatus(code: 501)
  /// 503: the server cannot serve now.
  public static let serviceUnavailable = HTTPStatus(code: 503)
  /// 505: the request's HTTP version is not spoken here.
  public static let httpVersionNotSupported = HTTPStatus(code: 505)

  /// The reason phrase RFC 9110 gives `code`, or "" for codes without one here.
  public static func standardReasonPhrase(for code: Int) -> String {
    switch code {
    case 100: return "Continue"
    case 200: return "OK"
    case 201: return "Created"
    case 202: return "Accepted"
    case 204: return "No Content"
    case 304: return "Not Modified"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 405: return "Method Not Allowed"
    case 408: return "Request Timeout"
    case 409: return "Conflict"
    case 411: return "Length Required"
    case 413: return "Content Too Large"
    case 414: return "URI Too Long"
    case 415: return "Unsupported Media Type"
    case 417: return "Expectation Failed"
    case 422: return "Unprocessable Content"
    case 429: return "Too Many Requests"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 501: return "Not Implemented"
    case 503: return "Service Unavailable"
    case 505: return "HTTP Version Not Supported"
    default: return ""
    }
  }
}
