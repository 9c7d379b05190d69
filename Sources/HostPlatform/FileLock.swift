import Glibc

/// An exclusive advisory lock on a file, held until `unlock()` or the process ends.
///
/// A hub's or an appliance's data directory must have one writer: two hubs appending to one log
/// interleave their records, and two appliances sharing sequence numbers make the hub discard
/// readings as duplicates. Each takes this lock on its directory at start and refuses to run
/// without it. The kernel releases the lock when the process dies, however it dies.
public final class FileLock {
  /// The lock file's path.
  public let path: String
  private var descriptor: Int32

  /// Takes the lock on `path` (creating the file), or fails at once if another process holds it.
  public init(path: String) throws(FileLockError) {
    self.path = path
    descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw .system(SystemError.fromErrno("open", subject: path))
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let error = errno
      Glibc.close(descriptor)
      if error == EWOULDBLOCK { throw .heldByAnotherProcess(path: path) }
      throw .system(SystemError(call: "flock", subject: path, errorNumber: error))
    }
  }

  /// Releases the lock.
  public func unlock() {
    guard descriptor >= 0 else { return }
    Glibc.close(descriptor)  // Closing the last descriptor releases a flock lock.
    descriptor = -1
  }

  deinit {
    unlock()
  }
}

/// Why a `FileLock` could not be taken.
public enum FileLockError: Error, Equatable, CustomStringConvertible {
  /// Another process holds the lock: it is using the same data.
  case heldByAnotherProcess(path: String)
  /// The lock file could not be opened or locked.
  case system(SystemError)

  public var description: String {
    switch self {
    case .heldByAnotherProcess(let path):
      return "another process is using this data (it holds the lock \(path)); stop it first"
    case .system(let error):
      return "\(error)"
    }
  }
}
