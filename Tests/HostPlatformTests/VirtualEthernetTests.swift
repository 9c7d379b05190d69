import Foundation
import Glibc
import Net
import Time
import XCTest

@testable import HostPlatform

final class EthernetSwitchTableTests: XCTestCase {
  private let stationA = MACAddress(0x02, 0, 0, 0, 0, 0x0A)
  private let stationB = MACAddress(0x02, 0, 0, 0, 0, 0x0B)
  private let stationC = MACAddress(0x02, 0, 0, 0, 0, 0x0C)
  private let start = Instant(nanoseconds: 1_000_000_000)

  func testUnknownDestinationsFloodAndLearnedOnesAreForwarded() {
    var table = EthernetSwitchTable<Int>()
    XCTAssertEqual(
      table.decide(source: stationA, destination: stationB, ingress: 1, now: start),
      .flood(except: 1))
    XCTAssertEqual(table.port(for: stationA, now: start), 1)
    XCTAssertEqual(
      table.decide(source: stationB, destination: stationA, ingress: 2, now: start),
      .forward(to: 1))
    XCTAssertEqual(
      table.decide(source: stationA, destination: stationB, ingress: 1, now: start),
      .forward(to: 2))
  }

  func testBroadcastAndMulticastAlwaysFlood() {
    var table = EthernetSwitchTable<Int>()
    _ = table.decide(source: stationB, destination: stationA, ingress: 2, now: start)
    let multicast = MACAddress(0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB)
    XCTAssertEqual(
      table.decide(source: stationA, destination: .broadcast, ingress: 1, now: start),
      .flood(except: 1))
    XCTAssertEqual(
      table.decide(source: stationA, destination: multicast, ingress: 1, now: start),
      .flood(except: 1))
  }

  func testNothingGoesBackOutOfTheIngressPortAndGroupSourcesAreRefused() {
    var table = EthernetSwitchTable<Int>()
    _ = table.decide(source: stationB, destination: .broadcast, ingress: 1, now: start)
    XCTAssertEqual(
      table.decide(source: stationA, destination: stationB, ingress: 1, now: start),
      .filter(.destinationOnIngressPort))
    XCTAssertEqual(
      table.decide(source: .broadcast, destination: stationA, ingress: 2, now: start),
      .filter(.groupSourceAddress))
    XCTAssertNil(table.port(for: .broadcast, now: start))
  }

  func testAStationThatMovesIsRelearnedOnItsNewPort() {
    var table = EthernetSwitchTable<Int>()
    _ = table.decide(source: stationA, destination: .broadcast, ingress: 1, now: start)
    _ = table.decide(source: stationA, destination: .broadcast, ingress: 3, now: start)
    XCTAssertEqual(table.port(for: stationA, now: start), 3)
    XCTAssertEqual(table.count, 1)
  }

  func testEntriesAgeOutAfterTheAgingTime() {
    var table = EthernetSwitchTable<Int>(agingTime: .seconds(300))
    _ = table.decide(source: stationA, destination: .broadcast, ingress: 1, now: start)
    XCTAssertEqual(table.port(for: stationA, now: start + .seconds(299)), 1)
    XCTAssertNil(table.port(for: stationA, now: start + .seconds(300)))
    XCTAssertEqual(
      table.decide(source: stationB, destination: stationA, ingress: 2, now: start + .seconds(300)),
      .flood(except: 2))
    table.removeExpired(now: start + .seconds(300))
    XCTAssertEqual(table.count, 1, "only B, just learned, is left")
  }

  func testAFullTableKeepsItsStationsAndFloodsToNewOnesUntilEntriesExpire() {
    var table = EthernetSwitchTable<Int>(capacity: 2, agingTime: .seconds(300))
    _ = table.decide(source: stationA, destination: .broadcast, ingress: 1, now: start)
    _ = table.decide(source: stationB, destination: .broadcast, ingress: 2, now: start)
    _ = table.decide(source: stationC, destination: .broadcast, ingress: 3, now: start)
    XCTAssertEqual(table.count, 2)
    XCTAssertEqual(table.learningRefusedTotal, 1)
    XCTAssertNil(table.port(for: stationC, now: start))
    XCTAssertEqual(
      table.decide(source: stationA, destination: stationC, ingress: 1, now: start),
      .flood(except: 1))
    // Once A and B have aged out, C finds room.
    let later = start + .seconds(301)
    _ = table.decide(source: stationC, destination: .broadcast, ingress: 3, now: later)
    XCTAssertEqual(table.port(for: stationC, now: later), 3)
    XCTAssertEqual(table.count, 1)
  }

  func testForgettingAPortForgetsItsStations() {
    var table = EthernetSwitchTable<Int>()
    _ = table.decide(source: stationA, destination: .broadcast, ingress: 1, now: start)
    _ = table.decide(source: stationB, destination: .broadcast, ingress: 2, now: start)
    table.forget(port: 1)
    XCTAssertNil(table.port(for: stationA, now: start))
    XCTAssertEqual(table.port(for: stationB, now: start), 2)
  }

  func testTheStreamReaderReassemblesFramesFromAnyPieces() throws {
    var reader = LengthPrefixedFrameReader(maximumFrameLength: 100)
    let stream: [UInt8] = [0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 2, 9, 8]
    for byte in stream.prefix(5) { reader.append([byte]) }
    XCTAssertNil(try reader.nextFrame())
    reader.append(stream[5...])
    XCTAssertEqual(try reader.nextFrame(), [1, 2, 3])
    XCTAssertEqual(try reader.nextFrame(), [9, 8])
    XCTAssertNil(try reader.nextFrame())
    reader.append([0, 0, 0, 101])
    XCTAssertThrowsError(try reader.nextFrame()) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EPROTO)
    }
  }
}

final class VirtualEthernetTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    var template = Array("/tmp/loam-vether-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    XCTAssertNotNil(made)
    directory = String(
      decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  override func tearDown() {
    _ = try? FileManager.default.removeItem(atPath: directory)
  }

  private func frame(from source: UInt8, to destination: MACAddress, tag: UInt8) -> [UInt8] {
    var bytes = destination.array + [0x02, 0, 0, 0, 0, source] + [0x88, 0xB5]
    bytes += [UInt8](repeating: tag, count: 46)
    return bytes
  }

  private func mac(_ last: UInt8) -> MACAddress { MACAddress(0x02, 0, 0, 0, 0, last) }

  /// Runs the loop for a while, then takes every frame waiting at each of `ports`.
  private func drain(
    _ loop: EventLoop, _ ports: [VirtualEthernetPort]
  ) throws -> [[[UInt8]]] {
    var received = [[[UInt8]]](repeating: [], count: ports.count)
    // Frames travel through the switch within one loop iteration or two; give them 50 ms.
    let deadline = MonotonicClock.now() + .milliseconds(50)
    try loop.run(until: { MonotonicClock.now() >= deadline })
    for (index, port) in ports.enumerated() {
      while let frame = try port.readFrame() { received[index].append(frame) }
    }
    return received
  }

  func testBroadcastReachesEveryOtherPortAndUnicastOnlyItsStation() throws {
    let loop = try EventLoop()
    let segment = try VirtualEthernetSwitch(loop: loop, socketPath: "\(directory)/switch.sock")
    let ports = try (0..<3).map { _ in
      try VirtualEthernetPort(switchPath: "\(directory)/switch.sock")
    }
    let (a, b) = (ports[0], ports[1])

    let hello = frame(from: 0x0A, to: .broadcast, tag: 1)
    try a.writeFrame(hello)
    var received = try drain(loop, ports)
    XCTAssertEqual(received[0], [], "nothing goes back to the sender")
    XCTAssertEqual(received[1], [hello])
    XCTAssertEqual(received[2], [hello])

    let answer = frame(from: 0x0B, to: mac(0x0A), tag: 3)
    try b.writeFrame(answer)
    let unicast = frame(from: 0x0A, to: mac(0x0B), tag: 4)
    try a.writeFrame(unicast)
    received = try drain(loop, ports)
    XCTAssertEqual(received[0], [answer])
    XCTAssertEqual(received[1], [unicast])
    XCTAssertEqual(received[2], [], "a learned unicast is not flooded")
    XCTAssertEqual(segment.counters.framesForwarded, 2)
    XCTAssertEqual(segment.counters.framesFlooded, 1)
    XCTAssertEqual(segment.portCount, 3)
    XCTAssertEqual(segment.table.port(for: mac(0x0B), now: loop.now), 2)
  }

  func testAPortWhoseSocketVanishedIsForgottenAndTheSwitchCarriesOn() throws {
    let loop = try EventLoop()
    let segment = try VirtualEthernetSwitch(loop: loop, socketPath: "\(directory)/switch.sock")
    let a = try VirtualEthernetPort(switchPath: segment.socketPath)
    let b = try VirtualEthernetPort(switchPath: segment.socketPath)
    let c = try VirtualEthernetPort(switchPath: segment.socketPath)
    try b.writeFrame(frame(from: 0x0B, to: .broadcast, tag: 1))
    try c.writeFrame(frame(from: 0x0C, to: .broadcast, tag: 1))
    _ = try drain(loop, [a, b, c])
    c.close()  // its socket file is removed: the switch's send gets ENOENT

    try a.writeFrame(frame(from: 0x0A, to: mac(0x0C), tag: 2))
    try a.writeFrame(frame(from: 0x0A, to: .broadcast, tag: 3))
    let received = try drain(loop, [a, b])
    XCTAssertEqual(received[1].map { $0[14] }, [3])
    XCTAssertEqual(segment.counters.droppedPortGone, 1)
    XCTAssertEqual(segment.counters.portsLeft, 1)
    XCTAssertEqual(segment.portCount, 2)
    XCTAssertNil(segment.table.port(for: mac(0x0C), now: loop.now))
  }

  func testWithoutASwitchSendingFailsClearlyAndRecoversWhenOneStarts() throws {
    let port = try VirtualEthernetPort(switchPath: "\(directory)/switch.sock")
    let hello = frame(from: 0x0A, to: .broadcast, tag: 1)
    XCTAssertThrowsError(try port.writeFrame(hello)) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, ENOENT)
    }
    let loop = try EventLoop()
    let segment = try VirtualEthernetSwitch(loop: loop, socketPath: "\(directory)/switch.sock")
    try port.writeFrame(hello)
    _ = try drain(loop, [port])
    XCTAssertEqual(segment.counters.framesIn, 1)
  }

  func testOversizedAndRuntFramesAreRefusedClearly() throws {
    let loop = try EventLoop()
    let segment = try VirtualEthernetSwitch(loop: loop, socketPath: "\(directory)/switch.sock")
    let port = try VirtualEthernetPort(switchPath: segment.socketPath)
    let tooLong = [UInt8](repeating: 0xFF, count: VirtualEthernetPort.maximumFrameLength + 1)
    XCTAssertThrowsError(try port.writeFrame(tooLong)) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EMSGSIZE)
    }
    XCTAssertThrowsError(try port.writeFrame([1, 2, 3])) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EINVAL)
    }
    let longest =
      frame(from: 0x0A, to: .broadcast, tag: 0)
      + [UInt8](
        repeating: 7, count: VirtualEthernetPort.maximumFrameLength - 60)
    XCTAssertEqual(longest.count, VirtualEthernetPort.maximumFrameLength)
    try port.writeFrame(longest)

    // A raw socket bypassing the port's check: the switch drops and counts it.
    let raw = try Socket.makeUnixDatagram()
    defer { Glibc.close(raw) }
    try Socket.bind(raw, to: UnixSocketAddress(path: "\(directory)/raw.sock"))
    let result = tooLong.withUnsafeBytes { bytes in
      Socket.sendDatagram(raw, bytes, to: try! UnixSocketAddress(path: segment.socketPath))
    }
    guard case .sent = result else { return XCTFail("raw send failed: \(result)") }
    _ = try drain(loop, [port])
    XCTAssertEqual(segment.counters.framesIn, 2)
    XCTAssertEqual(segment.counters.droppedOversized, 1)
    XCTAssertEqual(segment.counters.framesFlooded, 1, "the longest frame is carried")
  }

  func testAQEMUStyleStreamPortExchangesLengthPrefixedFrames() throws {
    let loop = try EventLoop()
    let segment = try VirtualEthernetSwitch(
      loop: loop, socketPath: "\(directory)/switch.sock",
      streamPath: "\(directory)/switch.stream")
    let port = try VirtualEthernetPort(switchPath: segment.socketPath)
    let stream = try Socket.makeUnix(type: SOCK_STREAM)
    defer { Glibc.close(stream) }
    try Socket.connect(stream, to: UnixSocketAddress(path: "\(directory)/switch.stream"))

    // Two frames in one write, the second split across two writes, as a stream may deliver.
    let first = frame(from: 0x51, to: .broadcast, tag: 1)
    let second = frame(from: 0x51, to: mac(0x0A), tag: 2)
    let bytes = lengthPrefixed(first) + lengthPrefixed(second)
    try sendAll(stream, bytes[..<70])
    XCTAssertEqual(try drain(loop, [port])[0], [first])
    try sendAll(stream, bytes[70...])
    XCTAssertEqual(try drain(loop, [port])[0], [second])

    try port.writeFrame(frame(from: 0x0A, to: mac(0x51), tag: 3))
    _ = try drain(loop, [port])
    var answer = [UInt8](repeating: 0, count: 4 + 62)
    let count = answer.withUnsafeMutableBytes { recv(stream, $0.baseAddress, $0.count, 0) }
    XCTAssertEqual(count, 4 + 60)
    XCTAssertEqual(Array(answer[0..<4]), [0, 0, 0, 60])
    XCTAssertEqual(Array(answer[4..<64]), frame(from: 0x0A, to: mac(0x51), tag: 3))
    XCTAssertEqual(segment.counters.framesFlooded, 2)
    XCTAssertEqual(segment.counters.framesForwarded, 1)
  }

  private func lengthPrefixed(_ frame: [UInt8]) -> [UInt8] {
    [0, 0, UInt8(frame.count >> 8), UInt8(frame.count & 0xFF)] + frame
  }

  private func sendAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) throws {
    let sent = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    XCTAssertEqual(sent, bytes.count)
  }
}
