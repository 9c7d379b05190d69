import Glibc
import Randomness
import Time

/// A bad wire, on purpose and for testing: how an `ImpairedFrameDevice` loses, delays and
/// reorders frames, parsed from `loss:0.05,delay:20ms,jitter:5ms,reorder:0.1,seed:7,limit:1024`
/// (every setting optional, in any order).
///
/// Each frame, in each direction on its own, is lost with probability `loss`; a frame that
/// survives is held for `delay` plus a uniform amount in `-jitter...jitter` (never less than
/// nothing), except that with probability `reorder` it goes at once, overtaking the frames
/// still held. That is Linux netem's model (`netem loss 5% delay 20ms reorder 10%`), so a test
/// can do on our side what netem would do on the kernel's where the kernel has no netem.
public struct FrameImpairment: Equatable, Sendable, CustomStringConvertible {
  /// The most frames a direction may hold at once, as `limit:` allows it.
  public static let maximumLimit = 65_536
  /// The longest `delay:` or `jitter:` accepted.
  public static let maximumDelay = Duration.seconds(10)

  /// The chance, from 0 to 1, that a frame is lost.
  public var loss: Double = 0
  /// How long a frame is held.
  public var delay: Duration = .zero
  /// The most by which a frame's hold may be shorter or longer than `delay`.
  public var jitter: Duration = .zero
  /// The chance, from 0 to 1, that a frame that would be held goes at once instead.
  public var reorder: Double = 0
  /// Fixes every decision: the n-th frame in a direction meets the same fate run after run.
  public var seed: UInt64 = 1
  /// The most frames a direction holds (waiting out their delay, or read but not yet taken);
  /// more are dropped and counted.
  public var limit = 1024

  /// No impairment at all: every frame passes at once.
  public init() {}

  /// Parses `name:value` settings separated by commas: `loss` and `reorder` as a fraction
  /// (`0.05`) or a percentage (`5%`), `delay` and `jitter` in `s`, `ms` or `us`, `seed` and
  /// `limit` as whole numbers.
  public init(parsing text: String) throws(FrameImpairmentError) {
    for setting in text.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = setting.split(separator: ":", maxSplits: 1).map(String.init)
      guard parts.count == 2 else {
        throw .invalid("'\(setting)' is not name:value")
      }
      let (name, value) = (parts[0], parts[1])
      switch name {
      case "loss": loss = try Self.probability(value, name)
      case "reorder": reorder = try Self.probability(value, name)
      case "delay": delay = try Self.duration(value, name)
      case "jitter": jitter = try Self.duration(value, name)
      case "seed":
        guard let parsed = UInt64(value) else { throw .invalid("seed takes a whole number") }
        seed = parsed
      case "limit":
        guard let parsed = Int(value), (1...Self.maximumLimit).contains(parsed) else {
          throw .invalid("limit takes a number of frames from 1 to \(Self.maximumLimit)")
        }
        limit = parsed
      default:
        throw .invalid("unknown setting '\(name)' (loss, delay, jitter, reorder, seed, limit)")
      }
    }
  }

  public var description: String {
    "loss \(loss * 100)%, delay \(delay.millisecondsClamped) ms ± \(jitter.millisecondsClamped) ms"
      + ", reorder \(reorder * 100)%, seed \(seed), limit \(limit) frames"
  }

  private static func probability(
    _ text: String, _ name: String
  ) throws(FrameImpairmentError) -> Double {
    let isPercentage = text.hasSuffix("%")
    let number = Double(isPercentage ? String(text.dropLast()) : text)
    guard let number, number.isFinite else {
      throw .invalid("\(name) takes a fraction such as 0.05 or a percentage such as 5%")
    }
    let fraction = isPercentage ? number / 100 : number
    guard (0...1).contains(fraction) else { throw .invalid("\(name) must lie in 0...1") }
    return fraction
  }

  private static func duration(
    _ text: String, _ name: String
  ) throws(FrameImpairmentError) -> Duration {
    let units: [(suffix: String, nanoseconds: Double)] = [("us", 1e3), ("ms", 1e6), ("s", 1e9)]
    for unit in units where text.hasSuffix(unit.suffix) {
      guard let number = Double(text.dropLast(unit.suffix.count)), number >= 0,
        number * unit.nanoseconds <= Double(maximumDelay.nanosecondsClamped)
      else { break }
      return .nanoseconds(Int64(number * unit.nanoseconds))
    }
    throw .invalid("\(name) takes a time up to \(maximumDelay), such as 20ms, 500us or 1s")
  }
}

/// An impairment setting that does not parse: what is wrong with it.
public enum FrameImpairmentError: Error, Equatable, CustomStringConvertible {
  /// The reason, in terms of the syntax.
  case invalid(String)

  public var description: String {
    switch self {
    case .invalid(let reason): return reason
    }
  }
}

/// A `FrameDevice` that passes frames through another one across a bad wire, for testing: it
/// loses, delays and reorders them as a `FrameImpairment` says, in both directions, so that the
/// peer's TCP and ours both meet loss, delay and reordering.
///
/// Design. Frames the stack writes are decided on at once: lost, written through, or held
/// and written by a timer on the loop when their time comes. Frames for the stack cannot be
/// held in the inner device (it is a queue the wrapper cannot look into), so the wrapper takes
/// them out as soon as they arrive: it registers the inner device's descriptor with the loop
/// itself and moves every frame into its delay queue (or loses it). A timer per held frame
/// moves it, when due, to a ready queue and signals a pipe (one byte when the queue stops being
/// empty; Swift's Glibc module has no `eventfd`). The pipe's read end is this device's
/// `fileDescriptor`: the stack watches it like any device and calls `readFrame()` until nil,
/// which takes frames from the ready queue and, once it is empty, empties the pipe.
///
/// Both directions are bounded by `limit` frames held (the inbound bound includes the ready
/// queue); frames beyond it are dropped and counted, as a full device queue would.
/// Everything runs on the loop's thread.
public final class ImpairedFrameDevice: FrameDevice {
  /// What happened to the frames of one direction.
  public struct DirectionCounters: Equatable, Sendable, CustomStringConvertible {
    /// Frames handed on (written to the inner device, or read by the stack).
    public var passed = 0
    /// Frames lost by chance.
    public var lost = 0
    /// Frames that went at once, overtaking held ones.
    public var reordered = 0
    /// Frames dropped because `limit` frames were already held.
    public var overflowed = 0
    /// Frames the inner device refused, or read errors from it.
    public var failed = 0

    public var description: String {
      "\(passed) passed, \(lost) lost, \(reordered) reordered, \(overflowed) overflowed"
        + ", \(failed) failed"
    }
  }

  /// Frames the stack wrote, towards the wire.
  public private(set) var outbound = DirectionCounters()
  /// Frames from the wire, towards the stack.
  public private(set) var inbound = DirectionCounters()
  /// The impairment applied.
  public let impairment: FrameImpairment
  /// The signal pipe's read end, readable while a frame is ready for `readFrame()`; -1 after
  /// `close()`.
  public private(set) var fileDescriptor: Int32

  /// The most frames taken from the inner device per readiness event; the loop reports it
  /// again if more wait.
  private static let framesPerEvent = 64

  private let inner: FrameDevice
  /// The signal pipe's write end.
  private var signalDescriptor: Int32
  private let loop: EventLoop
  private var outboundRandom: SeededRandom
  private var inboundRandom: SeededRandom
  private var outboundHeld = 0
  private var inboundHeld = 0
  /// Inbound frames whose time has come, oldest first, from `readyStart` on.
  private var ready: [[UInt8]] = []
  private var readyStart = 0
  private var innerHandler: ClosureEventHandler?

  /// Wraps `inner`, taking over its reading: from now on only this device may be used. Timers
  /// and the inner descriptor's registration live on `loop`.
  public init(
    wrapping inner: FrameDevice, impairment: FrameImpairment, loop: EventLoop
  ) throws(SystemError) {
    self.inner = inner
    self.impairment = impairment
    self.loop = loop
    outboundRandom = SeededRandom(seed: impairment.seed)
    // A different stream per direction, so one direction's traffic does not shift the other's.
    inboundRandom = SeededRandom(seed: impairment.seed ^ 0x1B87_3593_C2B2_AE35)
    (fileDescriptor, signalDescriptor) = try Self.makeSignalPipe()
    let handler = ClosureEventHandler { [unowned self] _ in takeArrivedFrames() }
    try loop.register(fileDescriptor: inner.fileDescriptor, interest: .readable, handler: handler)
    innerHandler = handler  // only now, so that `close()` deregisters only what was registered
  }

  deinit {
    close()
  }

  /// The next frame whose time has come, or nil if none is.
  public func readFrame() throws(SystemError) -> [UInt8]? {
    guard readyStart < ready.count else {
      clearSignal()
      return nil
    }
    let frame = ready[readyStart]
    ready[readyStart] = []
    readyStart += 1
    if readyStart == ready.count {
      ready.removeAll(keepingCapacity: true)
      readyStart = 0
    }
    inboundHeld -= 1
    inbound.passed += 1
    return frame
  }

  /// Loses, holds or writes `frame`. A frame written at once that the inner device refuses
  /// throws its error; a held one is only counted, since the caller has long moved on.
  public func writeFrame(_ frame: [UInt8]) throws(SystemError) {
    guard fileDescriptor >= 0 else { throw SystemError(call: "write", errorNumber: EBADF) }
    guard let hold = decide(&outbound, &outboundRandom, held: outboundHeld) else { return }
    guard hold > .zero else {
      do {
        try inner.writeFrame(frame)
      } catch {
        outbound.failed += 1
        throw error
      }
      outbound.passed += 1
      return
    }
    outboundHeld += 1
    loop.schedule(at: MonotonicClock.now() + hold) { [weak self] in
      self?.writeHeldFrame(frame)
    }
  }

  /// Closes the inner device and the pipe; frames still held are gone. Safe to call twice.
  public func close() {
    guard fileDescriptor >= 0 else { return }
    if innerHandler != nil { try? loop.deregister(fileDescriptor: inner.fileDescriptor) }
    innerHandler = nil
    inner.close()
    Glibc.close(fileDescriptor)
    Glibc.close(signalDescriptor)
    fileDescriptor = -1
    signalDescriptor = -1
    ready = []
    readyStart = 0
  }

  /// For a frame in one direction: nil if it is lost or there is no room, else how long to
  /// hold it (zero: pass it at once).
  private func decide(
    _ counters: inout DirectionCounters, _ random: inout SeededRandom, held: Int
  ) -> Duration? {
    if impairment.loss > 0, random.chance(impairment.loss) {
      counters.lost += 1
      return nil
    }
    guard held < impairment.limit else {
      counters.overflowed += 1
      return nil
    }
    guard impairment.delay > .zero || impairment.jitter > .zero else { return .zero }
    if impairment.reorder > 0, random.chance(impairment.reorder) {
      counters.reordered += 1
      return .zero
    }
    guard impairment.jitter > .zero else { return impairment.delay }
    let span = UInt64(impairment.jitter.nanosecondsClamped) * 2 + 1
    let offset = Int64(random.next(below: span)) - impairment.jitter.nanosecondsClamped
    return .nanoseconds(max(0, impairment.delay.nanosecondsClamped + offset))
  }

  private func writeHeldFrame(_ frame: [UInt8]) {
    outboundHeld -= 1
    guard fileDescriptor >= 0 else { return }
    do {
      try inner.writeFrame(frame)
      outbound.passed += 1
    } catch {
      outbound.failed += 1
    }
  }

  /// Takes what the inner device has (a bounded number per event) into the delay queue.
  private func takeArrivedFrames() {
    for _ in 0..<Self.framesPerEvent {
      let frame: [UInt8]?
      do {
        frame = try inner.readFrame()
      } catch {
        inbound.failed += 1
        return
      }
      guard let frame else { return }
      guard let hold = decide(&inbound, &inboundRandom, held: inboundHeld) else { continue }
      inboundHeld += 1
      guard hold > .zero else {
        makeReady(frame)
        continue
      }
      loop.schedule(at: MonotonicClock.now() + hold) { [weak self] in self?.makeReady(frame) }
    }
  }

  /// Puts an inbound frame whose time has come where `readFrame()` finds it.
  private func makeReady(_ frame: [UInt8]) {
    guard fileDescriptor >= 0 else { return }
    if readyStart == ready.count { signal() }
    ready.append(frame)
  }

  /// Makes the pipe readable. At most one byte is ever in it: one is written only when the
  /// ready queue stops being empty, and the pipe is emptied whenever the queue is found empty.
  private func signal() {
    var byte: UInt8 = 1
    let written = retryingOnInterrupt { write(signalDescriptor, &byte, 1) }
    assert(written == 1, "a pipe holding at most one byte takes another")
  }

  private func clearSignal() {
    var bytes: (UInt64, UInt64) = (0, 0)
    _ = withUnsafeMutableBytes(of: &bytes) { buffer in
      retryingOnInterrupt { read(fileDescriptor, buffer.baseAddress!, buffer.count) }
    }
  }

  /// A pipe whose ends are both non-blocking and closed on exec: (read end, write end).
  private static func makeSignalPipe() throws(SystemError) -> (Int32, Int32) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw .fromErrno("pipe") }
    for end in ends {
      guard fcntl(end, F_SETFL, O_NONBLOCK) == 0, fcntl(end, F_SETFD, FD_CLOEXEC) == 0 else {
        let error = SystemError.fromErrno("fcntl", subject: "signal pipe")
        for end in ends { Glibc.close(end) }
        throw error
      }
    }
    return (ends[0], ends[1])
  }
}
