import HTTP
import Time

/// The `since`, `until`, `limit` and `bucket_seconds` parameters of
/// `GET /api/v1/sensors/{id}/readings`.
struct ReadingQuery: Equatable {
  /// The most readings (or buckets) one response may hold: over five hours of a sensor sampled
  /// every second, about 1.2 MB of JSON.
  static let maximumLimit = 20_000
  /// The readings returned when no `limit` is given.
  static let defaultLimit = 1000
  /// The widest bucket: a year (of 366 days).
  static let maximumBucketSeconds = 366 * 86_400

  var since = UTCTime.minimum
  var until = UTCTime.maximum
  var limit = defaultLimit
  /// If given, the readings are summarised in buckets this wide instead of listed one by one.
  var bucketWidth: Duration?

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
      case "bucket_seconds":
        guard let seconds = Int(value), seconds >= 1, seconds <= maximumBucketSeconds else {
          return .failure(
            .invalidParameter(
              "bucket_seconds must be a whole number from 1 to \(maximumBucketSeconds)"))
        }
        query.bucketWidth = .seconds(Int64(seconds))
      default:
        return .failure(
          .invalidParameter(
            "unknown parameter '\(name)'; use since, until, limit, bucket_seconds"))
      }
    }
    guard query.since <= query.until else {
      return .failure(.invalidParameter("since must not be later than until"))
    }
    return .success(query)
  }
}
