import Foundation
import Glibc
import HostPlatform
import Net
import Time
import XCTest

/// What the loop inside the namespace reports to the test thread.
private struct LoopState: Sendable {
  var ready = false
  var stop = false
  var udpReplies: [[UInt8]] = []
  var counters = NetworkInterfaceCounters()
}

/// The UDP payloads the kernel's socket sends to our echo port: one small, one that needs
/// fragments both ways.
private let udpPayloads: [[UInt8]] = [
  Array("hello from the kernel".utf8), (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 13) },
]

/// Loam's own stack (`NetworkInterface`, 192.0.2.2) on a TAP device, with the Linux kernel
/// (192.0.2.1) as its peer, inside a network namespace of the test's own: the kernel's `ping`
/// and a kernel UDP socket talk to our ARP, ICMP and UDP code.
final class NetworkInterfaceTAPTests: XCTestCase {
  func testTheKernelPingsAndExchangesUDPWithOurStack() throws {
    try NetworkNamespace.skip(
      "NetworkInterfaceTAPTests", because: NetworkNamespace.unavailableReason())
    let namespace = try NetworkNamespace(name: "loam-iface-\(getpid())")
    defer { namespace.delete() }
    let state = Shared(LoopState())
    defer { state.update { $0.stop = true } }
    let loop = try namespace.startLoop(
      limit: 60, untilReady: { state.value.ready },
      running: { try serve(namespace, state) })

    let small = try namespace.execute(["ping", "-c", "3", "-W", "2", "192.0.2.2"])
    XCTAssertEqual(small.status, 0, small.output)
    let large = try namespace.execute(["ping", "-c", "2", "-s", "4000", "-W", "2", "192.0.2.2"])
    XCTAssertEqual(large.status, 0, large.output)
    print("NetworkInterfaceTAPTests: ping\n\(small.output)\(large.output)")

    XCTAssertTrue(waitUntil(seconds: 10) { state.value.udpReplies.count == udpPayloads.count })
    state.update { $0.stop = true }
    try loop.finish()
    XCTAssertEqual(state.value.udpReplies, udpPayloads, "the echo port returned each datagram")
    let counters = state.value.counters
    XCTAssertEqual(counters.icmpEchoRequestsAnswered, 5)
    XCTAssertGreaterThanOrEqual(counters.arpRepliesSent, 1)
    XCTAssertEqual(counters.ipv4BadChecksum + counters.icmpBadChecksum + counters.udpBadChecksum, 0)
    print("NetworkInterfaceTAPTests: \(counters)")
  }
}

/// Inside the namespace: brings up `loamtap1` for the kernel as 192.0.2.1/24, runs our stack as
/// 192.0.2.2/24 on it with a UDP echo service on port 7, and drives a kernel UDP socket against
/// that service, until the test says stop (or 45 s pass).
private func serve(_ namespace: NetworkNamespace, _ state: Shared<LoopState>) throws {
  let device = try TAPDevice(name: "loamtap1")
  defer { device.close() }
  try namespace.ip("addr", "add", "192.0.2.1/24", "dev", "loamtap1")
  try namespace.ip("link", "set", "loamtap1", "up")
  var stack = NetworkInterface(
    configuration: NetworkInterface.Configuration(
      macAddress: MACAddress(0x02, 0, 0, 0, 0x01, 0x02),
      routes: IPv4Routes(subnet: IPv4Subnet("192.0.2.2/24")!, gateway: nil),
      secret: SystemEntropy.bytes(16)))
  let echo = try stack.bindUDP(port: 7)
  stack.start(now: MonotonicClock.now())
  let kernelSocket = try KernelUDPSocket()
  defer { kernelSocket.close() }
  state.update { $0.ready = true }
  let giveUpAt = MonotonicClock.now() + .seconds(45)
  var nextSend = MonotonicClock.now()
  while !state.value.stop && MonotonicClock.now() < giveUpAt {
    let now = MonotonicClock.now()
    while let frame = try device.readFrame() { stack.receive(frame: frame, now: now) }
    while let datagram = stack.receiveUDP(echo) {
      try stack.sendUDP(
        from: echo, to: datagram.source, port: datagram.sourcePort, payload: datagram.payload,
        now: now)
    }
    if let deadline = stack.deadline, deadline <= now { stack.poll(now: now) }
    while let frame = stack.transmit() { try device.writeFrame(frame) }
    exchangeUDP(kernelSocket, state, nextSend: &nextSend, now: now)
    state.update { $0.counters = stack.counters }
    usleep(1000)
  }
}

/// Sends the next payload the echo port has not yet returned (again every 500 ms until it
/// comes back) and collects replies.
private func exchangeUDP(
  _ socket: KernelUDPSocket, _ state: Shared<LoopState>, nextSend: inout Instant, now: Instant
) {
  if let reply = socket.receive() { state.update { $0.udpReplies.append(reply) } }
  let answered = state.value.udpReplies.count
  guard answered < udpPayloads.count, now >= nextSend else { return }
  socket.send(udpPayloads[answered], to: "192.0.2.2", port: 7)
  nextSend = now + .milliseconds(500)
}

/// A non-blocking kernel UDP socket in the calling thread's namespace.
private struct KernelUDPSocket {
  let descriptor: Int32

  init() throws {
    descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard descriptor >= 0 else { throw SystemError.fromErrno("socket") }
  }

  func send(_ payload: [UInt8], to address: String, port: UInt16) {
    var destination = sockaddr_in()
    destination.sin_family = sa_family_t(AF_INET)
    destination.sin_port = port.bigEndian
    inet_pton(AF_INET, address, &destination.sin_addr)
    _ = withUnsafePointer(to: &destination) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(descriptor, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
  }

  /// A datagram if one is waiting.
  func receive() -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
    return count >= 0 ? Array(buffer[0..<count]) : nil
  }

  func close() { Glibc.close(descriptor) }
}
