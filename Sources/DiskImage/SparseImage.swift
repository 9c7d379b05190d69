/// A disk image as the runs of bytes that are not zero: everything between runs reads as zero.
///
/// An SD-card image is mostly empty space (the unused clusters of its FAT volume, the gap before
/// the first partition), so a builder describes it as a few runs and a length, and whoever writes
/// it to a file or a card writes the runs and leaves holes. Runs are kept in order of offset and
/// never overlap.
public struct SparseImage: Equatable, Sendable {
  /// A run of bytes at a byte offset from the image's start.
  public struct Run: Equatable, Sendable {
    public let offset: UInt64
    public let bytes: [UInt8]

    public var end: UInt64 { offset + UInt64(bytes.count) }
  }

  /// The image's length in bytes.
  public let byteCount: UInt64
  /// The runs, in order of offset.
  public private(set) var runs: [Run] = []

  /// An image of `byteCount` zero bytes.
  public init(byteCount: UInt64) {
    self.byteCount = byteCount
  }

  /// Places `bytes` at `offset`, which must not overlap bytes placed before.
  public mutating func place(_ bytes: [UInt8], at offset: UInt64) throws(DiskImageError) {
    guard !bytes.isEmpty else { return }
    let run = Run(offset: offset, bytes: bytes)
    guard offset <= byteCount, run.end <= byteCount else {
      throw .regionOutsideImage(offset: offset)
    }
    let index = runs.firstIndex { $0.offset >= offset } ?? runs.endIndex
    if index > runs.startIndex, runs[index - 1].end > offset {
      throw .regionsOverlap(offset: offset)
    }
    if index < runs.endIndex, runs[index].offset < run.end {
      throw .regionsOverlap(offset: offset)
    }
    runs.insert(run, at: index)
  }

  /// The image's bytes in `range`, holes read as zeros.
  public func bytes(in range: Range<UInt64>) -> [UInt8] {
    precondition(range.upperBound <= byteCount, "a range past the image's end")
    var result = [UInt8](repeating: 0, count: Int(range.count))
    for run in runs where run.offset < range.upperBound && run.end > range.lowerBound {
      let start = max(run.offset, range.lowerBound)
      let end = min(run.end, range.upperBound)
      let source = Int(start - run.offset)..<Int(end - run.offset)
      let destination = Int(start - range.lowerBound)
      result.replaceSubrange(destination..<destination + source.count, with: run.bytes[source])
    }
    return result
  }
}
