import Glibc
import Net
import Time
import XCTest

@testable import HostPlatform

/// `ImpairedFrameDevice` over an in-memory wire (a datagram socket pair): the frames the stack
/// would write and read are numbered, and the far end of the pair plays the peer.
final class ImpairedFrameDeviceTests: XCTestCase {
  // MARK: Parsing

  func testParsesEverySettingAsNetemWouldSayIt() throws {
    let parsed = try FrameImpairment(
      parsing: "loss:5%,delay:20ms,jitter:500us,reorder:0.1,seed:42,limit:64")
    var expected = FrameImpairment()
    expected.loss = 0.05
    expected.delay = .milliseconds(20)
    expected.jitter = .microseconds(500)
    expected.reorder = 0.1
    expected.seed = 42
    expected.limit = 64
    XCTAssertEqual(parsed, expected)
    XCTAssertEqual(try FrameImpairment(parsing: "delay:1s").delay, .seconds(1))
  }

  func testRejectsBadSettingsWithTheReason() {
    let cases: [(String, String)] = [
      ("loss:1.5", "loss must lie in 0...1"),
      ("loss:often", "loss takes a fraction"),
      ("delay:20", "delay takes a time"),
      ("delay:11s", "delay takes a time"),
      ("limit:0", "limit takes a number"),
      ("speed:fast", "unknown setting 'speed'"),
      ("loss", "'loss' is not name:value"),
    ]
    for (text, reason) in cases {
      XCTAssertThrowsError(try FrameImpairment(parsing: text), text) { error in
        XCTAssertTrue("\(error)".contains(reason), "\(text): \(error)")
      }
    }
  }

  func testTheAttachmentTakesImpairAsItsLastSettingWithItsCommas() throws {
    let attachment = try NetworkAttachment(
      parsing: "tap:loamtap9,ip=192.0.2.2/24,impair=loss:0.05,delay:20ms,reorder:0.1,seed:3")
    XCTAssertEqual(attachment.impairment?.loss, 0.05)
    XCTAssertEqual(attachment.impairment?.delay, .milliseconds(20))
    XCTAssertEqual(attachment.impairment?.reorder, 0.1)
    XCTAssertEqual(attachment.impairment?.seed, 3)
    XCTAssertNil(try NetworkAttachment(parsing: "tap:loamtap9,dhcp").impairment)
    // A setting with `=` ends the impairment's settings.
    let dhcp = try NetworkAttachment(parsing: "tap:loamtap9,impair=delay:5ms,dhcp")
    XCTAssertTrue(dhcp.usesDHCP)
    XCTAssertThrowsError(try NetworkAttachment(parsing: "tap:loamtap9,dhcp,impair=loss:2")) {
      XCTAssertTrue("\($0)".contains("impair=: loss must lie in 0...1"), "\($0)")
    }
  }

  // MARK: Scheduling

  func testWithoutImpairmentFramesPassAtOnceBothWays() throws {
    let setup = try Setup(FrameImpairment())
    for index in 0..<10 { try setup.device.writeFrame(frame(index)) }
    XCTAssertEqual(setup.peer.receiveAll(), (0..<10).map(frame))
    for index in 0..<10 { setup.peer.send(frame(index)) }
    try setup.loop.run(until: { setup.reader.frames.count == 10 })
    XCTAssertEqual(setup.reader.frames, (0..<10).map(frame))
    XCTAssertEqual(setup.device.outbound.passed, 10)
    XCTAssertEqual(setup.device.inbound.passed, 10)
  }

  func testDelayHoldsFramesBothWaysInOrder() throws {
    var impairment = FrameImpairment()
    impairment.delay = .milliseconds(40)
    let setup = try Setup(impairment)
    let start = MonotonicClock.now()
    for index in 0..<5 {
      try setup.device.writeFrame(frame(index))
      setup.peer.send(frame(100 + index))
    }
    XCTAssertEqual(setup.peer.receiveAll(), [], "nothing leaves before its time")
    var outbound: [[UInt8]] = []
    try setup.loop.run(until: {
      outbound += setup.peer.receiveAll()
      return outbound.count == 5 && setup.reader.frames.count == 5
    })
    XCTAssertGreaterThanOrEqual(
      MonotonicClock.now().duration(since: start), .milliseconds(40))
    XCTAssertEqual(outbound, (0..<5).map(frame))
    XCTAssertEqual(setup.reader.frames, (100..<105).map(frame))
    let firstRead = try XCTUnwrap(setup.reader.firstReadAt)
    XCTAssertGreaterThanOrEqual(firstRead.duration(since: start), .milliseconds(40))
  }

  func testLossIsFixedByTheSeedAndCounted() throws {
    var impairment = FrameImpairment()
    impairment.loss = 0.3
    impairment.seed = 7
    func survivors() throws -> [[UInt8]] {
      let setup = try Setup(impairment)
      for index in 0..<100 { try setup.device.writeFrame(frame(index)) }
      let arrived = setup.peer.receiveAll()
      XCTAssertEqual(setup.device.outbound.lost + setup.device.outbound.passed, 100)
      XCTAssertEqual(arrived.count, setup.device.outbound.passed)
      return arrived
    }
    let first = try survivors()
    XCTAssertTrue((50...90).contains(first.count), "\(first.count) of 100 survived 30% loss")
    XCTAssertEqual(try survivors(), first, "the same seed loses the same frames")
    impairment.seed = 8
    XCTAssertNotEqual(try survivors(), first, "another seed loses others")
  }

  func testReorderedFramesOvertakeTheHeldOnes() throws {
    var impairment = FrameImpairment()
    impairment.delay = .milliseconds(30)
    impairment.reorder = 0.4
    let setup = try Setup(impairment)
    for index in 0..<30 { try setup.device.writeFrame(frame(index)) }
    let early = setup.peer.receiveAll()
    var late: [[UInt8]] = []
    try setup.loop.run(until: {
      late += setup.peer.receiveAll()
      return early.count + late.count == 30
    })
    XCTAssertEqual(early.count, setup.device.outbound.reordered)
    XCTAssertTrue((4...20).contains(early.count), "\(early.count) of 30 reordered at 40%")
    // Each part keeps its own order; together they hold every frame once.
    XCTAssertEqual(early, early.sorted { $0[0] < $1[0] })
    XCTAssertEqual(late, late.sorted { $0[0] < $1[0] })
    XCTAssertEqual((early + late).sorted { $0[0] < $1[0] }, (0..<30).map(frame))
  }

  func testAFullDelayQueueDropsAndCounts() throws {
    var impairment = FrameImpairment()
    impairment.delay = .milliseconds(20)
    impairment.limit = 4
    let setup = try Setup(impairment)
    for index in 0..<10 {
      try setup.device.writeFrame(frame(index))
      setup.peer.send(frame(100 + index))
    }
    var outbound: [[UInt8]] = []
    try setup.loop.run(until: {
      outbound += setup.peer.receiveAll()
      return outbound.count == 4 && setup.reader.frames.count == 4
    })
    XCTAssertEqual(outbound, (0..<4).map(frame))
    XCTAssertEqual(setup.reader.frames, (100..<104).map(frame))
    XCTAssertEqual(setup.device.outbound.overflowed, 6)
    XCTAssertEqual(setup.device.inbound.overflowed, 6)
  }

  func testClosingDropsHeldFramesAndLeavesTimersHarmless() throws {
    var impairment = FrameImpairment()
    impairment.delay = .milliseconds(10)
    let setup = try Setup(impairment)
    try setup.device.writeFrame(frame(1))
    setup.reader.stop()
    setup.device.close()
    setup.device.close()
    XCTAssertEqual(setup.device.fileDescriptor, -1)
    let until = MonotonicClock.now() + .milliseconds(40)
    try setup.loop.run(until: { MonotonicClock.now() >= until })
    XCTAssertEqual(setup.device.outbound.passed, 0)
    XCTAssertThrowsError(try setup.device.writeFrame(frame(2)))
  }
}

/// Frame `index`: 20 bytes, the first of them the index.
private func frame(_ index: Int) -> [UInt8] {
  [UInt8(index)] + [UInt8](repeating: 0xAB, count: 19)
}

/// A loop, an impaired device over one end of a datagram socket pair, the pair's other end as
/// the peer, and a reader that takes frames the way `NetworkStack` does.
private struct Setup {
  let loop: EventLoop
  let device: ImpairedFrameDevice
  let peer: WireEnd
  let reader: Reader

  init(_ impairment: FrameImpairment) throws {
    var ends: [Int32] = [-1, -1]
    let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
    guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { throw SystemError.fromErrno("pair") }
    loop = try EventLoop()
    device = try ImpairedFrameDevice(
      wrapping: WireEnd(ends[0]), impairment: impairment, loop: loop)
    peer = WireEnd(ends[1])
    reader = try Reader(device: device, loop: loop)
  }
}

/// Reads the device whenever its descriptor is readable, until `readFrame()` returns nil.
private final class Reader {
  let device: ImpairedFrameDevice
  let loop: EventLoop
  var frames: [[UInt8]] = []
  var firstReadAt: Instant?
  private var handler: ClosureEventHandler?

  init(device: ImpairedFrameDevice, loop: EventLoop) throws {
    self.device = device
    self.loop = loop
    let handler = ClosureEventHandler { [unowned self] _ in readAll() }
    self.handler = handler
    try loop.register(fileDescriptor: device.fileDescriptor, interest: .readable, handler: handler)
  }

  func stop() {
    guard handler != nil else { return }
    try? loop.deregister(fileDescriptor: device.fileDescriptor)
    handler = nil
  }

  private func readAll() {
    while let frame = try? device.readFrame() {
      if firstReadAt == nil { firstReadAt = MonotonicClock.now() }
      frames.append(frame)
    }
  }
}

/// One end of a datagram socket pair as a `FrameDevice` (and as the test's peer).
private final class WireEnd: FrameDevice {
  private(set) var fileDescriptor: Int32

  init(_ descriptor: Int32) {
    fileDescriptor = descriptor
  }

  deinit {
    close()
  }

  func readFrame() throws(SystemError) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: 2048)
    let count = buffer.withUnsafeMutableBytes { recv(fileDescriptor, $0.baseAddress, 2048, 0) }
    guard count >= 0 else {
      if errno == EAGAIN { return nil }
      throw .fromErrno("recv")
    }
    return Array(buffer[0..<count])
  }

  func writeFrame(_ frame: [UInt8]) throws(SystemError) {
    let count = frame.withUnsafeBytes { Glibc.send(fileDescriptor, $0.baseAddress, $0.count, 0) }
    guard count == frame.count else { throw .fromErrno("send") }
  }

  func close() {
    guard fileDescriptor >= 0 else { return }
    Glibc.close(fileDescriptor)
    fileDescriptor = -1
  }

  /// Sends a frame as the peer.
  func send(_ frame: [UInt8]) {
    XCTAssertNoThrow(try writeFrame(frame))
  }

  /// Every frame waiting for the peer now.
  func receiveAll() -> [[UInt8]] {
    var frames: [[UInt8]] = []
    while let frame = try? readFrame() { frames.append(frame) }
    return frames
  }
}
