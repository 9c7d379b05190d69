import Net
import Time
import XCTest

/// A TCP peer made by hand: it feeds one `NetworkInterface` (192.0.2.11, host 1) Ethernet,
/// IPv4 and TCP frames built field by field from 192.0.2.10 (host 0), and parses every segment
/// the interface sends back, so that a test can say exactly what goes on the wire.
///
/// The interface learns the peer's MAC address from an ARP request the peer sends first, and
/// any ARP request it sends later is answered, so only TCP reaches the test. Time moves only
/// when the test says so (`run(for:)`), running the interface's timers as they fall due.
struct TCPSegmentPeer {
  /// A segment the interface sent, parsed, and when.
  struct Sent {
    let header: TCPHeader
    let payload: [UInt8]
    let time: Instant

    var flags: TCPFlags { header.flags }
    var sequence: UInt32 { header.sequenceNumber.rawValue }
    var acknowledgement: UInt32 { header.acknowledgementNumber.rawValue }
  }

  var interface: NetworkInterface
  var now = Instant.zero
  let address = SimulatedHosts.address(host: 0)
  let mac = SimulatedHosts.mac(host: 0)
  let interfaceAddress = SimulatedHosts.address(host: 1)
  let interfaceMAC = SimulatedHosts.mac(host: 1)
  /// The peer's port, unless a segment names another.
  let port: UInt16 = 40_000
  /// The interface's listening port in the tests.
  let listeningPort: UInt16 = 80
  /// The listener on `listeningPort`, once `establishPassive` opened it.
  var listener: TCPListenerHandle?

  /// An interface with the test configuration, which `adjust` may change (TCP timers, say).
  init(adjust: (inout NetworkInterface.Configuration) -> Void = { _ in }) {
    var configuration = SimulatedHosts.configuration(host: 1)
    adjust(&configuration)
    interface = NetworkInterface(configuration: configuration)
    interface.start(now: now)
    var request: [UInt8] = []
    ARPPacket(
      operation: .request, senderHardwareAddress: mac, senderProtocolAddress: address,
      targetHardwareAddress: MACAddress(0, 0, 0, 0, 0, 0), targetProtocolAddress: interfaceAddress
    ).emit(into: &request)
    deliver(etherType: .arp, destination: .broadcast, payload: request)
    let unexpected = received()
    precondition(unexpected.isEmpty, "no TCP before any socket exists")
  }

  // MARK: Sending

  /// Sends one TCP segment to the interface. Ports default to the peer's and the listener's.
  mutating func send(
    seq: UInt32, ack: UInt32? = nil, flags: TCPFlags, window: UInt16 = 65_535,
    options: TCPOptions = TCPOptions(), payload: [UInt8] = [], from source: UInt16? = nil,
    to destination: UInt16? = nil
  ) {
    var allFlags = flags
    if ack != nil { allFlags.insert(.ack) }
    let header = TCPHeader(
      sourcePort: source ?? port, destinationPort: destination ?? listeningPort,
      sequenceNumber: SequenceNumber(seq), acknowledgementNumber: SequenceNumber(ack ?? 0),
      flags: allFlags, window: window, options: options)
    var segment: [UInt8] = []
    header.emit(payload: payload, source: address, destination: interfaceAddress, into: &segment)
    var datagram: [UInt8] = []
    IPv4Header(source: address, destination: interfaceAddress, payloadProtocol: .tcp)
      .emit(payload: segment, into: &datagram)
    deliver(etherType: .ipv4, destination: interfaceMAC, payload: datagram)
  }

  private mutating func deliver(
    etherType: EtherType, destination: MACAddress, payload: [UInt8]
  ) {
    var frame: [UInt8] = []
    EthernetHeader(destination: destination, source: mac, etherType: etherType)
      .emit(payload: payload, into: &frame)
    interface.receive(frame: frame, now: now)
  }

  // MARK: Receiving

  /// The TCP segments the interface has queued, in order; ARP requests for the peer are
  /// answered on the way.
  mutating func received() -> [Sent] {
    var segments: [Sent] = []
    while let frame = interface.transmit() {
      guard let ethernet = try? EthernetHeader.parse(frame[...]) else {
        XCTFail("the interface sent a malformed frame")
        continue
      }
      if ethernet.header.etherType == .arp {
        answerARP(ethernet.payload)
        continue
      }
      guard ethernet.header.etherType == .ipv4,
        let ip = try? IPv4Header.parse(ethernet.payload), ip.header.payloadProtocol == .tcp
      else { continue }
      XCTAssertEqual(ethernet.header.destination, mac)
      XCTAssertEqual(ip.header.source, interfaceAddress)
      XCTAssertEqual(ip.header.destination, address)
      guard
        let tcp = try? TCPHeader.parse(
          ip.payload, source: ip.header.source, destination: ip.header.destination)
      else {
        XCTFail("the interface sent a malformed TCP segment")
        continue
      }
      segments.append(Sent(header: tcp.header, payload: Array(tcp.payload), time: now))
    }
    return segments
  }

  /// The one segment the interface sent; fails the test when it sent none or several.
  mutating func receivedOne(
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Sent {
    let segments = received()
    XCTAssertEqual(segments.count, 1, "segments: \(describe(segments))", file: file, line: line)
    return try XCTUnwrap(segments.first, file: file, line: line)
  }

  private mutating func answerARP(_ payload: ArraySlice<UInt8>) {
    guard let request = try? ARPPacket.parse(payload), request.operation == .request,
      request.targetProtocolAddress == address
    else { return }
    var reply: [UInt8] = []
    ARPPacket(
      operation: .reply, senderHardwareAddress: mac, senderProtocolAddress: address,
      targetHardwareAddress: request.senderHardwareAddress,
      targetProtocolAddress: request.senderProtocolAddress
    ).emit(into: &reply)
    deliver(etherType: .arp, destination: interfaceMAC, payload: reply)
  }

  // MARK: Time

  /// Moves time on by `duration`, running the interface's timers when due, and returns what it
  /// sent meanwhile (each with its time).
  mutating func run(for duration: Duration) -> [Sent] {
    let end = now + duration
    var segments = received()
    for _ in 0..<10_000 {
      guard let deadline = interface.deadline, deadline <= end else { break }
      now = max(now, deadline)
      interface.poll(now: now)
      segments += received()
    }
    now = end
    return segments
  }

  /// Moves time to just when the interface's next timer fires and runs it.
  mutating func runNextTimer() -> [Sent] {
    guard let deadline = interface.deadline else { return [] }
    return run(for: deadline.duration(since: now))
  }

  // MARK: Whole exchanges

  /// The options a modern peer offers in its SYN: MSS 1460, window scale 7, SACK-permitted and
  /// a timestamp.
  static func fullOptions(timestamp: UInt32 = 100) -> TCPOptions {
    TCPOptions(
      maximumSegmentSize: 1460, windowScale: 7, sackPermitted: true,
      timestamps: .init(value: timestamp, echoReply: 0))
  }

  /// Listens on `listeningPort`, opens a connection from the peer with sequence number 1000
  /// and `options` in its SYN, completes the handshake and accepts it. The peer's next sequence
  /// number is 1001; `iss` is the interface's initial sequence number.
  mutating func establishPassive(
    options: TCPOptions = TCPOptions(maximumSegmentSize: 1460), window: UInt16 = 65_535,
    from source: UInt16 = 40_000, file: StaticString = #filePath, line: UInt = #line
  ) throws -> (handle: TCPSocketHandle, listener: TCPListenerHandle, iss: UInt32) {
    let listener = try listener ?? interface.listenTCP(port: listeningPort)
    self.listener = listener
    send(seq: 1000, flags: .syn, window: window, options: options, from: source)
    let synAck = try receivedOne(file: file, line: line)
    XCTAssertEqual(synAck.flags, [.syn, .ack], file: file, line: line)
    var ackOptions = TCPOptions()
    if let theirs = synAck.header.options.timestamps {
      ackOptions.timestamps = .init(
        value: (options.timestamps?.value ?? 0) + 1, echoReply: theirs.value)
    }
    send(
      seq: 1001, ack: synAck.sequence + 1, flags: .ack, window: window, options: ackOptions,
      from: source)
    XCTAssertEqual(
      received().count, 0, "the handshake's ACK needs no answer", file: file, line: line)
    let handle = try XCTUnwrap(interface.acceptTCP(listener), file: file, line: line)
    XCTAssertEqual(interface.statusTCP(handle)?.state, .established, file: file, line: line)
    return (handle, listener, synAck.sequence)
  }

  /// Resets the connection from the application's side and checks the tables are then empty.
  mutating func abortAndCheckEmpty(
    _ handle: TCPSocketHandle, file: StaticString = #filePath, line: UInt = #line
  ) {
    interface.abortTCP(handle, now: now)
    _ = received()
    assertTablesEmpty(file: file, line: line)
  }

  /// Checks that the interface holds no connection and no TIME-WAIT entry.
  func assertTablesEmpty(file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(interface.tcpConnectionCount, 0, "connections left", file: file, line: line)
    XCTAssertEqual(interface.tcpTimeWaitCount, 0, "TIME-WAIT entries left", file: file, line: line)
  }

  func describe(_ segments: [Sent]) -> String {
    segments.map {
      "\($0.flags) seq=\($0.sequence) ack=\($0.acknowledgement) win=\($0.header.window) "
        + "len=\($0.payload.count)"
    }.joined(separator: "; ")
  }
}
