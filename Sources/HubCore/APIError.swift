import HTTP
import JSON

/// An error answer of the hub API: a status and the JSON body
/// `{"error":{"code":"...","message":"..."}}`, where `code` is stable for programs and
/// `message` is for people.
struct APIError: Error {
  var status: HTTPStatus
  var code: String
  var message: String

  static func notFound(_ message: String) -> APIError {
    APIError(status: .notFound, code: "not_found", message: message)
  }

  static func noSuchSensor(_ id: String) -> APIError {
    notFound("no sensor with id '\(id)'")
  }

  static func invalidParameter(_ message: String) -> APIError {
    APIError(status: .badRequest, code: "invalid_parameter", message: message)
  }

  /// The stable code for an error status the HTTP layer produces on its own.
  static func code(for status: HTTPStatus) -> String {
    switch status.code {
    case 400: return "bad_request"
    case 404: return "not_found"
    case 405: return "method_not_allowed"
    case 408: return "request_timeout"
    case 413: return "payload_too_large"
    case 414: return "uri_too_long"
    case 417: return "expectation_failed"
    case 431: return "header_fields_too_large"
    case 501: return "not_implemented"
    case 503: return "service_unavailable"
    case 505: return "http_version_not_supported"
    default: return status.code >= 500 ? "internal_error" : "bad_request"
    }
  }

  var response: HTTPResponse {
    var json = JSONWriter()
    json.beginObject()
    json.key("error")
    json.beginObject()
    json.field("code", code)
    json.field("message", message)
    json.endObject()
    json.endObject()
    var response = HTTPResponse.json(json.bytes)
    response.status = status
    return response
  }
}

extension HTTPResponse {
  /// A 200 response with a JSON body, never cached: readings change every few seconds.
  static func json(_ body: [UInt8]) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: "application/json")
    headers.add(name: "Cache-Control", value: "no-store")
    return HTTPResponse(status: .ok, headers: headers, body: body)
  }

  /// A 200 response with an HTML page.
  static func html(_ page: String) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: DashboardPage.contentType)
    headers.add(name: "Cache-Control", value: "no-cache")
    return HTTPResponse(status: .ok, headers: headers, body: Array(page.utf8))
  }
}
