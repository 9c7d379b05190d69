/// Bytes waiting to be sent on a socket, in order. Sent bytes are dropped from the front
/// lazily (by advancing `start`) and compacted in bulk, so each send costs O(bytes sent).
struct OutputQueue {
  private var storage: [UInt8] = []
  private var start = 0

  /// Bytes not yet sent.
  var count: Int { storage.count - start }
  var isEmpty: Bool { count == 0 }

  mutating func append(_ bytes: [UInt8]) {
    if isEmpty {
      storage = bytes
      start = 0
    } else {
      storage.append(contentsOf: bytes)
    }
  }

  /// Sends as much as the socket accepts. Returns nil when everything queued was sent or the
  /// socket is full, or the error that ended the attempt.
  mutating func flush(to descriptor: Int32) -> SystemError? {
    while !isEmpty {
      let result = storage.withUnsafeBytes { bytes in
        Socket.send(descriptor, UnsafeRawBufferPointer(rebasing: bytes[start...]))
      }
      switch result {
      case .sent(let count): start += count
      case .wouldBlock:
        compact()
        return nil
      case .failed(let error): return error
      }
    }
    storage = []
    start = 0
    return nil
  }

  /// Drops sent bytes once they are most of the storage, keeping the copy cost amortised.
  private mutating func compact() {
    if start > 65_536 && start > storage.count / 2 {
      storage.removeFirst(start)
      start = 0
    }
  }
}
