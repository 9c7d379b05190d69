import DiskImage
import Foundation

/// Writes a `SparseImage` to a file: the file is cut to the image's length, which reads as
/// zeros, and only the runs are written, so the file's empty space takes no disk space.
enum SparseImageFile {
  static func write(_ image: SparseImage, to path: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    guard FileManager.default.createFile(atPath: path, contents: nil) else {
      throw ToolError("cannot create \(path)")
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.truncate(atOffset: image.byteCount)
    for run in image.runs {
      try handle.seek(toOffset: run.offset)
      try handle.write(contentsOf: run.bytes)
    }
    try handle.synchronize()
  }
}
