import RecordLog

extension RecordLogFormat {
  /// The hub's reading log: one record per accepted batch, its payload the batch as JSON
  /// (`AcceptedBatch`, see `ReadingLogReplay`).
  ///
  /// The hub appends a record and syncs before it acknowledges a batch, so only a record at the
  /// end can be torn by a crash; it was never acknowledged and is dropped with a warning.
  public static let readingLog = RecordLogFormat(magic: "LOAMLOG1")
}
