import Glibc

// Bindings for the Linux calls that Swift's Glibc module does not import: it has no
// <sys/epoll.h> or <sys/signalfd.h>, nor
// accept4 (a GNU extension). The package has no C target to import them from, so the C
// library functions are declared here by symbol name. Every argument is an integer or a pointer,
// for which Swift's calling convention and C's agree on x86_64 and aarch64, the two targets Loam
// runs on as a process. The constants and structure layouts are the kernel's stable ABI.

@_silgen_name("epoll_create1")
func epollCreate(_ flags: Int32) -> Int32

@_silgen_name("epoll_ctl")
func epollControl(
  _ epollDescriptor: Int32, _ operation: Int32, _ fileDescriptor: Int32,
  _ event: UnsafeMutableRawPointer?
) -> Int32

@_silgen_name("epoll_wait")
func epollWait(
  _ epollDescriptor: Int32, _ events: UnsafeMutableRawPointer?, _ maximumEvents: Int32,
  _ timeoutMilliseconds: Int32
) -> Int32

@_silgen_name("signalfd")
func signalfd(_ fileDescriptor: Int32, _ mask: UnsafePointer<sigset_t>, _ flags: Int32) -> Int32

@_silgen_name("accept4")
func accept4(
  _ listener: Int32, _ address: UnsafeMutableRawPointer?, _ length: UnsafeMutablePointer<UInt32>?,
  _ flags: Int32
) -> Int32

/// Constants from <sys/epoll.h> and <sys/signalfd.h>.
enum LinuxConstant {
  static let epollIn: UInt32 = 0x001
  static let epollOut: UInt32 = 0x004
  static let epollError: UInt32 = 0x008
  static let epollHangUp: UInt32 = 0x010
  static let epollControlAdd: Int32 = 1
  static let epollControlDelete: Int32 = 2
  static let epollControlModify: Int32 = 3
  /// `EPOLL_CLOEXEC` and `SFD_CLOEXEC` are both `O_CLOEXEC`.
  static let closeOnExec: Int32 = O_CLOEXEC
  /// `SFD_NONBLOCK` is `O_NONBLOCK`.
  static let nonBlocking: Int32 = O_NONBLOCK
  /// `sizeof(struct signalfd_siginfo)`; the signal number is its first field, a `UInt32`.
  static let signalInfoSize = 128
}

/// The layout of `struct epoll_event { uint32_t events; uint64_t data; }`, which the kernel
/// packs (12 bytes) on x86_64 and aligns naturally (16 bytes) elsewhere.
enum EpollEventLayout {
  #if arch(x86_64)
    static let size = 12
    static let dataOffset = 4
  #else
    static let size = 16
    static let dataOffset = 8
  #endif

  static func store(events: UInt32, data: UInt64, to memory: UnsafeMutableRawPointer) {
    memory.storeBytes(of: events, as: UInt32.self)
    memory.storeBytes(of: data, toByteOffset: dataOffset, as: UInt64.self)
  }

  static func load(from memory: UnsafeRawPointer) -> (events: UInt32, data: UInt64) {
    let events = memory.loadUnaligned(as: UInt32.self)
    let data = memory.loadUnaligned(fromByteOffset: dataOffset, as: UInt64.self)
    return (events, data)
  }
}
