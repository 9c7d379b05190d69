// libFuzzer entry point for everything the stack takes from the wire (run with
// `scripts/fuzz frame SECONDS`).
//
// An input is a short series of Ethernet frames (see `FuzzRecord`), fed one by one to a copy of
// the server in `FuzzScenario`: a TCP stack with two listeners, an ESTABLISHED connection with
// data in flight, a TIME-WAIT entry and a full backlog that answers with SYN cookies. Each
// record may ask for its IPv4 and TCP/UDP/ICMP checksums to be corrected, so that mutations
// reach the state machines behind the checksum checks, and may let time pass before it. After
// each frame the application accepts and reads, and due timers run; after the last, the clock
// runs 150 s on so that retransmission, delayed-ACK, persist and TIME-WAIT timers fire.
//
// Properties: every frame also goes through the parsers on its own (a parsed header emits
// bytes that parse back to it; reassembly stays within its limits); the connection table and
// the TIME-WAIT table stay within their limits; a poll leaves no timer due; timers settle
// within 1000 polls; TIME-WAIT entries expire. Traps and sanitizer reports are findings.
import Net
import Time

private let scenario = FuzzScenario()

/// Called by libFuzzer once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let input = Array(UnsafeBufferPointer(start: data, count: size))
  var server = scenario.hosts.server
  var now = scenario.hosts.now
  var framesFed = server.counters.framesReceived
  for record in FuzzRecord.records(in: input) {
    takeApartFrame(record.frame[...])
    now = now + record.delay
    server.receive(frame: record.frame, now: now)
    framesFed += 1
    serveApplication(&server, now: now)
    runTimers(&server, from: now, until: now)
    checkBounds(server, framesFed: framesFed)
  }
  runTimers(&server, from: now, until: now + .seconds(150))
  checkBounds(server, framesFed: framesFed)
  precondition(server.tcpTimeWaitCount == 0, "TIME-WAIT entries outlived 2 MSL")
  return 0
}

/// What an application does between frames: takes and closes new connections, and reads
/// what the established one received.
private func serveApplication(_ server: inout NetworkInterface, now: Instant) {
  for listener in scenario.listeners {
    while let accepted = server.acceptTCP(listener) { server.closeTCP(accepted, now: now) }
  }
  _ = try? server.receiveTCP(scenario.connection.server, upTo: 65_536, now: now)
  if let status = server.statusTCP(scenario.connection.server) {
    precondition(status.readableBytes == 0, "receiveTCP left bytes behind")
  }
}

/// Polls at each deadline up to `end` as a driver would, discarding what the server sends.
private func runTimers(_ server: inout NetworkInterface, from start: Instant, until end: Instant) {
  var now = start
  for _ in 0..<1000 {
    while server.transmit() != nil {}
    guard let deadline = server.deadline, deadline <= end else { return }
    precondition(deadline > now || now == start, "a poll left a timer due")
    now = max(now, deadline)
    server.poll(now: now)
  }
  preconditionFailure("timers still due after 1000 polls")
}

private func checkBounds(_ server: NetworkInterface, framesFed: Int) {
  precondition(server.counters.framesReceived == framesFed, "frames counted")
  precondition(
    server.tcpConnectionCount <= FuzzScenario.maximumConnections, "connection table bound")
  precondition(
    server.tcpTimeWaitCount <= server.configuration.tcp.maximumTimeWaitConnections,
    "TIME-WAIT table bound")
}

/// The parsers on their own: what the interface does with a frame, minus the state.
private func takeApartFrame(_ frame: ArraySlice<UInt8>) {
  guard let (ethernet, payload) = try? EthernetHeader.parse(frame) else { return }
  var emitted: [UInt8] = []
  ethernet.emit(payload: payload, into: &emitted)
  precondition((try? EthernetHeader.parse(emitted[...]))?.header == ethernet, "Ethernet round trip")
  switch ethernet.etherType {
  case .arp: _ = try? ARPPacket.parse(payload)
  case .ipv4: takeApartIPv4(payload)
  default: break
  }
}

private func takeApartIPv4(_ bytes: ArraySlice<UInt8>) {
  guard let (header, payload) = try? IPv4Header.parse(bytes) else { return }
  // Twice, as a duplicated fragment would arrive; reassembly must stay within its limits.
  var reassembler = IPv4Reassembler()
  for _ in 0..<2 {
    _ = reassembler.accept(header, payload: payload, now: .zero)
    precondition(reassembler.bytesHeld <= reassembler.limits.maximumBytes, "reassembly bound")
  }
  switch header.payloadProtocol {
  case .icmp: _ = try? ICMPv4Message.parse(payload)
  case .tcp:
    _ = try? TCPHeader.parse(payload, source: header.source, destination: header.destination)
  case .udp:
    guard
      let (_, datagram) = try? UDPHeader.parse(
        payload, source: header.source, destination: header.destination)
    else { return }
    _ = try? DHCPMessage.parse(datagram)
    _ = try? DNSMessage.parse(datagram)
  default: break
  }
}
