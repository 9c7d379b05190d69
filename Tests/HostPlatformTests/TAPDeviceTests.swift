import Foundation
import Glibc
import HostPlatform
import XCTest

/// The test's own end of the link: a locally administered MAC address and 192.0.2.2.
private let testMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]
private let testAddress: [UInt8] = [192, 0, 2, 2]
/// The kernel's end: the TAP interface's address.
private let kernelAddress: [UInt8] = [192, 0, 2, 1]
private let arpEtherType: [UInt8] = [0x08, 0x06]
private let ipv4EtherType: [UInt8] = [0x08, 0x00]

/// A broadcast ARP request (RFC 826) from the test's end asking who has `target`.
private func arpRequest(for target: [UInt8]) -> [UInt8] {
  let broadcast = [UInt8](repeating: 0xFF, count: 6)
  let header: [UInt8] = [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]  // Ethernet, IPv4, request
  return broadcast + testMAC + arpEtherType + header + testMAC + testAddress
    + [UInt8](repeating: 0, count: 6) + target
}

/// Whether `frame` is an ARP packet with `operation` (1 request, 2 reply) from `sender` to
/// `target` (IPv4 addresses).
private func isARP(_ frame: [UInt8], operation: UInt8, sender: [UInt8], target: [UInt8]) -> Bool {
  frame.count >= 42 && Array(frame[12..<14]) == arpEtherType && frame[21] == operation
    && Array(frame[28..<32]) == sender && Array(frame[38..<42]) == target
}

/// What the kernel sent out of the interface during the test, for the assertions.
private struct Observations: Sendable {
  var kernelRequest: [UInt8] = []
  var kernelReply: [UInt8]? = nil
  var datagram: [UInt8]? = nil
  var secondOpenWasBusy = false
  var emptyReadBeforeTraffic = false
  var interfaceName = ""
}

final class TAPDeviceTests: XCTestCase {
  func testRejectsNamesLinuxWouldRefuse() {
    for name in ["", "a-name-over-15-bytes", ".", "..", "tap/0", "tap:0", "tap 0"] {
      XCTAssertThrowsError(try TAPDevice(name: name), name) { error in
        XCTAssertEqual(error as? TAPDeviceError, .invalidName(name))
      }
    }
  }

  func testErrorsSayWhatToDo() {
    let missing = SystemError(call: "open", subject: "/dev/net/tun", errorNumber: ENOENT)
    XCTAssertTrue(TAPDeviceError.driverMissing(missing).description.contains("modprobe tun"))
    let denied = SystemError(call: "ioctl(TUNSETIFF)", subject: "tap9", errorNumber: EPERM)
    let text = TAPDeviceError.permissionDenied(name: "tap9", denied).description
    XCTAssertTrue(text.contains("CAP_NET_ADMIN") && text.contains("ip tuntap add dev tap9"), text)
  }

  /// Frames flow both ways between the kernel and a TAP device in a namespace of the test's own:
  /// the kernel's ARP request comes out of the device, and the kernel answers an ARP request
  /// written into it (and then sends the datagram that was waiting for that answer).
  func testFramesFlowBothWaysWithTheKernelInsideANamespace() throws {
    try NetworkNamespace.skip("TAPDeviceTests", because: NetworkNamespace.unavailableReason())
    let namespace = try NetworkNamespace(name: "loam-tap-\(getpid())")
    defer { namespace.delete() }
    let seen = try namespace.run { try exchangeFrames(in: namespace) }

    XCTAssertTrue(seen.emptyReadBeforeTraffic, "a read with nothing waiting returns nil")
    XCTAssertEqual(seen.interfaceName, "loamtap0")
    XCTAssertTrue(seen.secondOpenWasBusy, "a second open of the same interface is refused")
    let kernelMAC = Array(seen.kernelRequest[6..<12])
    XCTAssertTrue(kernelMAC[0] & 1 == 0, "the kernel's source address is unicast")
    guard let reply = seen.kernelReply else { return XCTFail("no ARP reply from the kernel") }
    XCTAssertEqual(Array(reply[0..<6]), testMAC, "the reply is addressed to the test")
    XCTAssertEqual(Array(reply[22..<28]), kernelMAC, "the reply names the interface's address")
    XCTAssertEqual(Array(reply[32..<38]), testMAC)
    guard let datagram = seen.datagram else { return XCTFail("the queued datagram never came") }
    XCTAssertEqual(datagram[23], 17, "UDP")
    XCTAssertEqual(Array(datagram.suffix(4)), Array("loam".utf8))
  }
}

/// The part of the test that runs inside the namespace: it opens `loamtap0`, configures it and
/// exchanges frames with the kernel.
private func exchangeFrames(in namespace: NetworkNamespace) throws -> Observations {
  var seen = Observations()
  let device = try TAPDevice(name: "loamtap0")
  defer { device.close() }
  seen.interfaceName = device.name
  do {
    _ = try TAPDevice(name: "loamtap0")
  } catch {
    if case .busy = error { seen.secondOpenWasBusy = true }
  }
  seen.emptyReadBeforeTraffic = try device.readFrame() == nil
  try namespace.ip("addr", "add", "192.0.2.1/24", "dev", "loamtap0")
  try namespace.ip("link", "set", "loamtap0", "up")

  // Kernel → device: a datagram to 192.0.2.2 makes the kernel ask for that address's MAC.
  try sendDatagram(to: testAddress, payload: Array("loam".utf8))
  seen.kernelRequest = try awaitFrame(on: device) {
    isARP($0, operation: 1, sender: kernelAddress, target: testAddress)
  }

  // Device → kernel: our request for 192.0.2.1 gets a reply, and since it also tells the kernel
  // where 192.0.2.2 is, the waiting datagram follows (in either order).
  try device.writeFrame(arpRequest(for: kernelAddress))
  _ = try awaitFrame(on: device) { frame in
    if isARP(frame, operation: 2, sender: kernelAddress, target: testAddress) {
      seen.kernelReply = frame
    } else if frame.count > 34, Array(frame[12..<14]) == ipv4EtherType,
      Array(frame[30..<34]) == testAddress
    {
      seen.datagram = frame
    }
    return seen.kernelReply != nil && seen.datagram != nil
  }
  return seen
}

/// Sends a UDP datagram to `address`, port 9 (discard), from a socket in the calling thread's
/// namespace.
private func sendDatagram(to address: [UInt8], payload: [UInt8]) throws {
  let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
  guard socket >= 0 else { throw SystemError.fromErrno("socket") }
  defer { close(socket) }
  var destination = sockaddr_in()
  destination.sin_family = sa_family_t(AF_INET)
  destination.sin_port = in_port_t(9).bigEndian
  destination.sin_addr.s_addr = address.withUnsafeBytes { $0.load(as: UInt32.self) }
  let sent = withUnsafePointer(to: &destination) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      sendto(socket, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard sent == payload.count else { throw SystemError.fromErrno("sendto") }
}

/// Reads frames (waiting with `poll` when none is there) until `accept` returns true for one,
/// which it returns; other frames, such as IPv6 router solicitations, are skipped. Fails after
/// five seconds.
private func awaitFrame(on device: TAPDevice, _ accept: ([UInt8]) -> Bool) throws -> [UInt8] {
  let deadline = Date().addingTimeInterval(5)
  while Date() < deadline {
    if let frame = try device.readFrame() {
      if accept(frame) { return frame }
      continue
    }
    var request = pollfd(fd: device.fileDescriptor, events: Int16(POLLIN), revents: 0)
    _ = poll(&request, 1, 100)
  }
  throw NetworkNamespace.Failure(description: "the expected frame did not arrive in 5 s")
}
