import Glibc

/// Delivers POSIX signals to an event loop through a signalfd, so that a signal becomes an
/// ordinary readable event handled between other events instead of an asynchronous interrupt.
final class SignalSource: EventHandler {
  let fileDescriptor: Int32
  private var mask: sigset_t
  private var handlers: [Int32: (Int32) -> Void] = [:]

  init() throws(SystemError) {
    var empty = sigset_t()
    sigemptyset(&empty)
    let flags = LinuxConstant.nonBlocking | LinuxConstant.closeOnExec
    let descriptor = signalfd(-1, &empty, flags)
    guard descriptor >= 0 else { throw .fromErrno("signalfd") }
    fileDescriptor = descriptor
    mask = empty
  }

  /// Blocks `signals` for the calling thread (and threads it starts later) and routes them to
  /// `handler`. Blocking is what makes the kernel queue them for the signalfd rather than run
  /// their default action, such as terminating the process on SIGINT.
  func add(_ signals: [Int32], _ handler: @escaping (Int32) -> Void) throws(SystemError) {
    var added = sigset_t()
    sigemptyset(&added)
    for signal in signals {
      precondition(signal > 0 && signal < 65, "not a signal number: \(signal)")
      sigaddset(&added, signal)
      sigaddset(&mask, signal)
      handlers[signal] = handler
    }
    let blockResult = pthread_sigmask(SIG_BLOCK, &added, nil)
    guard blockResult == 0 else {
      throw SystemError(call: "pthread_sigmask", errorNumber: blockResult)
    }
    let flags = LinuxConstant.nonBlocking | LinuxConstant.closeOnExec
    guard signalfd(fileDescriptor, &mask, flags) >= 0 else { throw .fromErrno("signalfd") }
  }

  /// Reads the pending signals (at most a few per event, the rest on the next wait) and calls
  /// their handlers.
  func handle(_ events: IOEvents) {
    var information = [UInt8](repeating: 0, count: LinuxConstant.signalInfoSize * 8)
    let count = information.withUnsafeMutableBytes { buffer in
      retryingOnInterrupt { read(fileDescriptor, buffer.baseAddress, buffer.count) }
    }
    // EAGAIN: another reader took them first; nothing else can fail on a valid signalfd.
    guard count > 0 else { return }
    for offset in stride(from: 0, to: count, by: LinuxConstant.signalInfoSize) {
      let signal = information.withUnsafeBytes { buffer in
        buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
      }
      handlers[Int32(signal)]?(Int32(signal))
    }
  }
}

extension EventLoop {
  /// Handles `signals` (such as `[SIGINT, SIGTERM]`) on this loop: blocks them for the calling
  /// thread, which must be the loop's thread, and calls `handler` with the signal's number
  /// from `run()`. A later call for the same signal replaces its handler. The signals stay
  /// blocked on the thread after the loop is gone.
  public func onSignals(_ signals: [Int32], _ handler: @escaping (Int32) -> Void)
    throws(SystemError)
  {
    if signalSource == nil {
      let source = try SignalSource()
      do {
        try register(fileDescriptor: source.fileDescriptor, interest: .readable, handler: source)
      } catch {
        Glibc.close(source.fileDescriptor)
        throw error
      }
      signalSource = source
    }
    try signalSource!.add(signals, handler)
  }
}
