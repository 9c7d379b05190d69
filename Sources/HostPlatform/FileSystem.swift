import Glibc

/// Creates the directory at `path` and any missing parents (mode 0755), syncing each parent
/// whose entries changed so the new directories survive a crash. Succeeds if it already exists.
public func createDirectory(atPath path: String) throws(SystemError) {
  precondition(!path.isEmpty, "empty path")
  var prefix = path.hasPrefix("/") ? "/" : ""
  let components = path.split(separator: "/")
  precondition(components.count <= 64, "path nested too deeply: \(path)")
  for component in components {
    prefix += prefix.isEmpty || prefix.hasSuffix("/") ? "\(component)" : "/\(component)"
    if mkdir(prefix, 0o755) == 0 {
      try syncDirectory(containing: prefix)
      continue
    }
    guard errno == EEXIST else { throw .fromErrno("mkdir", subject: prefix) }
    var status = stat()
    guard stat(prefix, &status) == 0 else { throw .fromErrno("stat", subject: prefix) }
    guard status.st_mode & S_IFMT == S_IFDIR else {
      throw SystemError(call: "mkdir", subject: prefix, errorNumber: ENOTDIR)
    }
  }
}

/// Makes a new or removed entry of the directory containing `path` durable (fsync on the
/// directory itself, as POSIX requires for metadata changes).
public func syncDirectory(containing path: String) throws(SystemError) {
  let directory = parentDirectory(of: path)
  let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  guard descriptor >= 0 else { throw .fromErrno("open", subject: directory) }
  defer { close(descriptor) }
  guard retryingOnInterrupt({ fsync(descriptor) }) == 0 else {
    throw .fromErrno("fsync", subject: directory)
  }
}

/// `/a/b` for `/a/b/c`, `/` for `/c`, `.` for `c`.
func parentDirectory(of path: String) -> String {
  var trimmed = Substring(path)
  while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
  guard let slash = trimmed.lastIndex(of: "/") else { return "." }
  return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
}

/// The contents of the small file at `path` (a configuration file), at most `maximumLength`
/// bytes; a longer file is refused (EFBIG) rather than read in part.
public func readSmallFile(atPath path: String, maximumLength: Int = 1 << 20) throws(SystemError)
  -> [UInt8]
{
  let descriptor = open(path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { throw .fromErrno("open", subject: path) }
  defer { close(descriptor) }
  var contents: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = chunk.withUnsafeMutableBytes { buffer in
      retryingOnInterrupt { read(descriptor, buffer.baseAddress!, buffer.count) }
    }
    guard count >= 0 else { throw .fromErrno("read", subject: path) }
    guard count > 0 else { return contents }
    guard contents.count + count <= maximumLength else {
      throw SystemError(call: "read", subject: path, errorNumber: EFBIG)
    }
    contents += chunk[0..<count]
  }
}
