import CLinux
import Glibc
import Time

/// A single-threaded event loop over Linux epoll: file-descriptor readiness, timers and signals.
///
/// Registrations are level-triggered: a descriptor is reported on every wait for as long as it
/// stays ready. That lets a handler do a bounded amount of work per event (one read, a few
/// accepts) and rely on being called again, which keeps connections fair and the loop
/// responsive, at the cost of an extra `epoll_wait` when a socket has more data queued.
///
/// Everything about a loop (registering, scheduling, stopping) happens on the thread that calls
/// `run()`; the loop is not `Sendable`. Each iteration handles at most `maximumEventsPerWait`
/// ready descriptors and at most as many due timers, then runs the actions queued with
/// `runAtEndOfIteration`, then waits again.
public final class EventLoop {
  /// The most actions that may wait for the end of an iteration at once.
  public static var maximumEndOfIterationActions: Int { 1024 }
  /// The most readiness events taken from the kernel per `epoll_wait`.
  public let maximumEventsPerWait: Int
  /// The monotonic time at which the current iteration woke up; refreshed after every wait.
  public private(set) var now: Instant

  private let epollDescriptor: Int32
  private var timers: TimerQueue
  private var registrations: [UInt64: Registration] = [:]
  private var tokensByDescriptor: [Int32: UInt64] = [:]
  private var nextToken: UInt64 = 0
  private var endOfIterationActions: [() -> Void] = []
  private var stopRequested = false
  private var isRunning = false
  /// The signalfd source, created by the first `onSignals` call.
  var signalSource: SignalSource?

  private struct Registration {
    var fileDescriptor: Int32
    var handler: any EventHandler
  }

  /// Creates a loop. `maximumTimers` bounds the pending timers (see `schedule(at:_:)`).
  public init(maximumEventsPerWait: Int = 256, maximumTimers: Int = 65_536) throws(SystemError) {
    precondition(maximumEventsPerWait > 0, "a loop must take at least one event per wait")
    let descriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
    guard descriptor >= 0 else { throw .fromErrno("epoll_create1") }
    epollDescriptor = descriptor
    self.maximumEventsPerWait = maximumEventsPerWait
    timers = TimerQueue(capacity: maximumTimers)
    now = MonotonicClock.now()
  }

  deinit {
    if let signalSource { Glibc.close(signalSource.fileDescriptor) }
    Glibc.close(epollDescriptor)
  }

  /// Watches `fileDescriptor` (which should be non-blocking) for `interest`, calling `handler`.
  /// The loop keeps `handler` until `deregister`. A descriptor can be registered only once.
  public func register(
    fileDescriptor: Int32, interest: IOEvents, handler: any EventHandler
  ) throws(SystemError) {
    precondition(tokensByDescriptor[fileDescriptor] == nil, "fd \(fileDescriptor) registered twice")
    let token = nextToken
    nextToken += 1
    try control(EPOLL_CTL_ADD, fileDescriptor, interest, token: token)
    registrations[token] = Registration(fileDescriptor: fileDescriptor, handler: handler)
    tokensByDescriptor[fileDescriptor] = token
  }

  /// Changes what a registered descriptor is watched for; an empty set pauses it.
  public func modify(fileDescriptor: Int32, interest: IOEvents) throws(SystemError) {
    guard let token = tokensByDescriptor[fileDescriptor] else {
      preconditionFailure("fd \(fileDescriptor) modified but not registered")
    }
    try control(EPOLL_CTL_MOD, fileDescriptor, interest, token: token)
  }

  /// Stops watching `fileDescriptor` and releases its handler. Call it before closing the
  /// descriptor. Events already taken from the kernel for it in this iteration are dropped.
  public func deregister(fileDescriptor: Int32) throws(SystemError) {
    guard let token = tokensByDescriptor.removeValue(forKey: fileDescriptor) else {
      preconditionFailure("fd \(fileDescriptor) deregistered but not registered")
    }
    registrations[token] = nil
    guard epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, fileDescriptor, nil) == 0 else {
      throw .fromErrno("epoll_ctl(DEL)", subject: "fd \(fileDescriptor)")
    }
  }

  /// Runs `action` on the loop's thread once the monotonic clock reaches `deadline`. Timers
  /// with equal deadlines run in the order they were scheduled. More than `maximumTimers`
  /// pending timers is a programming error and stops the program.
  @discardableResult
  public func schedule(at deadline: Instant, _ action: @escaping () -> Void) -> TimerID {
    timers.schedule(at: deadline, action)
  }

  /// Cancels a pending timer; does nothing if it already ran or was cancelled.
  public func cancel(_ timer: TimerID) {
    timers.cancel(timer)
  }

  /// Runs `action` once, at the end of the current iteration: after the iteration's ready
  /// descriptors and due timers have been handled, before the loop waits again. Work that
  /// several events share goes here, such as one `fsync` for every write the events made.
  /// Actions run in the order they were added; one added by such an action runs at the end of
  /// the next iteration, which then does not wait. Called outside `run()`, the action runs at the
  /// end of the first iteration. More than `maximumEndOfIterationActions` waiting at once is a
  /// programming error and stops the program.
  public func runAtEndOfIteration(_ action: @escaping () -> Void) {
    precondition(
      endOfIterationActions.count < EventLoop.maximumEndOfIterationActions,
      "more than \(EventLoop.maximumEndOfIterationActions) end-of-iteration actions waiting")
    endOfIterationActions.append(action)
  }

  /// How many timers are pending.
  public var pendingTimerCount: Int { timers.count }

  /// How many descriptors are registered (including the loop's own signalfd, if any).
  public var registeredDescriptorCount: Int { registrations.count }

  /// Waits for and handles events until `stop()` is called (by a handler, timer or signal
  /// handler on this loop). A `stop()` before `run()` makes `run()` return after one iteration.
  public func run() throws(SystemError) {
    precondition(!isRunning, "EventLoop.run() is not reentrant")
    isRunning = true
    defer {
      isRunning = false
      stopRequested = false
    }
    let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: maximumEventsPerWait)
    defer { events.deallocate() }
    repeat {
      let timeout = waitTimeoutMilliseconds()
      let count = epoll_wait(epollDescriptor, events, Int32(maximumEventsPerWait), timeout)
      if count < 0 {
        if errno == EINTR { continue }
        throw .fromErrno("epoll_wait")
      }
      now = MonotonicClock.now()
      for index in 0..<Int(count) where !stopRequested {
        dispatch(events[index])
      }
      runDueTimers()
      runEndOfIterationActions()
    } while !stopRequested
  }

  /// Makes `run()` return once the current event or timer has been handled.
  public func stop() {
    stopRequested = true
  }

  private func dispatch(_ event: epoll_event) {
    // A handler earlier in this batch may have deregistered this one: drop the stale event.
    guard let registration = registrations[event.data.u64] else { return }
    registration.handler.handle(IOEvents(rawValue: event.events))
  }

  private func runDueTimers() {
    now = MonotonicClock.now()
    for _ in 0..<maximumEventsPerWait where !stopRequested {
      guard let action = timers.popDue(now: now) else { return }
      action()
    }
  }

  /// Runs the actions waiting now; they run even if the loop is stopping, since they may finish
  /// what this iteration's events started.
  private func runEndOfIterationActions() {
    let actions = endOfIterationActions
    endOfIterationActions = []
    for action in actions { action() }
  }

  /// How long `epoll_wait` may sleep: until the next timer, rounded up to whole milliseconds so
  /// that the loop never wakes just before a deadline and spins; -1 (forever) without timers;
  /// 0 if the loop is stopping or end-of-iteration actions wait.
  private func waitTimeoutMilliseconds() -> Int32 {
    if stopRequested || !endOfIterationActions.isEmpty { return 0 }
    guard let deadline = timers.earliestDeadline else { return -1 }
    let current = MonotonicClock.now()
    guard deadline > current else { return 0 }
    let nanoseconds = deadline.nanoseconds - current.nanoseconds
    let milliseconds = (nanoseconds + 999_999) / 1_000_000
    return Int32(clamping: milliseconds)
  }

  private func control(
    _ operation: Int32, _ fileDescriptor: Int32, _ interest: IOEvents, token: UInt64
  ) throws(SystemError) {
    var event = epoll_event()
    event.events = interest.rawValue
    event.data.u64 = token
    guard epoll_ctl(epollDescriptor, operation, fileDescriptor, &event) == 0 else {
      let name = operation == EPOLL_CTL_ADD ? "epoll_ctl(ADD)" : "epoll_ctl(MOD)"
      throw .fromErrno(name, subject: "fd \(fileDescriptor)")
    }
  }
}
