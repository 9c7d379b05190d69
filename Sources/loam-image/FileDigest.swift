import Foundation
import Hashing

/// The SHA-256 of a file's or a device's first bytes, read in pieces.
enum FileDigest {
  static let pieceByteCount = 4 << 20

  /// The digest of the first `length` bytes of `path` (all of it when nil). A file or device
  /// that ends before `length` bytes is an error: a card smaller than its image fails there.
  static func sha256(of path: String, length: UInt64? = nil) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw ToolError("cannot open \(path) for reading")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    var read: UInt64 = 0
    while length.map({ read < $0 }) ?? true {
      let wanted = length.map { Int(min(UInt64(pieceByteCount), $0 - read)) } ?? pieceByteCount
      guard let piece = try handle.read(upToCount: wanted), !piece.isEmpty else { break }
      piece.withUnsafeBytes { hasher.update($0) }
      read += UInt64(piece.count)
    }
    if let length, read < length {
      throw ToolError("\(path) ends after \(read) bytes, before the \(length) expected")
    }
    return hasher.finalize()
  }
}
