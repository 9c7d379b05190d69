import Glibc
import HostPlatform

/// Hands out the appliance's reading sequence numbers so that a restart never reuses one.
///
/// The hub treats a sequence at or below the highest it stored as a duplicate, so a reused number
/// would lose a reading. Writing every number to disk would cost an fsync per reading; instead
/// the appliance reserves a block on disk, uses it up, then reserves the next. A crash skips the
/// rest of a block, which is harmless: the hub needs numbers to increase, not to be contiguous.
struct SequenceReservation {
  /// Numbers reserved per disk write.
  static let blockSize: UInt64 = 1000

  private let path: String
  private var nextSequence: UInt64
  private var reservedThrough: UInt64

  /// The number `take()` returns next; every number handed out before is below it.
  var next: UInt64 { nextSequence }

  /// Continues after the last block reserved in `path` (a new file starts at 1).
  init(path: String) throws(SequenceReservationError) {
    self.path = path
    let stored = try Self.read(path)
    nextSequence = stored + 1
    reservedThrough = stored
  }

  /// The next sequence number.
  mutating func take() throws(SequenceReservationError) -> UInt64 {
    if nextSequence > reservedThrough {
      let through = nextSequence + Self.blockSize - 1
      try Self.write(through, to: path)
      reservedThrough = through
    }
    defer { nextSequence += 1 }
    return nextSequence
  }

  private static func read(_ path: String) throws(SequenceReservationError) -> UInt64 {
    guard let file = fopen(path, "r") else {
      if errno == ENOENT { return 0 }
      throw SequenceReservationError(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = fread(&buffer, 1, buffer.count, file)
    let text = String(decoding: buffer[..<count], as: UTF8.self)
    guard let value = UInt64(text.trimmingNewline()) else {
      throw SequenceReservationError(path: path, reason: "does not hold a sequence number")
    }
    return value
  }

  /// Writes through a temporary file and a rename, so the file is always whole, then syncs the
  /// directory so the rename itself survives a power cut.
  private static func write(_ value: UInt64, to path: String) throws(SequenceReservationError) {
    let temporary = path + ".new"
    let text = Array("\(value)\n".utf8)
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .fromErrno(path: temporary) }
    defer { close(descriptor) }
    guard Glibc.write(descriptor, text, text.count) == text.count, fsync(descriptor) == 0,
      rename(temporary, path) == 0
    else { throw .fromErrno(path: path) }
    do {
      try syncDirectory(containing: path)
    } catch {
      throw SequenceReservationError(path: path, reason: "\(error)")
    }
  }
}

/// Why sequence numbers could not be reserved: the appliance stops rather than risk reuse.
struct SequenceReservationError: Error, CustomStringConvertible {
  var path: String
  var reason: String

  static func fromErrno(path: String) -> SequenceReservationError {
    SequenceReservationError(path: path, reason: String(cString: strerror(errno)))
  }

  var description: String { "\(path): \(reason)" }
}

extension String {
  fileprivate func trimmingNewline() -> Substring {
    var text = Substring(self)
    while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
    return text
  }
}
