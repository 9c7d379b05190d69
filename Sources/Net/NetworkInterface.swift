import Time

/// One Ethernet interface speaking IPv4: ARP, IPv4 with fragmentation and reassembly, ICMP echo,
/// UDP sockets and TCP connections, as a sans-IO state machine in the manner of smoltcp's
/// `Interface`.
///
/// The driver feeds it every received frame with `receive(frame:now:)`, sends whatever
/// `transmit()` hands out, and calls `poll(now:)` when `deadline` comes (ARP retries and expiry,
/// reassembly timeouts, TCP timers). The interface never reads a clock or touches a device, so the same code
/// runs over a TAP device, a bare-metal NIC and a `SimulatedWire`.
///
/// Everything it holds is bounded: the transmit queue, the ARP cache and its waiting datagrams,
/// the reassembler, the echo replies, every socket's queues and the TCP connection table. What does not fit is
/// dropped and counted in `counters`.
public struct NetworkInterface {
  /// The interface's addresses and limits.
  public struct Configuration: Sendable {
    /// The interface's MAC address.
    public var macAddress: MACAddress
    /// Its IPv4 address, subnet and gateway; nil until it has one (before DHCP, say).
    public var routes: IPv4Routes?
    /// The largest IPv4 datagram one frame carries; larger ones are fragmented.
    public var maximumTransmissionUnit = 1500
    /// The neighbour table's limits and timings.
    public var arpCache = ARPCacheConfiguration()
    /// The reassembler's limits.
    public var reassembly = IPv4Reassembler.Limits()
    /// Frames waiting for `transmit`; a 65,535-byte datagram is 45 frames at a 1500-byte MTU.
    public var maximumQueuedFrames = 128
    /// UDP sockets open at once.
    public var maximumUDPSockets = 8
    /// Datagrams each UDP socket queues before it drops.
    public var maximumQueuedDatagramsPerSocket = 16
    /// Echo replies kept until `receiveEchoReply` takes them.
    public var maximumQueuedEchoReplies = 16
    /// Multicast groups the interface may join.
    public var maximumMulticastGroups = 8
    /// TCP's limits and timers.
    public var tcp = TCPConfiguration()
    /// 16 bytes from the platform's entropy source, which key TCP's initial sequence numbers,
    /// SYN cookies and ephemeral ports so that no one outside can predict them.
    public var secret: [UInt8]

    /// An interface with this MAC address, these routes and this secret, and the default
    /// limits.
    public init(macAddress: MACAddress, routes: IPv4Routes?, secret: [UInt8]) {
      precondition(secret.count == 16, "the secret is 16 bytes")
      self.macAddress = macAddress
      self.routes = routes
      self.secret = secret
    }
  }

  /// The addresses and limits it was made with (`routes` may change with `setRoutes`).
  public private(set) var configuration: Configuration
  /// What happened to the traffic so far.
  public internal(set) var counters = NetworkInterfaceCounters()

  var arpCache: ARPCache<IPv4Datagram>
  var reassembler: IPv4Reassembler
  var udpSockets: UDPSocketSet
  var tcpSockets: TCPSocketSet
  var transmitQueue: [[UInt8]] = []
  /// Empty between calls: the array `flushTCP` gathers a connection's segments in.
  var flushedSegments: [TCPSegment] = []
  /// Frames `transmit` handed out, kept to build later frames in: once the platform has
  /// written a frame and let go of it, its memory holds the next one instead of a new
  /// allocation for every frame sent. A few are kept, none much longer than a frame.
  var sentFrames: [[UInt8]] = []
  var echoReplies: [EchoReply] = []
  var multicastGroups: [IPv4Address] = []
  /// The identification of the next datagram sent (RFC 6864: unique per source, destination
  /// and protocol while fragments may be in flight; a counter is the classic choice).
  var nextIdentification: UInt16 = 1

  /// An interface with `configuration`, holding no state yet. Call `start(now:)` to announce it.
  public init(configuration: Configuration) {
    precondition(
      configuration.maximumTransmissionUnit >= IPv4Header.minimumMaximumTransmissionUnit
        && configuration.maximumTransmissionUnit <= 9000,
      "an Ethernet MTU lies between 68 and 9000")
    precondition(configuration.maximumQueuedFrames > 0 && configuration.maximumMulticastGroups >= 0)
    precondition(configuration.maximumQueuedEchoReplies > 0)
    self.configuration = configuration
    arpCache = ARPCache(configuration: configuration.arpCache)
    reassembler = IPv4Reassembler(limits: configuration.reassembly)
    udpSockets = UDPSocketSet(
      maximumSockets: configuration.maximumUDPSockets,
      maximumQueuedDatagrams: configuration.maximumQueuedDatagramsPerSocket)
    tcpSockets = TCPSocketSet(configuration: configuration.tcp, secret: configuration.secret)
  }

  /// The interface's own IPv4 address, if it has one.
  public var address: IPv4Address? { configuration.routes?.subnet.address }

  /// Announces the interface with a gratuitous ARP (RFC 5227 section 3), so that neighbours
  /// that knew its address at another MAC address update their caches.
  public mutating func start(now: Instant) {
    guard let address else { return }
    announce(address)
  }

  /// Gives the interface an address (or takes it away), and announces a new one.
  public mutating func setRoutes(_ routes: IPv4Routes?, now: Instant) {
    let old = address
    configuration.routes = routes
    if let address, address != old { announce(address) }
  }

  /// Takes one frame from the link: Ethernet header on, without the frame check sequence.
  public mutating func receive(frame: [UInt8], now: Instant) {
    receive(frame: frame[...], now: now)
  }

  /// Handles a received frame given as a slice (a device's read buffer, say), as above.
  public mutating func receive(frame: ArraySlice<UInt8>, now: Instant) {
    counters.framesReceived += 1
    let header: EthernetHeader
    let payload: ArraySlice<UInt8>
    do {
      (header, payload) = try EthernetHeader.parse(frame)
    } catch {
      counters.ethernetMalformed += 1
      return
    }
    guard accepts(header.destination) else {
      counters.ethernetNotForUs += 1
      return
    }
    switch header.etherType {
    case .arp: receiveARP(payload, now: now)
    case .ipv4: receiveIPv4(payload, now: now)
    default: counters.ethernetUnsupportedType += 1
    }
  }

  /// The next frame to send, oldest first; nil when there is none.
  public mutating func transmit() -> [UInt8]? {
    guard !transmitQueue.isEmpty else { return nil }
    counters.framesTransmitted += 1
    let frame = transmitQueue.removeFirst()
    if sentFrames.count < NetworkInterface.maximumKeptSentFrames,
      // Allocators round sizes up, so a full-size frame may have a little more room.
      frame.capacity <= 2 * (EthernetHeader.length + configuration.maximumTransmissionUnit)
    {
      sentFrames.append(frame)
    }
    return frame
  }

  /// How many sent frames `sentFrames` keeps for reuse.
  static let maximumKeptSentFrames = 16

  /// An empty buffer for a frame of up to `capacity` bytes: the memory of a sent frame the
  /// platform no longer holds if there is one, else new.
  mutating func makeFrameBuffer(capacity: Int) -> [UInt8] {
    var frame = sentFrames.popLast() ?? []
    frame.removeAll(keepingCapacity: true)  // a new buffer if the platform still holds this one
    frame.reserveCapacity(capacity)
    return frame
  }

  /// When `poll` must next run: the earliest ARP retry, reassembly timeout or TCP timer, or `Instant.zero`
  /// (due at once) while frames wait for `transmit`; nil when nothing waits.
  ///
  /// Its getter is `mutating` although it changes nothing: a platform asks on every pass, and
  /// a non-mutating getter on a struct this large, held in a variable or a class, is handed a
  /// copy of all of it (about 1.5 KB, and a reference count operation on each buffer when it
  /// sits in a class).
  public var deadline: Instant? {
    mutating get {
      if !transmitQueue.isEmpty { return .zero }
      return Instant.earliest(
        Instant.earliest(arpCache.deadline, reassembler.deadline), tcpDeadline)
    }
  }

  /// Runs the timers due by `now`: repeats ARP requests, drops datagrams whose next hop never
  /// answered, discards incomplete datagrams whose reassembly timed out, and runs TCP's
  /// retransmission, delayed-ACK, persist, keepalive and TIME-WAIT timers.
  public mutating func poll(now: Instant) {
    let result = arpCache.poll(now: now)
    for address in result.requests { sendARPRequest(for: address) }
    for (_, datagrams) in result.unreachable { counters.arpUnresolved += datagrams.count }
    reassembler.expire(now: now)
    pollTCP(now: now)
  }

  /// Whether a frame to `destination` is ours: our address, broadcast, or a group we joined.
  @inline(__always) private func accepts(_ destination: MACAddress) -> Bool {
    if destination == configuration.macAddress || destination == .broadcast { return true }
    return multicastGroups.contains { NetworkInterface.macAddress(ofGroup: $0) == destination }
  }

  /// Queues one frame for `transmit`; drops and counts it when the queue is full.
  mutating func enqueueFrame(
    to destination: MACAddress, etherType: EtherType, payload: some Collection<UInt8>
  ) {
    guard transmitQueue.count < configuration.maximumQueuedFrames else {
      counters.transmitQueueFull += 1
      return
    }
    var frame = makeFrameBuffer(capacity: EthernetHeader.length + payload.count)
    EthernetHeader(destination: destination, source: configuration.macAddress, etherType: etherType)
      .emit(payload: payload, into: &frame)
    transmitQueue.append(frame)
  }
}
