import CLinux
import Glibc

// Thin wrappers over the socket calls the server and client share. Every socket is
// non-blocking and close-on-exec from birth.

/// The outcome of one `recv`.
enum ReceiveResult {
  /// `count` bytes were read into the buffer.
  case received(count: Int)
  /// The peer shut down its sending side (FIN).
  case endOfStream
  /// Nothing to read right now.
  case wouldBlock
  case failed(SystemError)
}

/// The outcome of one `send`.
enum SendResult {
  case sent(count: Int)
  case wouldBlock
  case failed(SystemError)
}

enum Socket {
  /// A new non-blocking TCP socket for `family`.
  static func makeStream(family: Int32) throws(SystemError) -> Int32 {
    let type =
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
      | Int32(SOCK_CLOEXEC.rawValue)
    let descriptor = socket(family, type, 0)
    guard descriptor >= 0 else { throw .fromErrno("socket") }
    return descriptor
  }

  /// Sets an integer socket option such as `SO_REUSEADDR`.
  static func setOption(
    _ descriptor: Int32, level: Int32, name: Int32, value: Int32, label: String
  ) throws(SystemError) {
    var value = value
    let length = socklen_t(MemoryLayout<Int32>.size)
    guard setsockopt(descriptor, level, name, &value, length) == 0 else {
      throw .fromErrno("setsockopt(\(label))")
    }
  }

  /// The pending error of a socket (`SO_ERROR`), which also clears it; 0 if none.
  static func pendingError(_ descriptor: Int32) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
    return value
  }

  /// The local address a socket is bound to.
  static func localAddress(_ descriptor: Int32) throws(SystemError) -> SocketAddress {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutableBytes(of: &storage) { memory in
      getsockname(
        descriptor, memory.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
    }
    guard result == 0 else { throw .fromErrno("getsockname") }
    let address = withUnsafeBytes(of: &storage) { memory in
      SocketAddress(memory.baseAddress!.assumingMemoryBound(to: sockaddr.self))
    }
    guard let address else { throw SystemError(call: "getsockname", errorNumber: EAFNOSUPPORT) }
    return address
  }

  static func receive(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer)
    -> ReceiveResult
  {
    let count = retryingOnInterrupt { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
    if count > 0 { return .received(count: count) }
    if count == 0 { return .endOfStream }
    if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
    return .failed(.fromErrno("recv"))
  }

  /// Sends without raising SIGPIPE when the peer has gone (the error comes back as EPIPE).
  static func send(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> SendResult {
    let count = retryingOnInterrupt {
      Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
    }
    if count >= 0 { return .sent(count: count) }
    if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
    return .failed(.fromErrno("send"))
  }
}
