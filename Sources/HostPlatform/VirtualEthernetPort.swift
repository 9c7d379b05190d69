import CLinux
import Glibc

/// A cable into Loam's rootless virtual Ethernet segment: a Unix datagram socket that sends
/// each frame as one datagram to the `VirtualEthernetSwitch` and receives from it the frames
/// meant for this port. No root, no TAP device: just two socket files.
///
/// The socket is bound to its own path (given, or `port-<pid>-<fd>.sock` next to the switch's
/// socket) and connected to the switch's path, so the kernel delivers only the switch's frames.
/// On connecting, the port sends the switch an empty datagram, which makes it a port of the
/// segment before it has sent a frame. A switch started (or restarted) after the port learns
/// it from its next frame.
///
/// Like an unplugged cable, a missing switch loses frames: `writeFrame` throws the kernel's
/// error (`ENOENT`: no socket file; `ECONNREFUSED`: a stale file nobody listens on; `EAGAIN`:
/// the switch's queue is full) and the frame is gone. Once a switch is (back) at the path, the
/// next `writeFrame` reconnects by itself.
///
/// Both ends must name each other by the same paths: the port binds an absolute path, so a
/// switch in another working directory can answer.
public final class VirtualEthernetPort: FrameDevice {
  /// The longest frame the segment carries: an Ethernet header around the largest payload an
  /// IPv4 length field can describe (65,535 bytes). Longer frames are refused with `EMSGSIZE`.
  public static let maximumFrameLength = 65_535 + 14

  /// The absolute path this port's socket is bound to; removed on `close()`.
  public let path: String
  /// The path of the switch's datagram socket.
  public let switchPath: String
  /// The datagram socket, or -1 after `close()`.
  public private(set) var fileDescriptor: Int32

  private let switchAddress: UnixSocketAddress
  private var isConnected = false
  private var readBuffer = [UInt8](repeating: 0, count: VirtualEthernetPort.maximumFrameLength)

  /// Opens a port on the segment whose switch listens at `switchPath`, bound to `path` if given
  /// (which must not exist yet) or to a fresh name in the switch's directory. The switch need
  /// not be running yet. Throws if the socket cannot be made or bound.
  public init(switchPath: String, path: String? = nil) throws(SystemError) {
    switchAddress = try UnixSocketAddress(path: switchPath)
    self.switchPath = switchPath
    let descriptor = try Socket.makeUnixDatagram()
    let chosenPath = absolutePath(
      path ?? "\(parentDirectory(of: switchPath))/port-\(getpid())-\(descriptor).sock")
    do {
      // A generated name can only be stale: left by an earlier process with this pid.
      if path == nil { unlink(chosenPath) }
      try Socket.bind(descriptor, to: try UnixSocketAddress(path: chosenPath))
    } catch {
      Glibc.close(descriptor)
      throw error
    }
    self.path = chosenPath
    fileDescriptor = descriptor
    try? reconnect()
  }

  deinit {
    close()
  }

  /// The next frame from the switch, or nil if none is waiting.
  public func readFrame() throws(SystemError) -> [UInt8]? {
    let result = readBuffer.withUnsafeMutableBytes { buffer in
      Socket.receiveDatagram(fileDescriptor, into: buffer)
    }
    switch result {
    case .received(let count, _):
      // The switch never sends more than `maximumFrameLength`; the buffer holds that much.
      return Array(readBuffer[0..<min(count, readBuffer.count)])
    case .wouldBlock:
      return nil
    case .failed(let error):
      // The switch went away: reported once, like a link going down, then the next send retries.
      if error.errorNumber == ECONNREFUSED || error.errorNumber == ECONNRESET {
        isConnected = false
        return nil
      }
      throw error
    }
  }

  /// Sends `frame` to the switch as one datagram. Throws `EINVAL` for a frame shorter than an
  /// Ethernet header, `EMSGSIZE` for one longer than `maximumFrameLength`, and the kernel's
  /// error if the switch is not there or busy; the frame is then lost.
  public func writeFrame(_ frame: [UInt8]) throws(SystemError) {
    guard frame.count >= 14 else {
      throw SystemError(call: "send", subject: switchPath, errorNumber: EINVAL)
    }
    guard frame.count <= Self.maximumFrameLength else {
      throw SystemError(call: "send", subject: switchPath, errorNumber: EMSGSIZE)
    }
    if !isConnected { try reconnect() }
    do {
      try send(frame)
    } catch  where error.errorNumber == ECONNREFUSED {
      // The switch restarted: its old socket is gone, a new one may be at the same path.
      try reconnect()
      try send(frame)
    }
  }

  /// Closes the socket and removes its file. Safe to call twice.
  public func close() {
    guard fileDescriptor >= 0 else { return }
    Glibc.close(fileDescriptor)
    fileDescriptor = -1
    unlink(path)
  }

  /// Connects to the switch and announces the port with an empty datagram.
  private func reconnect() throws(SystemError) {
    isConnected = false
    try Socket.connect(fileDescriptor, to: switchAddress)
    isConnected = true
    try send([])
  }

  private func send(_ frame: [UInt8]) throws(SystemError) {
    let result = frame.withUnsafeBytes { Socket.send(fileDescriptor, $0) }
    switch result {
    case .sent(let count):
      assert(count == frame.count, "a Unix datagram is sent whole")
    case .wouldBlock:
      throw SystemError(call: "send", subject: switchPath, errorNumber: EAGAIN)
    case .failed(let error):
      if error.errorNumber == ECONNREFUSED { isConnected = false }
      throw SystemError(call: "send", subject: switchPath, errorNumber: error.errorNumber)
    }
  }
}

/// `path` if it is absolute, else `path` under the working directory.
func absolutePath(_ path: String) -> String {
  guard !path.hasPrefix("/") else { return path }
  var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
  guard getcwd(&buffer, buffer.count) != nil else { return path }
  let directory = String(
    decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  return directory == "/" ? "/\(path)" : "\(directory)/\(path)"
}

/// The address of a Unix-domain socket: the bytes of `sun_path`, as the kernel reports a
/// sender (a file path, or an abstract name starting with a zero byte; empty if unnamed).
struct UnixSocketAddress: Hashable, Sendable, CustomStringConvertible {
  /// `sun_path`'s size on Linux (108), including room for a terminating zero.
  static let maximumLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

  /// The address bytes, without a terminating zero.
  let bytes: [UInt8]

  /// The address of the socket file at `path`. Throws `ENAMETOOLONG` for a path that does
  /// not fit `sun_path`, `EINVAL` for an empty one.
  init(path: String) throws(SystemError) {
    let bytes = Array(path.utf8)
    guard !bytes.isEmpty else { throw SystemError(call: "bind", errorNumber: EINVAL) }
    guard bytes.count < Self.maximumLength else {
      throw SystemError(call: "socket address", subject: path, errorNumber: ENAMETOOLONG)
    }
    self.bytes = bytes
  }

  /// Reads the address `recvfrom` or `accept` filled in, `length` bytes of it.
  init(_ address: sockaddr_un, length: socklen_t) {
    let pathLength = max(0, Int(length) - MemoryLayout<sa_family_t>.size)
    var bytes = withUnsafeBytes(of: address.sun_path) { Array($0.prefix(pathLength)) }
    // A file path may come with its terminating zero; an abstract name starts with one.
    if bytes.first != 0 { bytes = Array(bytes.prefix { $0 != 0 }) }
    self.bytes = bytes
  }

  /// Whether the sender had no address (an unbound socket): nothing can be sent back to it.
  var isUnnamed: Bool { bytes.isEmpty }

  /// Calls `body` with this address as a `sockaddr` and its length.
  func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result)
    -> Result
  {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let length = MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1)
    return withUnsafeBytes(of: &address) { memory in
      body(memory.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(length))
    }
  }

  /// The path, or `@name` for an abstract address, `(unnamed)` for none.
  var description: String {
    if bytes.isEmpty { return "(unnamed)" }
    if bytes.first == 0 { return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self) }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// The outcome of one `recvfrom` on a datagram socket.
enum DatagramReceiveResult {
  /// A datagram of `count` bytes (more than the buffer if it was cut short) from `sender`.
  case received(count: Int, sender: UnixSocketAddress)
  /// Nothing to read right now.
  case wouldBlock
  case failed(SystemError)
}

extension Socket {
  /// A new non-blocking Unix socket of `type` (`SOCK_DGRAM` or `SOCK_STREAM`).
  static func makeUnix(type: __socket_type) throws(SystemError) -> Int32 {
    let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    let descriptor = socket(AF_UNIX, Int32(type.rawValue) | flags, 0)
    guard descriptor >= 0 else { throw .fromErrno("socket(AF_UNIX)") }
    return descriptor
  }

  /// A new non-blocking Unix datagram socket.
  static func makeUnixDatagram() throws(SystemError) -> Int32 {
    try makeUnix(type: SOCK_DGRAM)
  }

  /// Binds `descriptor` to `address`, creating the socket file.
  static func bind(_ descriptor: Int32, to address: UnixSocketAddress) throws(SystemError) {
    let result = address.withSocketAddress { Glibc.bind(descriptor, $0, $1) }
    guard result == 0 else { throw .fromErrno("bind", subject: "\(address)") }
  }

  /// Connects `descriptor` to `address`; for a datagram socket, this sets the default
  /// destination and the only sender it will receive from.
  static func connect(_ descriptor: Int32, to address: UnixSocketAddress) throws(SystemError) {
    let result = address.withSocketAddress { pointer, length in
      retryingOnInterrupt { Glibc.connect(descriptor, pointer, length) }
    }
    guard result == 0 else { throw .fromErrno("connect", subject: "\(address)") }
  }

  /// Receives one datagram and its sender. `MSG_TRUNC` makes the count the datagram's real
  /// length, so that an oversized datagram can be told from one that just fits.
  static func receiveDatagram(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer)
    -> DatagramReceiveResult
  {
    var address = sockaddr_un()
    var length = socklen_t(MemoryLayout<sockaddr_un>.size)
    let count = withUnsafeMutableBytes(of: &address) { memory in
      let pointer = memory.baseAddress!.assumingMemoryBound(to: sockaddr.self)
      return retryingOnInterrupt {
        recvfrom(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC), pointer, &length)
      }
    }
    if count >= 0 {
      return .received(count: count, sender: UnixSocketAddress(address, length: length))
    }
    if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
    return .failed(.fromErrno("recvfrom"))
  }

  /// Sends one datagram to `address`.
  static func sendDatagram(
    _ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, to address: UnixSocketAddress
  ) -> SendResult {
    let count = address.withSocketAddress { pointer, length in
      retryingOnInterrupt {
        sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), pointer, length)
      }
    }
    if count >= 0 { return .sent(count: count) }
    if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
    return .failed(.fromErrno("sendto", subject: "\(address)"))
  }
}
