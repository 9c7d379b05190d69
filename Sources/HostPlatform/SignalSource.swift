import CLinux
import Glibc

/// Delivers POSIX signals to an event loop through a signalfd, so that a signal becomes an
/// ordinary readable event handled between other events instead of an asynchronous interrupt.
final class SignalSource: EventHandler {
  /// The most signals taken from the descriptor per readiness event; the rest wait for the next.
  private static let maximumSignalsPerRead = 8
  /// Non-blocking, so that a read after another reader emptied the queue returns `EAGAIN`.
  private static let flags = Int32(SFD_NONBLOCK) | Int32(SFD_CLOEXEC)

  let fileDescriptor: Int32
  private var mask: sigset_t
  private var handlers: [Int32: (Int32) -> Void] = [:]

  init() throws(SystemError) {
    var empty = sigset_t()
    sigemptyset(&empty)
    let descriptor = signalfd(-1, &empty, Self.flags)
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
    guard signalfd(fileDescriptor, &mask, Self.flags) >= 0 else { throw .fromErrno("signalfd") }
  }

  /// Reads the pending signals (at most `maximumSignalsPerRead` per event, the rest on the next
  /// wait) and calls their handlers.
  func handle(_ events: IOEvents) {
    var information = [signalfd_siginfo](
      repeating: signalfd_siginfo(), count: Self.maximumSignalsPerRead)
    let byteCount = information.withUnsafeMutableBytes { buffer in
      retryingOnInterrupt { read(fileDescriptor, buffer.baseAddress, buffer.count) }
    }
    // EAGAIN: another reader took them first; nothing else can fail on a valid signalfd.
    guard byteCount > 0 else { return }
    // A signalfd read returns whole records only.
    for record in information.prefix(byteCount / MemoryLayout<signalfd_siginfo>.stride) {
      let signal = Int32(record.ssi_signo)
      handlers[signal]?(signal)
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
