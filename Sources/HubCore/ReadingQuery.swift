import HTTP
import Time

/// The `since`, `until` and `limit` parameters of `GET /api/v1/sensors/{id}/readings`.
struct ReadingQuery: Equatable {
  /// The most readings one response may hold: over five hours of a sensor sampled every
  /// second, about 1.2 MB of JSON.
  static let maximumLimit = 20_000
  /// The readings returned when no `limit` is given.
  static let defaultLimit = 1000

  var since = UTCTime.minimum
  var until = UTCTime.maximum
  var limit = defaultLimit

  /// Reads the parameters from a request's query, with an error naming the bad one.
  static func parse(_ head: HTTPRequestHead) -> Result<ReadingQuery, APIError> {
    var query = ReadingQuery()
    for (name, value) in head.queryItems {
      switch name {
      case "since", "until":
        guard let time = try? UTCTime(rfc3339: value) else {
          return .failure(
            .invalidParameter(
              "\(name) must be an RFC 3339 time such as 2026-11-26T20:00:00Z, not '\(value)'"))
        }
        if name == "since" { query.since = time } else { query.until = time }
      case "limit":
        guard let limit = Int(value), limit >= 1, limit <= maximumLimit else {
          return .failure(
            .invalidParameter("limit must be a whole number from 1 to \(maximumLimit)"))
        }
        query.limit = limit
      default:
        return .failure(.invalidParameter("unknown parameter '\(name)'; use since, until, limit"))
      }
    }
    guard query.since <= query.until else {
      return .failure(.invalidParameter("since must not be later than until"))
    }
    return .success(query)
  }
}
