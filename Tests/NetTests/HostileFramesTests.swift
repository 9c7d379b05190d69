import Net
import Randomness
import Time
import XCTest

/// Malformed and hostile frames, generated in code, replayed into the server of a
/// `TCPTestBed` while a connection is open. Each category checks that exactly the counters
/// named for it account for the frames (the whole `NetworkInterfaceCounters` is compared, so
/// nothing else may move), that the connection table stays within its limits, and then that
/// the server still serves: the open connection carries 256 KiB each way byte-exact, and a new
/// client completes a request/response exchange. NetTests has no HTTP, so that exchange over
/// TCP (a request read to its end, then a response) stands in for an HTTP request.
final class HostileFramesTests: XCTestCase {
  // MARK: Truncation

  func testTruncatedHeadersAtEveryLengthAreCountedAsMalformed() throws {
    var scene = try HostileScene(seed: 11)
    let syn = HostileScene.segment(scene.synWithAllOptions(sourcePort: 40_000))
    let ipv4 = Array(syn.dropFirst(EthernetHeader.length))

    // Ethernet: fewer than 14 bytes.
    let ethernet = (0..<EthernetHeader.length).map { Array(syn.prefix($0)) }
    scene.expect(replaying: ethernet, counted: [(\.ethernetMalformed, ethernet.count)])

    // IPv4: the header cut short, then the datagram cut short of its total length.
    let datagrams = (0..<ipv4.count).map { HostileScene.ethernetFrame(Array(ipv4.prefix($0))) }
    scene.expect(replaying: datagrams, counted: [(\.ipv4Malformed, datagrams.count)])

    // TCP: a whole IPv4 datagram carrying fewer bytes than the TCP header (20 fixed, 20 of
    // options) claims.
    let tcp = Array(ipv4.dropFirst(IPv4Header.length))
    let segments = (0..<tcp.count).map {
      HostileScene.datagram(Array(tcp.prefix($0)), correctingTCPChecksum: true)
    }
    scene.expect(replaying: segments, counted: [(\.tcpMalformed, segments.count)])
    try scene.checkStillServes()
  }

  // MARK: Bad lengths and checksums

  func testBadIPv4LengthsAndChecksumsAreCounted() throws {
    var scene = try HostileScene(seed: 12)
    let syn = HostileScene.segment(scene.synWithAllOptions(sourcePort: 40_001))
    var malformed: [[UInt8]] = []
    for headerWords in UInt8(0)..<5 {
      malformed.append(HostileScene.rewritingIPv4(syn) { $0[0] = 0x40 | headerWords })
    }
    // A header length beyond the datagram (a bare ACK: 40 bytes), and a version other than 4.
    let acknowledgement = HostileScene.segment(scene.acknowledgement(sequenceOffset: 0))
    malformed.append(HostileScene.rewritingIPv4(acknowledgement) { $0[0] = 0x4F })
    malformed.append(HostileScene.rewritingIPv4(syn) { $0[0] = 0x65 })
    // Total lengths below the header, and beyond the frame.
    for totalLength in [0, 1, 19, syn.count - EthernetHeader.length + 1, 0xFFFF] {
      malformed.append(
        HostileScene.rewritingIPv4(syn) {
          $0[2] = UInt8(totalLength >> 8)
          $0[3] = UInt8(totalLength & 0xFF)
        })
    }
    malformed.append(HostileScene.rewritingIPv4(syn) { $0[6] |= 0x80 })  // reserved flag
    scene.expect(replaying: malformed, counted: [(\.ipv4Malformed, malformed.count)])

    var badIPv4Checksum = syn
    badIPv4Checksum[EthernetHeader.length + 10] ^= 0x01
    var badTCPChecksum = syn
    badTCPChecksum[EthernetHeader.length + IPv4Header.length + 16] ^= 0x01
    scene.expect(
      replaying: [badIPv4Checksum, badTCPChecksum],
      counted: [(\.ipv4BadChecksum, 1), (\.tcpBadChecksum, 1)])
    try scene.checkStillServes()
  }

  func testBadTCPDataOffsetsAndFlagsAreCountedAsMalformed() throws {
    var scene = try HostileScene(seed: 13)
    let syn = scene.synWithAllOptions(sourcePort: 40_002)
    var malformed: [[UInt8]] = []
    let dataOffsets: [UInt8] = [0, 1, 2, 3, 4, 11, 15]  // below 5, or past the 40-byte segment
    for dataOffset in dataOffsets {
      malformed.append(HostileScene.rewritingTCP(syn) { $0[12] = dataOffset << 4 })
    }
    // Contradictory flags, to the listener and to the open connection: SYN+FIN, SYN+RST,
    // SYN+RST+FIN, and the first two with ACK.
    let established = scene.acknowledgement(sequenceOffset: 0)
    for header in [syn, established] {
      for flags: UInt8 in [0x03, 0x06, 0x07, 0x13, 0x16] {
        malformed.append(HostileScene.rewritingTCP(header) { $0[13] = flags })
      }
    }
    scene.expect(replaying: malformed, counted: [(\.tcpMalformed, malformed.count)])

    // Zero ports parse, but name no socket: counted as received, then malformed, never reset.
    var zeroPorts: [[UInt8]] = []
    for (sourcePort, destinationPort) in [(0, 8080), (40_003, 0), (0, 0)] {
      var header = syn
      header.sourcePort = UInt16(sourcePort)
      header.destinationPort = UInt16(destinationPort)
      zeroPorts.append(HostileScene.segment(header))
    }
    scene.expect(
      replaying: zeroPorts, counted: [(\.tcpSegmentsReceived, 3), (\.tcpMalformed, 3)])
    try scene.checkStillServes()
  }

  // MARK: Options

  func testMalformedTCPOptionsAreCountedAsMalformed() throws {
    var scene = try HostileScene(seed: 14)
    let optionAreas: [[UInt8]] = [
      [2, 0, 0, 0],  // length 0
      [2, 1, 0, 0],  // length 1
      [1, 1, 1, 8],  // the last byte has no room for a length
      [8, 10, 0, 0],  // timestamps running past the header
      [254, 40, 0, 0],  // an unknown option running past the header
      [2, 3, 5, 0],  // MSS of length 3
      [2, 5, 5, 180, 0, 0, 0, 0],  // MSS of length 5
      [3, 2, 1, 1],  // window scale of length 2
      [3, 4, 7, 0],  // window scale of length 4
      [8, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],  // timestamps of length 9
      [8, 11, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],  // timestamps of length 11
      [4, 3, 0, 0],  // SACK-permitted of length 3
      [5, 2, 1, 1],  // SACK with no block
      [5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1],  // SACK of 7 bytes: not whole blocks
      [5, 14, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1],  // SACK of 12 bytes
    ]
    var malformed: [[UInt8]] = []
    // Each to the listener in a SYN and to the open connection in an ACK.
    let headers = [
      scene.synWithAllOptions(sourcePort: 40_004), scene.acknowledgement(sequenceOffset: 0),
    ]
    for header in headers {
      for options in optionAreas {
        malformed.append(HostileScene.segment(header, rawOptions: options))
      }
    }
    scene.expect(replaying: malformed, counted: [(\.tcpMalformed, malformed.count)])
    XCTAssertEqual(scene.server.tcpConnectionCount, 1, "no connection from a malformed SYN")
    try scene.checkStillServes()
  }

  // MARK: Fragments

  func testOverlappingAndOversizedFragmentsAreDropped() throws {
    var scene = try HostileScene(seed: 15)
    // Pieces of a 64-byte TCP datagram, in pairs that overlap.
    let padded = patternBytes(64, seed: 15)
    var frames: [[UInt8]] = []
    var drops = 0
    for (index, (first, second)) in [((0, 32), (16, 48)), ((0, 32), (0, 40)), ((8, 24), (0, 64))]
      .enumerated()
    {
      let identification = UInt16(100 + index)
      for (start, end) in [first, second] {
        frames.append(
          HostileScene.fragment(
            Array(padded[start..<end]), identification: identification, byteOffset: start,
            moreFragments: true))
      }
      drops += 1  // the second overlaps the first: both go
    }
    // The same offset and length with other bytes is an overlap too.
    var changed = Array(padded[0..<32])
    changed[5] ^= 0xFF
    frames.append(
      HostileScene.fragment(
        Array(padded[0..<32]), identification: 200, byteOffset: 0, moreFragments: true))
    frames.append(
      HostileScene.fragment(changed, identification: 200, byteOffset: 0, moreFragments: true))
    drops += 1
    // Reaching past 65,535 bytes: the last possible offset with more than 7 bytes.
    let maximumOffset = Int(IPv4Header.maximumFragmentOffset) * 8
    for length in [16, 1480] {
      frames.append(
        HostileScene.fragment(
          [UInt8](repeating: 0, count: length), identification: 300, byteOffset: maximumOffset,
          moreFragments: false))
      drops += 1
    }
    // A non-final fragment whose length is not a multiple of 8.
    frames.append(
      HostileScene.fragment(
        Array(padded[0..<13]), identification: 400, byteOffset: 0, moreFragments: true))
    drops += 1
    scene.expect(replaying: frames, counted: [(\.ipv4FragmentsDropped, drops)])
    XCTAssertEqual(scene.server.tcpConnectionCount, 1, "no piece reached TCP")
    try scene.checkStillServes()
  }

  // MARK: Addressing

  func testTCPToBroadcastAndMulticastIsDroppedWithoutReply() throws {
    var scene = try HostileScene(seed: 16)
    let group = IPv4Address(224, 0, 0, 251)
    XCTAssertTrue(scene.bed.hosts.hosts[0].joinMulticastGroup(group))
    let syn = scene.synWithAllOptions(sourcePort: 40_006)
    let subnetBroadcast = IPv4Address(192, 0, 2, 255)
    let frames = [
      HostileScene.segment(syn, to: subnetBroadcast, mac: .broadcast),
      HostileScene.segment(syn, to: .broadcast, mac: .broadcast),
      HostileScene.segment(
        syn, to: group, mac: NetworkInterface.macAddress(ofGroup: group)),
      HostileScene.segment(
        scene.acknowledgement(sequenceOffset: 0), to: .broadcast, mac: .broadcast),
    ]
    // They parse, so they count as received, then as malformed; no reset answers them.
    scene.expect(
      replaying: frames,
      counted: [(\.tcpSegmentsReceived, frames.count), (\.tcpMalformed, frames.count)])
    // A multicast source is no host at all.
    let spoofed = HostileScene.segment(syn, from: group)
    scene.expect(replaying: [spoofed], counted: [(\.ipv4InvalidSource, 1)])
    try scene.checkStillServes()
  }

  // MARK: Blind resets (RFC 5961 section 3)

  func testABlindResetStormOnlyEarnsChallengeAcknowledgements() throws {
    var scene = try HostileScene(seed: 17)
    var random = SeededRandom(seed: 0xB11D)
    var outOfWindow: [[UInt8]] = []
    var toClosedPort = 0
    for _ in 0..<4000 {
      // Anywhere but within 128 KiB of RCV.NXT, which no window of this bed reaches.
      let offset = UInt32.random(in: 0x2_0000...(UInt32.max - 0x2_0000), using: &random)
      var header = scene.acknowledgement(sequenceOffset: offset)
      header.flags = Bool.random(using: &random) ? [.rst] : [.rst, .ack]
      header.acknowledgementNumber = SequenceNumber(
        UInt32.random(in: 0...UInt32.max, using: &random))
      switch Int.random(in: 0..<3, using: &random) {
      case 0: break  // at the open connection
      case 1:  // at the listener, from ports with no connection: ignored, as RFC 9293 says
        header.sourcePort = UInt16.random(in: 1024...65_535, using: &random)
        if header.sourcePort == scene.clientPort { header.sourcePort &+= 1 }
      default:  // at a closed port: counted, and no reset answers a reset
        header.destinationPort = 9090
        toClosedPort += 1
      }
      outOfWindow.append(HostileScene.segment(header))
    }
    // Silently dropped: no challenge ACK outside the window, and never a reset for a reset.
    scene.expect(
      replaying: outOfWindow,
      counted: [(\.tcpSegmentsReceived, outOfWindow.count), (\.tcpNoSocket, toClosedPort)])

    var inWindow: [[UInt8]] = []
    for _ in 0..<300 {
      var header = scene.acknowledgement(
        sequenceOffset: UInt32.random(in: 1..<32_768, using: &random))
      header.flags = [.rst]
      inWindow.append(HostileScene.segment(header))
    }
    // In the window but not exactly at RCV.NXT: challenge ACKs, at most the connection's
    // allowance for one second (RFC 5961 section 7), since the storm arrives at one instant.
    let allowance = scene.server.configuration.tcp.maximumChallengeAcknowledgementsPerSecond
    scene.expect(
      replaying: inWindow,
      counted: [(\.tcpSegmentsReceived, inWindow.count), (\.tcpSegmentsSent, allowance)])
    XCTAssertEqual(scene.server.statusTCP(scene.connection.server)?.state, .established)
    XCTAssertNil(scene.server.statusTCP(scene.connection.server)?.error)
    try scene.checkStillServes()
  }

  /// The storm test above would pass if resets were ignored altogether; this one shows they
  /// are not: the one reset at exactly RCV.NXT ends the connection.
  func testAResetAtExactlyTheNextSequenceNumberEndsTheConnection() throws {
    var scene = try HostileScene(seed: 18)
    var reset = scene.acknowledgement(sequenceOffset: 0)
    reset.flags = [.rst]
    scene.expect(
      replaying: [HostileScene.segment(reset)], counted: [(\.tcpSegmentsReceived, 1)])
    XCTAssertEqual(scene.server.statusTCP(scene.connection.server)?.error, .reset)
  }

  // MARK: SYN floods

  func testASYNStormBeyondTheBacklogGetsCookiesInBoundedMemory() throws {
    var scene = try HostileScene(seed: 19)
    var random = SeededRandom(seed: 0x5F10)
    let backlog = 16  // TCPTestBed's listener has the default backlog
    let limit = scene.server.configuration.tcp.maximumConnections
    var peak = 0
    for round in 0..<2 {
      let before = scene.server.counters
      let storm = 2000
      for index in 0..<storm {
        var syn = scene.synWithAllOptions(sourcePort: UInt16(1024 + round * storm + index))
        syn.sequenceNumber = SequenceNumber(UInt32.random(in: 0...UInt32.max, using: &random))
        let source = HostileScene.randomSource(using: &random)
        let frame = HostileScene.segment(syn, from: source)
        scene.bed.hosts.hosts[0].receive(frame: frame, now: scene.bed.now)
        while scene.bed.hosts.hosts[0].transmit() != nil {}  // the SYN-ACKs go nowhere
        peak = max(peak, scene.server.tcpConnectionCount)
        XCTAssertLessThanOrEqual(scene.server.tcpConnectionCount, limit)
      }
      let after = scene.server.counters
      let opened = after.tcpConnectionsOpened - before.tcpConnectionsOpened
      XCTAssertEqual(opened, round == 0 ? backlog : 0, "round \(round): the backlog holds them")
      XCTAssertEqual(after.tcpSYNCookiesSent - before.tcpSYNCookiesSent, storm - opened)
      XCTAssertEqual(after.tcpSegmentsReceived - before.tcpSegmentsReceived, storm)
      XCTAssertEqual(scene.server.tcpConnectionCount, 1 + backlog, "round \(round)")
    }
    XCTAssertEqual(peak, 1 + backlog, "a second storm costs nothing more")
    XCTAssertEqual(scene.server.tcpTimeWaitCount, 0)
    // With the backlog full, a real client still gets in, by a SYN cookie. (Data over it is
    // not checked here: a cookie connection can stall on a zero send window, a bug reported
    // separately with its reproduction; the still-serves check below runs after the storm.)
    let cookiesAccepted = scene.server.counters.tcpSYNCookiesAccepted
    let viaCookie = try scene.bed.connect()
    XCTAssertEqual(scene.server.counters.tcpSYNCookiesAccepted, cookiesAccepted + 1)
    scene.bed.hosts.hosts[0].abortTCP(viaCookie.server, now: scene.bed.now)
    scene.bed.hosts.hosts[1].abortTCP(viaCookie.client, now: scene.bed.now)
    // The half-open connections give up on their own, and the table is back where it was.
    scene.bed.hosts.run(for: .seconds(300))
    XCTAssertEqual(scene.server.tcpConnectionCount, 1, "half-open connections expire")
    try scene.checkStillServes()
  }
}

/// A `TCPTestBed` with one open connection, the numbers an on-path observer would see on it
/// (learned by tapping one segment from the client), and the means to forge frames to the
/// server (host 0) from the client (host 1) or from anyone.
private struct HostileScene {
  var bed: TCPTestBed
  let connection: (server: TCPSocketHandle, client: TCPSocketHandle)
  /// The client's ephemeral port.
  let clientPort: UInt16
  /// The server's RCV.NXT and SND.NXT at the time of the tap; the test sends no data until
  /// `checkStillServes`, so they stay put.
  let serverReceiveNext: SequenceNumber
  let serverSendNext: SequenceNumber

  static let serverAddress = SimulatedHosts.address(host: 0)
  static let clientAddress = SimulatedHosts.address(host: 1)

  init(seed: UInt64) throws {
    var bed = try TCPTestBed(seed: seed)
    let connection = try bed.connect()
    bed.hosts.run(for: .milliseconds(200))
    _ = try bed.hosts.hosts[1].sendTCP(connection.client, [0x2A], now: bed.now)
    let frame = try XCTUnwrap(bed.hosts.hosts[1].transmit(), "the client sends at once")
    let ipv4 = try IPv4Header.parse(frame.dropFirst(EthernetHeader.length))
    let (tapped, payload) = try TCPHeader.parse(
      ipv4.payload, source: ipv4.header.source, destination: ipv4.header.destination)
    XCTAssertEqual(Array(payload), [0x2A])
    bed.hosts.hosts[0].receive(frame: frame, now: bed.now)
    bed.hosts.run(for: .milliseconds(200))
    XCTAssertEqual(
      try bed.hosts.hosts[0].receiveTCP(connection.server, upTo: 8, now: bed.now), [0x2A])
    self.bed = bed
    self.connection = connection
    clientPort = tapped.sourcePort
    serverReceiveNext = tapped.sequenceNumber + 1
    serverSendNext = tapped.acknowledgementNumber
  }

  /// The server host, to read from; frames go in through `bed.hosts.hosts[0]`, which mutates
  /// in place.
  var server: NetworkInterface {
    get { bed.hosts.hosts[0] }
    set { bed.hosts.hosts[0] = newValue }
  }

  /// Feeds `frames` to the server at one instant and checks that the counters moved by exactly
  /// `counted` (and `framesReceived`), and that the table stays within its limits; then lets
  /// the wire and the timers run for a second.
  mutating func expect(
    replaying frames: [[UInt8]], counted: [(WritableKeyPath<NetworkInterfaceCounters, Int>, Int)],
    file: StaticString = #filePath, line: UInt = #line
  ) {
    var expected = server.counters
    expected.framesReceived += frames.count
    for (counter, count) in counted { expected[keyPath: counter] += count }
    for frame in frames {
      bed.hosts.hosts[0].receive(frame: frame, now: bed.now)
      XCTAssertLessThanOrEqual(
        server.tcpConnectionCount, server.configuration.tcp.maximumConnections, file: file,
        line: line)
    }
    XCTAssertEqual(server.counters, expected, file: file, line: line)
    bed.hosts.run(for: .seconds(1))
  }

  /// The server still serves: the open connection carries 256 KiB each way byte-exact, and a
  /// new client gets a response to its request. Both then close, and nothing is left over.
  mutating func checkStillServes(file: StaticString = #filePath, line: UInt = #line) throws {
    let upload = patternBytes(256 << 10, seed: 1)
    let download = patternBytes(256 << 10, seed: 2)
    let received = try bed.exchange(
      connection, upload: upload, download: download, within: .seconds(600))
    XCTAssertTrue(received.atServer == upload, "upload differs", file: file, line: line)
    XCTAssertTrue(received.atClient == download, "download differs", file: file, line: line)
    bed.closeAndDrain(connection)

    let second = try bed.connect()
    let request = patternBytes(300, seed: 3)
    let response = try requestResponse(second, request: request)
    XCTAssertTrue(
      response == HostileScene.response(to: request), "response differs", file: file,
      line: line)
    bed.closeAndDrain(second)
    for host in bed.hosts.hosts {
      XCTAssertEqual(host.tcpConnectionCount, 0, "connections left", file: file, line: line)
      XCTAssertEqual(host.tcpTimeWaitCount, 0, "TIME-WAIT left", file: file, line: line)
    }
  }

  /// What the server answers to `request`: 16 KiB computed from it.
  static func response(to request: [UInt8]) -> [UInt8] {
    (0..<16_384).map { request[$0 % request.count] &+ UInt8(truncatingIfNeeded: $0 / 256) }
  }

  /// The client sends `request` and closes its side; the server reads it to the end, then
  /// answers and closes; returns what the client read.
  private mutating func requestResponse(
    _ pair: (server: TCPSocketHandle, client: TCPSocketHandle), request: [UInt8]
  ) throws -> [UInt8] {
    XCTAssertEqual(
      try bed.hosts.hosts[1].sendTCP(pair.client, request, now: bed.now), request.count)
    try bed.hosts.hosts[1].shutdownTCP(pair.client, now: bed.now)
    var atServer: [UInt8] = []
    var atClient: [UInt8] = []
    var answered = false
    let end = bed.now + .seconds(60)
    while bed.hosts.hosts[1].statusTCP(pair.client)?.reachedEndOfStream != true {
      atServer += try bed.hosts.hosts[0].receiveTCP(pair.server, upTo: 65_536, now: bed.now)
      if !answered && bed.hosts.hosts[0].statusTCP(pair.server)?.reachedEndOfStream == true {
        XCTAssertEqual(atServer, request)
        let response = HostileScene.response(to: atServer)
        XCTAssertEqual(
          try bed.hosts.hosts[0].sendTCP(pair.server, response, now: bed.now), response.count)
        try bed.hosts.hosts[0].shutdownTCP(pair.server, now: bed.now)
        answered = true
      }
      atClient += try bed.hosts.hosts[1].receiveTCP(pair.client, upTo: 65_536, now: bed.now)
      guard bed.hosts.step(until: end) else {
        throw TCPTestBedError.stuck("request/response: read \(atServer.count), \(atClient.count)")
      }
    }
    atClient += try bed.hosts.hosts[1].receiveTCP(pair.client, upTo: 65_536, now: bed.now)
    return atClient
  }

  // MARK: Forging

  /// A SYN to the listener from the client's address and `sourcePort`, with every option.
  func synWithAllOptions(sourcePort: UInt16) -> TCPHeader {
    TCPHeader(
      sourcePort: sourcePort, destinationPort: bed.port, sequenceNumber: SequenceNumber(1000),
      flags: .syn, window: 65_535,
      options: TCPOptions(
        maximumSegmentSize: 1460, windowScale: 7, sackPermitted: true,
        timestamps: .init(value: 1, echoReply: 0)))
  }

  /// An ACK on the open connection's four-tuple, `sequenceOffset` past the server's RCV.NXT.
  func acknowledgement(sequenceOffset: UInt32) -> TCPHeader {
    TCPHeader(
      sourcePort: clientPort, destinationPort: bed.port,
      sequenceNumber: serverReceiveNext + sequenceOffset,
      acknowledgementNumber: serverSendNext, flags: .ack, window: 65_535)
  }

  /// A whole frame carrying `header` and `payload` from `source` to `destination`; with
  /// `rawOptions` (a multiple of 4 bytes), those bytes replace the header's options.
  static func segment(
    _ header: TCPHeader, payload: [UInt8] = [], rawOptions: [UInt8]? = nil,
    from source: IPv4Address = clientAddress, to destination: IPv4Address = serverAddress,
    mac: MACAddress = SimulatedHosts.mac(host: 0)
  ) -> [UInt8] {
    var bytes: [UInt8] = []
    header.emit(payload: payload, source: source, destination: destination, into: &bytes)
    if let rawOptions {
      precondition(rawOptions.count % 4 == 0 && rawOptions.count <= TCPOptions.maximumLength)
      let optionsEnd = header.length
      bytes.replaceSubrange(TCPHeader.minimumLength..<optionsEnd, with: rawOptions)
      bytes[12] = UInt8((TCPHeader.minimumLength + rawOptions.count) / 4) << 4
      correctTCPChecksum(&bytes, from: source, to: destination)
    }
    var datagram: [UInt8] = []
    IPv4Header(source: source, destination: destination, payloadProtocol: .tcp)
      .emit(payload: bytes, into: &datagram)
    return ethernetFrame(datagram, to: mac)
  }

  /// `header` as a frame whose TCP bytes `change` alters; the checksum is corrected after.
  static func rewritingTCP(_ header: TCPHeader, _ change: (inout [UInt8]) -> Void) -> [UInt8] {
    var bytes: [UInt8] = []
    header.emit(payload: [], source: clientAddress, destination: serverAddress, into: &bytes)
    change(&bytes)
    return datagram(bytes, correctingTCPChecksum: true)
  }

  /// `frame` with its IPv4 header bytes altered by `change`; the header checksum is corrected
  /// after, wherever the header length lets it be computed.
  static func rewritingIPv4(_ frame: [UInt8], _ change: (inout [UInt8]) -> Void) -> [UInt8] {
    var datagram = Array(frame.dropFirst(EthernetHeader.length))
    change(&datagram)
    let headerLength = max(Int(datagram[0] & 0x0F) * 4, IPv4Header.length)
    if headerLength <= datagram.count {
      datagram[10] = 0
      datagram[11] = 0
      let checksum = InternetChecksum.checksum(datagram[..<headerLength])
      datagram[10] = UInt8(checksum >> 8)
      datagram[11] = UInt8(checksum & 0xFF)
    }
    return ethernetFrame(datagram)
  }

  /// A frame carrying `segment` from the client to the server in a sound IPv4 datagram.
  static func datagram(_ segment: [UInt8], correctingTCPChecksum: Bool) -> [UInt8] {
    var segment = segment
    if correctingTCPChecksum && segment.count >= 18 {
      correctTCPChecksum(&segment, from: clientAddress, to: serverAddress)
    }
    var bytes: [UInt8] = []
    IPv4Header(source: clientAddress, destination: serverAddress, payloadProtocol: .tcp)
      .emit(payload: segment, into: &bytes)
    return ethernetFrame(bytes)
  }

  /// A frame carrying one fragment of a TCP datagram from the client to the server.
  static func fragment(
    _ payload: [UInt8], identification: UInt16, byteOffset: Int, moreFragments: Bool
  ) -> [UInt8] {
    precondition(byteOffset % 8 == 0)
    var bytes: [UInt8] = []
    IPv4Header(
      source: clientAddress, destination: serverAddress, payloadProtocol: .tcp,
      identification: identification, moreFragments: moreFragments,
      fragmentOffset: UInt16(byteOffset / 8)
    ).emit(payload: payload, into: &bytes)
    return ethernetFrame(bytes)
  }

  /// `payload` in an Ethernet II frame from the client's MAC address.
  static func ethernetFrame(
    _ payload: [UInt8], to destination: MACAddress = SimulatedHosts.mac(host: 0)
  ) -> [UInt8] {
    var frame: [UInt8] = []
    EthernetHeader(destination: destination, source: SimulatedHosts.mac(host: 1), etherType: .ipv4)
      .emit(payload: payload, into: &frame)
    return frame
  }

  /// Sets a TCP segment's checksum for the pseudo-header of `source` and `destination`.
  static func correctTCPChecksum(
    _ segment: inout [UInt8], from source: IPv4Address, to destination: IPv4Address
  ) {
    segment[16] = 0
    segment[17] = 0
    var checksum = InternetChecksum()
    checksum.add(source.octets + destination.octets + [0, IPProtocol.tcp.rawValue])
    checksum.add(UInt16(segment.count))
    checksum.add(segment)
    segment[16] = UInt8(checksum.value >> 8)
    segment[17] = UInt8(checksum.value & 0xFF)
  }

  /// A source a SYN flood might forge: a neighbour on the subnet that does not exist (its
  /// SYN-ACK waits for ARP in vain) or a host beyond it (no route: this bed has no gateway).
  static func randomSource(using random: inout SeededRandom) -> IPv4Address {
    if Bool.random(using: &random) {
      return IPv4Address(192, 0, 2, UInt8.random(in: 20...250, using: &random))
    }
    return IPv4Address(198, 51, 100, UInt8.random(in: 1...254, using: &random))
  }
}
