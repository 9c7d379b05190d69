/// A bounded first-in, first-out queue of bytes on a ring buffer: the bytes live from `head`
/// onwards, wrapping past the end of the storage to the start. The storage grows (doubling, up
/// to `capacity`) only as bytes arrive, so an idle connection costs little, and it is kept once
/// grown, so a busy one does not allocate again.
///
/// A TCP connection keeps two of these. Its send buffer holds the bytes from SND.UNA on: the
/// application appends, (re)transmission copies from offsets into it, and an acknowledgement
/// drops bytes from the front. Its receive buffer holds in-order bytes until the application
/// reads them; its free space is the window the connection advertises.
///
/// Removing from the front only moves `head`, so nothing is ever shifted; appending and copying
/// touch at most two contiguous chunks of storage (before and after the wrap).
public struct ByteQueue: Sendable {
  /// The most bytes the queue can hold.
  public let capacity: Int
  /// The ring itself, at most `capacity` bytes long.
  private var storage: [UInt8] = []
  /// The smallest ring allocated: a few segments' worth.
  private static let initialStorage = 4096
  /// Where the oldest byte is stored; meaningful only when `count` is not zero.
  private var head = 0
  /// How many bytes the queue holds.
  public private(set) var count = 0

  /// An empty queue that can hold `capacity` bytes (allocated as they are needed).
  public init(capacity: Int) {
    precondition(capacity > 0, "a byte queue needs room for at least one byte")
    self.capacity = capacity
  }

  /// Makes the ring hold at least `needed` bytes: a larger ring with the bytes moved to its
  /// start, in order.
  private mutating func grow(toHold needed: Int) {
    let size = Swift.min(
      capacity, Swift.max(needed, storage.count * 2, Swift.min(Self.initialStorage, capacity)))
    var larger: [UInt8] = []
    larger.reserveCapacity(size)
    copyBytes(from: 0, count: count, into: &larger)
    larger.append(contentsOf: repeatElement(0, count: size - count))
    storage = larger
    head = 0
  }

  /// How many bytes the ring has allocated now (its memory cost), at most `capacity`.
  public var allocatedBytes: Int { storage.count }

  /// How many more bytes fit.
  public var freeSpace: Int { capacity - count }

  /// Whether the queue holds no bytes.
  public var isEmpty: Bool { count == 0 }

  /// Adds as many of `bytes` as fit to the back of the queue, taking a prefix; returns how many.
  @discardableResult
  public mutating func append(contentsOf bytes: some Collection<UInt8>) -> Int {
    let accepted = Swift.min(bytes.count, freeSpace)
    guard accepted > 0 else { return 0 }
    if count + accepted > storage.count { grow(toHold: count + accepted) }
    let tail = storageIndex(count)
    let firstChunk = Swift.min(accepted, storage.count - tail)
    let split = bytes.index(bytes.startIndex, offsetBy: firstChunk)
    let acceptedEnd = bytes.index(split, offsetBy: accepted - firstChunk)
    storage.withUnsafeMutableBufferPointer { ring in
      let copied = UnsafeMutableBufferPointer(rebasing: ring[tail..<tail + firstChunk])
        .update(fromContentsOf: bytes[bytes.startIndex..<split])
      assert(copied == firstChunk)
      // The rest, if any, wraps around to the start of the ring.
      let wrapped = UnsafeMutableBufferPointer(rebasing: ring[0..<accepted - firstChunk])
        .update(fromContentsOf: bytes[split..<acceptedEnd])
      assert(wrapped == accepted - firstChunk)
    }
    count += accepted
    return accepted
  }

  /// Appends to `buffer` the `count` bytes that start `offset` bytes after the front of the
  /// queue, leaving the queue as it is. The range must lie within the bytes held.
  public func copyBytes(from offset: Int, count: Int, into buffer: inout [UInt8]) {
    precondition(offset >= 0 && count >= 0, "a byte range cannot be negative")
    precondition(offset + count <= self.count, "the byte range runs past the end of the queue")
    guard count > 0 else { return }
    let start = storageIndex(offset)
    let firstChunk = Swift.min(count, storage.count - start)
    buffer.append(contentsOf: storage[start..<start + firstChunk])
    buffer.append(contentsOf: storage[0..<count - firstChunk])
  }

  /// The `count` bytes that start `offset` bytes after the front: a slice of the ring itself
  /// when they lie in one piece (no copy; keep it only until the queue next changes, or the
  /// change copies the whole ring), else a copy joined across the wrap.
  public func bytes(from offset: Int, count: Int) -> ArraySlice<UInt8> {
    precondition(offset >= 0 && count >= 0, "a byte range cannot be negative")
    precondition(offset + count <= self.count, "the byte range runs past the end of the queue")
    guard count > 0 else { return [] }
    let start = storageIndex(offset)
    if start + count <= storage.count { return storage[start..<start + count] }
    var joined: [UInt8] = []
    joined.reserveCapacity(count)
    copyBytes(from: offset, count: count, into: &joined)
    return joined[...]
  }

  /// Drops `count` bytes from the front of the queue; there must be that many.
  public mutating func removeFirst(_ count: Int) {
    precondition(count >= 0 && count <= self.count, "cannot remove more bytes than are held")
    self.count -= count
    // An empty queue starts again at the beginning, so later appends wrap less often.
    head = self.count == 0 ? 0 : storageIndex(count)
  }

  /// Removes and returns up to `maximum` bytes from the front of the queue.
  public mutating func read(upTo maximum: Int) -> [UInt8] {
    read(upTo: maximum) { Array($0) }
  }

  /// Removes up to `maximum` bytes from the front of the queue, handing them to `body` first
  /// as one buffer: the ring's own memory when they lie in one piece, else a copy joined
  /// across the wrap. The buffer is valid only inside `body`.
  public mutating func read<Result>(
    upTo maximum: Int, _ body: (UnsafeRawBufferPointer) -> Result
  ) -> Result {
    precondition(maximum >= 0, "cannot read a negative number of bytes")
    let taken = Swift.min(maximum, count)
    let result = withContiguousBytes(count: taken, body)
    removeFirst(taken)
    return result
  }

  /// The first `count` bytes as one buffer, for `read(upTo:_:)`.
  private func withContiguousBytes<Result>(
    count: Int, _ body: (UnsafeRawBufferPointer) -> Result
  ) -> Result {
    guard count > 0 else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    if head + count <= storage.count {
      return storage.withUnsafeBytes {
        body(UnsafeRawBufferPointer(rebasing: $0[head..<head + count]))
      }
    }
    var joined: [UInt8] = []
    joined.reserveCapacity(count)
    copyBytes(from: 0, count: count, into: &joined)
    return joined.withUnsafeBytes(body)
  }

  /// Where in `storage` the byte `offset` bytes after the front lives (or would live).
  private func storageIndex(_ offset: Int) -> Int {
    let index = head + offset
    return index >= storage.count ? index - storage.count : index
  }
}
