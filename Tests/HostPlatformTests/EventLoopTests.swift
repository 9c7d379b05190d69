import Glibc
import Time
import XCTest

@testable import HostPlatform

final class EventLoopTests: XCTestCase {
  func testTimersRunInDeadlineOrderWithTiesInSchedulingOrder() throws {
    let loop = try EventLoop()
    let start = MonotonicClock.now()
    var order: [String] = []
    loop.schedule(at: start + .milliseconds(30)) { order.append("30") }
    loop.schedule(at: start + .milliseconds(10)) { order.append("10a") }
    loop.schedule(at: start + .milliseconds(20)) { order.append("20") }
    loop.schedule(at: start + .milliseconds(10)) { order.append("10b") }
    loop.schedule(at: start + .milliseconds(40)) { loop.stop() }
    try loop.run()
    XCTAssertEqual(order, ["10a", "10b", "20", "30"])
    XCTAssertGreaterThanOrEqual(MonotonicClock.now(), start + .milliseconds(40))
    XCTAssertEqual(loop.pendingTimerCount, 0)
  }

  func testCancelledTimersDoNotRun() throws {
    let loop = try EventLoop()
    let start = MonotonicClock.now()
    var ran: [Int] = []
    let first = loop.schedule(at: start + .milliseconds(5)) { ran.append(1) }
    loop.schedule(at: start + .milliseconds(5)) { ran.append(2) }
    let third = loop.schedule(at: start + .milliseconds(10)) { ran.append(3) }
    loop.schedule(at: start + .milliseconds(1)) { loop.cancel(third) }
    loop.cancel(first)
    loop.schedule(at: start + .milliseconds(20)) { loop.stop() }
    try loop.run()
    XCTAssertEqual(ran, [2])
    loop.cancel(first)  // cancelling twice is harmless
    XCTAssertEqual(loop.pendingTimerCount, 0)
  }

  func testATimerInThePastRunsOnTheNextIteration() throws {
    let loop = try EventLoop()
    var ran = false
    loop.schedule(at: .zero) {
      ran = true
      loop.stop()
    }
    try loop.run()
    XCTAssertTrue(ran)
  }

  func testEndOfIterationActionsRunAfterTheIterationsTimersAndDoNotWait() throws {
    let loop = try EventLoop()
    var order: [String] = []
    loop.runAtEndOfIteration { order.append("queued before run") }
    loop.schedule(at: .zero) {
      order.append("timer")
      loop.runAtEndOfIteration {
        order.append("end")
        // Added by an action: runs at the end of the next iteration, which must not sleep.
        loop.runAtEndOfIteration {
          order.append("next end")
          loop.stop()
        }
      }
    }
    loop.schedule(at: .zero) { order.append("second timer") }
    loop.schedule(at: MonotonicClock.now() + .seconds(5)) { order.append("too late") }
    let start = MonotonicClock.now()
    try loop.run()
    XCTAssertEqual(order, ["timer", "second timer", "queued before run", "end", "next end"])
    XCTAssertLessThan(MonotonicClock.now(), start + .seconds(1), "no iteration slept")
  }

  func testSignalArrivesThroughTheLoop() throws {
    let loop = try EventLoop()
    var received: [Int32] = []
    try loop.onSignals([SIGUSR1, SIGUSR2]) { signal in received.append(signal) }
    // raise() targets this thread, where the signals are now blocked and so go to the signalfd.
    loop.schedule(at: .zero) {
      raise(SIGUSR2)
      raise(SIGUSR1)
    }
    XCTAssertTrue(try loop.run(until: { received.count == 2 }))
    XCTAssertEqual(Set(received), [SIGUSR1, SIGUSR2])
  }

  func testReadinessIsReportedUntilDeregistered() throws {
    let loop = try EventLoop()
    var ends: [Int32] = [0, 0]
    XCTAssertEqual(pipe(&ends), 0)
    defer { for end in ends { close(end) } }
    XCTAssertEqual(fcntl(ends[0], F_SETFL, O_NONBLOCK), 0)
    let recorder = EventRecorder()
    try loop.register(fileDescriptor: ends[0], interest: .readable, handler: recorder)
    XCTAssertEqual(write(ends[1], "x", 1), 1)
    XCTAssertTrue(try loop.run(until: { recorder.events.count >= 3 }))
    // Level-triggered: the unread byte is reported on every wait.
    XCTAssertTrue(recorder.events.allSatisfy { $0.contains(.readable) })
    try loop.modify(fileDescriptor: ends[0], interest: [])
    let countWhilePaused = recorder.events.count
    let pauseEnd = MonotonicClock.now() + .milliseconds(20)
    try loop.run(until: { MonotonicClock.now() >= pauseEnd })
    XCTAssertEqual(recorder.events.count, countWhilePaused)
    try loop.deregister(fileDescriptor: ends[0])
    XCTAssertEqual(loop.registeredDescriptorCount, 0)
  }

  func testRegisteringAClosedDescriptorNamesTheCall() throws {
    let loop = try EventLoop()
    XCTAssertThrowsError(
      try loop.register(fileDescriptor: 9_999, interest: .readable, handler: EventRecorder())
    ) { error in
      XCTAssertEqual(
        "\(error)", "epoll_ctl(ADD)(fd 9999) failed: Bad file descriptor (errno \(EBADF))")
    }
  }

  func testTimerQueuePopsInOrderAndCancelsFromTheMiddle() {
    var queue = TimerQueue(capacity: 1_000)
    var fired: [UInt64] = []
    var identifiers: [UInt64: TimerID] = [:]
    // A scrambled permutation of 0..<500 as deadlines.
    for step in 0..<500 {
      let deadline = UInt64(step * 337 % 500)
      identifiers[deadline] = queue.schedule(at: Instant(nanoseconds: deadline)) {
        fired.append(deadline)
      }
    }
    for deadline in stride(from: UInt64(3), to: 500, by: 7) {
      XCTAssertTrue(queue.cancel(identifiers[deadline]!))
    }
    XCTAssertFalse(queue.cancel(identifiers[3]!))
    while let action = queue.popDue(now: Instant(nanoseconds: 10_000)) { action() }
    let expected = (UInt64(0)..<500).filter { $0 < 3 || ($0 - 3) % 7 != 0 }
    XCTAssertEqual(fired, expected)
    XCTAssertEqual(queue.count, 0)
  }

  func testTimerQueueKeepsFutureTimers() {
    var queue = TimerQueue(capacity: 4)
    _ = queue.schedule(at: Instant(nanoseconds: 100)) {}
    XCTAssertNil(queue.popDue(now: Instant(nanoseconds: 99)))
    XCTAssertEqual(queue.earliestDeadline, Instant(nanoseconds: 100))
    XCTAssertNotNil(queue.popDue(now: Instant(nanoseconds: 100)))
  }

  func testClocksAdvance() {
    let first = MonotonicClock.now()
    let second = MonotonicClock.now()
    XCTAssertLessThanOrEqual(first, second)
    // Any real clock is past 2020-01-01 and before 2200.
    let wall = WallClock.now()
    XCTAssertGreaterThan(wall, UTCTime(millisecondsSinceEpoch: 1_577_836_800_000))
    XCTAssertLessThan(wall, UTCTime(millisecondsSinceEpoch: 7_258_118_400_000))
  }

  func testSystemErrorDescribesCallSubjectAndErrno() {
    let error = SystemError(call: "open", subject: "/no/such", errorNumber: ENOENT)
    XCTAssertEqual(error.message, "No such file or directory")
    XCTAssertEqual(error.description, "open(/no/such) failed: No such file or directory (errno 2)")
    let bare = SystemError(call: "epoll_wait", errorNumber: EINVAL)
    XCTAssertEqual(bare.description, "epoll_wait failed: Invalid argument (errno 22)")
  }
}

private final class EventRecorder: EventHandler {
  var events: [IOEvents] = []

  func handle(_ events: IOEvents) {
    self.events.append(events)
  }
}
