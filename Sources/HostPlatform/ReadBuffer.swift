/// Scratch memory that socket reads land in before their bytes are copied out for a handler.
/// One loop thread uses it at a time, so all the connections of a server share one.
final class ReadBuffer {
  let memory: UnsafeMutableRawBufferPointer

  init(size: Int) {
    memory = .allocate(byteCount: size, alignment: 16)
  }

  deinit {
    memory.deallocate()
  }
}
