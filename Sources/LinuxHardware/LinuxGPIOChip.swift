import BoardSupport
import CLibgpiod
import Glibc
import HostPlatform
import Time

/// A GPIO chip reached through libgpiod 1.6 (`/dev/gpiochipN`), such as the Raspberry Pi's
/// gpiochip0, whose line offsets are the BCM GPIO numbers of the 40-pin header.
///
/// A configured line is requested from the kernel under the consumer name (shown by
/// `gpioinfo`) and held until it is configured again or the chip is released. Edge events are
/// polled: `nextEdgeEvent()` checks each line watching edges without blocking.
public final class LinuxGPIOChip: GPIOChip {
  /// The chip's device node, such as `/dev/gpiochip0`.
  public let path: String
  /// How many lines the chip has; valid offsets are `0..<lineCount`.
  public let lineCount: Int
  /// The last libgpiod call that failed, for logs; the `GPIOError`s thrown say less.
  public private(set) var lastFailure: SystemError?

  /// The name the kernel records as the user of this process's lines.
  private let consumer: String
  private let chip: OpaquePointer
  private var requestedLines: [Int: RequestedLine] = [:]

  /// A line this process holds, how it is configured, and an event read but not yet taken.
  private struct RequestedLine {
    var handle: OpaquePointer
    var configuration: GPIOLineConfiguration
    var pendingEvent: GPIOEdgeEvent?
  }

  /// Opens the chip called `name` in `/dev`, such as `gpiochip0` (what
  /// `gpiod_chip_open_by_name` does).
  public convenience init(name: String, consumer: String = "loam") throws(LinuxGPIOChipError) {
    try self.init(path: "/dev/" + name, consumer: consumer)
  }

  /// Opens the chip at `path`; lines requested later carry `consumer` as their user's name.
  public init(path: String, consumer: String = "loam") throws(LinuxGPIOChipError) {
    // gpiod_chip_open opens the node, checks in sysfs that it is a GPIO character device
    // (ENODEV or ENOTTY if not) and reads the chip's information; NULL and errno on failure.
    guard let chip = gpiod_chip_open(path) else {
      let error = SystemError.fromErrno("gpiod_chip_open", subject: path)
      switch error.errorNumber {
      case ENOENT: throw .chipMissing(path: path, error)
      case EACCES, EPERM: throw .permissionDenied(path: path, error)
      case ENODEV, ENOTTY: throw .notAGPIOChip(path: path, error)
      default: throw .failed(error)
      }
    }
    self.chip = chip
    self.path = path
    self.consumer = consumer
    self.lineCount = Int(gpiod_chip_num_lines(chip))
  }

  deinit {
    // gpiod_chip_close releases every line still requested, then closes the chip.
    gpiod_chip_close(chip)
  }

  /// Requests `line` for `configuration`, releasing this process's earlier request of it first.
  /// Throws `.lineBusy` if a kernel driver or another process holds the line.
  public func configure(line: Int, as configuration: GPIOLineConfiguration) throws(GPIOError) {
    guard (0..<lineCount).contains(line) else { throw .noSuchLine(line) }
    if let earlier = requestedLines.removeValue(forKey: line) {
      gpiod_line_release(earlier.handle)
    }
    // gpiod_chip_get_line returns the chip's own line object (freed with the chip), or NULL
    // with errno set, EINVAL for an offset past the chip's lines.
    guard let handle = gpiod_chip_get_line(chip, UInt32(line)) else {
      lastFailure = .fromErrno("gpiod_chip_get_line", subject: "\(path) line \(line)")
      throw .noSuchLine(line)
    }
    // Each gpiod_line_request_* call returns 0, or -1 with errno (EBUSY: held by someone else).
    let result: Int32
    switch configuration {
    case .input(.none): result = gpiod_line_request_input(handle, consumer)
    case .input(.rising): result = gpiod_line_request_rising_edge_events(handle, consumer)
    case .input(.falling): result = gpiod_line_request_falling_edge_events(handle, consumer)
    case .input(.both): result = gpiod_line_request_both_edges_events(handle, consumer)
    case .output(let initial):
      result = gpiod_line_request_output(handle, consumer, initial == .high ? 1 : 0)
    }
    guard result == 0 else { throw failure("gpiod_line_request", line: line) }
    requestedLines[line] = RequestedLine(
      handle: handle, configuration: configuration, pendingEvent: nil)
  }

  /// Drives output `line` to `level`.
  public func set(line: Int, to level: GPIOLevel) throws(GPIOError) {
    guard let requested = requestedLines[line], case .output = requested.configuration else {
      throw .wrongConfiguration(line)
    }
    // gpiod_line_set_value returns 0, or -1 with errno.
    guard gpiod_line_set_value(requested.handle, level == .high ? 1 : 0) == 0 else {
      throw failure("gpiod_line_set_value", line: line)
    }
  }

  /// The level of configured `line`: what an input reads, or what an output drives.
  public func level(of line: Int) throws(GPIOError) -> GPIOLevel {
    guard let requested = requestedLines[line] else { throw .wrongConfiguration(line) }
    // gpiod_line_get_value returns 0 or 1, or -1 with errno.
    let value = gpiod_line_get_value(requested.handle)
    guard value >= 0 else { throw failure("gpiod_line_get_value", line: line) }
    return value == 0 ? .low : .high
  }

  /// The earliest edge event waiting on any line, or nil when none is. At most one event per
  /// line is read ahead, so events come out in time order across lines and each line's kernel
  /// queue keeps the rest.
  public func nextEdgeEvent() -> GPIOEdgeEvent? {
    for line in requestedLines.keys.sorted() {
      guard case .input(let edges) = requestedLines[line]!.configuration, edges != .none,
        requestedLines[line]!.pendingEvent == nil
      else { continue }
      requestedLines[line]!.pendingEvent = readEventIfWaiting(on: line)
    }
    let earliest = requestedLines.compactMap { $0.value.pendingEvent }.min { first, second in
      (first.time, first.line) < (second.time, second.line)
    }
    if let earliest { requestedLines[earliest.line]!.pendingEvent = nil }
    return earliest
  }

  /// The next event queued on `line`, without blocking when there is none.
  private func readEventIfWaiting(on line: Int) -> GPIOEdgeEvent? {
    let handle = requestedLines[line]!.handle
    // gpiod_line_event_wait polls the line's event descriptor for at most `timeout` and returns
    // 1 if an event is queued, 0 if not, -1 on error; a zero timeout makes it a check.
    var timeout = timespec(tv_sec: 0, tv_nsec: 0)
    let waiting = gpiod_line_event_wait(handle, &timeout)
    guard waiting == 1 else {
      if waiting < 0 { lastFailure = .fromErrno("gpiod_line_event_wait", subject: path) }
      return nil
    }
    // gpiod_line_event_read blocks until an event is queued, which the check above ensures.
    var event = gpiod_line_event()
    guard gpiod_line_event_read(handle, &event) == 0 else {
      lastFailure = .fromErrno("gpiod_line_event_read", subject: path)
      return nil
    }
    // The kernel stamps line events with CLOCK_MONOTONIC (since Linux 5.7), the clock of
    // HostPlatform's MonotonicClock and so of every Instant a process sees.
    let nanoseconds = UInt64(event.ts.tv_sec) * 1_000_000_000 + UInt64(event.ts.tv_nsec)
    let isRising = event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE)
    return GPIOEdgeEvent(
      line: line, level: isRising ? .high : .low, time: Instant(nanoseconds: nanoseconds))
  }

  /// Records the errno of the libgpiod `call` that failed on `line` and returns the
  /// `GPIOError` it stands for: EBUSY is a line someone else holds; anything else (ENODEV for a
  /// chip that went away, EIO) leaves the chip unusable as far as a driver can tell.
  private func failure(_ call: String, line: Int) -> GPIOError {
    let error = SystemError.fromErrno(call, subject: "\(path) line \(line)")
    lastFailure = error
    return error.errorNumber == EBUSY ? .lineBusy(line) : .chipAbsent
  }
}
