import Glibc

/// A file that only grows at its end, for logs that must survive a power cut (an appliance's
/// unsent readings, the hub's readings).
///
/// Durability: `write` writes every byte (retrying short writes and `EINTR`) into the page
/// cache; `synchronize` calls `fdatasync`, so everything written so far, and the length needed
/// to read it back, is on stable storage when it returns. `append` is the two together. Several
/// `write`s followed by one `synchronize` share the cost of the flush (group commit). A newly
/// created file also has its directory entry synced, or a crash could lose the file.
///
/// A crash before `synchronize` returns can leave a partial record at the end; the log format
/// above this must detect that (with lengths and checksums) and `truncate` the torn tail on
/// recovery. After `synchronize` fails, what reached the disk is unknown, and Linux reports
/// such a write-back error only once: a second `fdatasync` can succeed although the data was
/// dropped (the PostgreSQL "fsyncgate" lesson). So a failed `synchronize` poisons the file:
/// every later `write`, `synchronize` and `append` fails with `EIO`, and the owner should stop
/// and recover by reading the file afresh.
public final class AppendOnlyFile {
  /// The path the file was opened with, for error messages.
  public let path: String
  private var descriptor: Int32
  /// The file's length in bytes, tracked as we append and truncate.
  public private(set) var length: Int
  /// Whether bytes were written since the last successful `synchronize`.
  public private(set) var hasUnsynchronizedWrites = false
  /// Set when `synchronize` failed, or a failed write could not be taken back: the file's
  /// durable contents are unknown. See the type's documentation.
  private var isPoisoned = false

  /// The largest file `readAll` will load, to bound memory (64 MiB).
  public static var maximumReadLength: Int { 64 << 20 }

  /// Opens the file at `path` for appending, creating it (mode 0644) if it does not exist.
  public init(path: String) throws(SystemError) {
    self.path = path
    var created = false
    var opened = Glibc.open(path, O_RDWR | O_APPEND | O_CLOEXEC)
    if opened < 0 && errno == ENOENT {
      opened = Glibc.open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_CREAT | O_EXCL, 0o644)
      created = true
    }
    guard opened >= 0 else { throw .fromErrno("open", subject: path) }
    descriptor = opened
    do throws(SystemError) {
      length = try Self.size(of: opened, path: path)
      if created { try syncDirectory(containing: path) }
    } catch {
      Glibc.close(opened)
      throw error
    }
  }

  deinit {
    if descriptor >= 0 { Glibc.close(descriptor) }
  }

  /// The whole file's contents. Fails for files above `maximumReadLength`; read a large file in
  /// pieces with `read(at:maximumCount:)`.
  public func readAll() throws(SystemError) -> [UInt8] {
    guard length <= Self.maximumReadLength else {
      throw SystemError(call: "read", subject: path, errorNumber: EFBIG)
    }
    return try read(at: 0, maximumCount: length)
  }

  /// Hands the file's bytes to `body` front to back, in pieces of at most `pieceLength` bytes,
  /// so that replaying a log takes bounded memory however long it has grown. A failed read
  /// reaches the caller as `readFailure` makes it.
  public func forEachPiece<Failure: Error>(
    ofAtMost pieceLength: Int, readFailure: (SystemError) -> Failure,
    body: ([UInt8]) throws(Failure) -> Void
  ) throws(Failure) {
    var offset = 0
    while offset < length {
      let piece: [UInt8]
      do {
        piece = try read(at: offset, maximumCount: pieceLength)
      } catch {
        throw readFailure(error)
      }
      guard !piece.isEmpty else { return }
      offset += piece.count
      try body(piece)
    }
  }

  /// Up to `maximumCount` bytes from `offset`; fewer only at the end of the file.
  public func read(at offset: Int, maximumCount: Int) throws(SystemError) -> [UInt8] {
    precondition(offset >= 0 && maximumCount >= 0)
    try requireOpen()
    var bytes = [UInt8](repeating: 0, count: maximumCount)
    var filled = 0
    while filled < maximumCount {
      let count = bytes.withUnsafeMutableBytes { buffer in
        retryingOnInterrupt {
          pread(descriptor, buffer.baseAddress! + filled, maximumCount - filled, offset + filled)
        }
      }
      guard count >= 0 else { throw .fromErrno("pread", subject: path) }
      if count == 0 { break }  // The end of the file.
      filled += count
    }
    bytes.removeLast(maximumCount - filled)
    return bytes
  }

  /// Appends `bytes` and waits until they (and every earlier write) are on stable storage.
  public func append(_ bytes: [UInt8]) throws(SystemError) {
    try write(bytes)
    try synchronize()
  }

  /// Appends `bytes` to the page cache; they are durable once `synchronize` returns.
  public func write(_ bytes: [UInt8]) throws(SystemError) {
    try requireUsable()
    hasUnsynchronizedWrites = true
    var written = 0
    while written < bytes.count {
      let count = bytes.withUnsafeBytes { buffer in
        retryingOnInterrupt {
          Glibc.write(descriptor, buffer.baseAddress! + written, bytes.count - written)
        }
      }
      guard count >= 0 else {
        let error = SystemError.fromErrno("write", subject: path)
        // Take back what did reach the file, so that the next record does not land after a
        // fragment (which a reader would rightly call corruption). If even that fails, the
        // file's end is unknown: refuse further use, as after a failed fdatasync.
        if ftruncate(descriptor, off_t(length)) != 0 { isPoisoned = true }
        throw error
      }
      written += count
    }
    length += written
  }

  /// Waits until everything written so far is on stable storage. A failure poisons the file.
  public func synchronize() throws(SystemError) {
    try requireUsable()
    guard retryingOnInterrupt({ fdatasync(descriptor) }) == 0 else {
      isPoisoned = true
      throw .fromErrno("fdatasync", subject: path)
    }
    hasUnsynchronizedWrites = false
  }

  /// Cuts the file to `newLength` bytes (at most its length), durably: used to drop a torn
  /// record at the end after a crash, or to empty a log once its contents are delivered.
  public func truncate(toLength newLength: Int) throws(SystemError) {
    try requireUsable()
    precondition(newLength >= 0 && newLength <= length, "truncate can only shorten the file")
    guard retryingOnInterrupt({ ftruncate(descriptor, off_t(newLength)) }) == 0 else {
      throw .fromErrno("ftruncate", subject: path)
    }
    length = newLength
    guard retryingOnInterrupt({ fsync(descriptor) }) == 0 else {
      isPoisoned = true
      throw .fromErrno("fsync", subject: path)
    }
    hasUnsynchronizedWrites = false
  }

  /// Closes the file; further operations fail with `EBADF`. Idempotent.
  public func close() {
    guard descriptor >= 0 else { return }
    Glibc.close(descriptor)
    descriptor = -1
  }

  private func requireOpen() throws(SystemError) {
    guard descriptor >= 0 else { throw SystemError(call: "use", subject: path, errorNumber: EBADF) }
  }

  /// Open, and not poisoned by a failed `synchronize` or an unrecoverable write.
  private func requireUsable() throws(SystemError) {
    try requireOpen()
    guard !isPoisoned else {
      throw SystemError(
        call: "use after a failed fdatasync or write", subject: path, errorNumber: EIO)
    }
  }

  private static func size(of descriptor: Int32, path: String) throws(SystemError) -> Int {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .fromErrno("fstat", subject: path) }
    return Int(status.st_size)
  }
}
