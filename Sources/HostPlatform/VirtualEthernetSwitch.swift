import CLinux
import Glibc
import Net
import Time

/// What a learning switch does with one frame.
public enum ForwardingDecision<Port: Hashable>: Equatable {
  /// Send it to the one port its destination was learned on.
  case forward(to: Port)
  /// Send it to every port but the one it came in on: broadcast, multicast, or a destination
  /// not (or no longer) in the table.
  case flood(except: Port)
  /// Send it nowhere, for this reason.
  case filter(FilterReason)

  /// Why a switch sends a frame nowhere.
  public enum FilterReason: Equatable, Sendable {
    /// The source address has the group bit set: no station sends from a multicast address,
    /// and learning it would send multicast traffic to one port.
    case groupSourceAddress
    /// The destination sits on the port the frame came in on; it has already heard the frame.
    case destinationOnIngressPort
  }
}

/// The forwarding database of a learning bridge (IEEE 802.1D): which port each station's MAC
/// address was last seen on, and the decision for each frame. Sans-IO: it is fed addresses, the
/// ingress port and the current time, and never sends anything itself.
///
/// An entry ages out `agingTime` after its station was last heard (802.1D's default: 300 s),
/// so a station that moved or left stops attracting its traffic. The table holds at most
/// `capacity` entries. When it is full, expired entries are swept (at most once a second);
/// if none has expired, the new station is not learned and frames to it keep being flooded.
/// Established stations are never pushed out, so a flood of made-up source addresses degrades
/// the segment to a hub instead of cutting known stations off.
public struct EthernetSwitchTable<Port: Hashable> {
  /// 802.1D's recommended aging time.
  public static var defaultAgingTime: Duration { .seconds(300) }

  /// The most stations remembered at once.
  public let capacity: Int
  /// How long after last hearing a station its entry stays valid.
  public let agingTime: Duration
  /// Source addresses not learned because the table was full of live entries.
  public private(set) var learningRefusedTotal = 0

  private struct Entry {
    var port: Port
    var lastHeard: Instant
  }

  private var entries: [MACAddress: Entry] = [:]
  private var nextSweep = Instant.zero
  private static var minimumSweepInterval: Duration { .seconds(1) }

  /// An empty table for up to `capacity` stations.
  public init(capacity: Int = 1024, agingTime: Duration = Self.defaultAgingTime) {
    precondition(capacity > 0, "a switch table must hold at least one station")
    self.capacity = capacity
    self.agingTime = agingTime
  }

  /// Stations in the table, expired ones not yet swept included.
  public var count: Int { entries.count }

  /// Learns that `source` is reachable through `ingress`, then decides where a frame from it
  /// to `destination` goes. Never back out of `ingress`.
  public mutating func decide(
    source: MACAddress, destination: MACAddress, ingress: Port, now: Instant
  ) -> ForwardingDecision<Port> {
    guard !source.isMulticast else { return .filter(.groupSourceAddress) }
    learn(source, on: ingress, now: now)
    guard !destination.isMulticast, let port = port(for: destination, now: now) else {
      return .flood(except: ingress)
    }
    return port == ingress ? .filter(.destinationOnIngressPort) : .forward(to: port)
  }

  /// The port `address` was last heard on, or nil if unknown or aged out.
  public func port(for address: MACAddress, now: Instant) -> Port? {
    guard let entry = entries[address], !isExpired(entry, now: now) else { return nil }
    return entry.port
  }

  /// Forgets every station learned on `port`, which has gone away.
  public mutating func forget(port: Port) {
    entries = entries.filter { $0.value.port != port }
  }

  /// Removes the entries that have aged out.
  public mutating func removeExpired(now: Instant) {
    entries = entries.filter { !isExpired($0.value, now: now) }
  }

  private mutating func learn(_ address: MACAddress, on port: Port, now: Instant) {
    if entries[address] == nil && entries.count >= capacity && now >= nextSweep {
      removeExpired(now: now)
      nextSweep = now + Self.minimumSweepInterval
    }
    guard entries[address] != nil || entries.count < capacity else {
      learningRefusedTotal += 1
      return
    }
    entries[address] = Entry(port: port, lastHeard: now)
  }

  private func isExpired(_ entry: Entry, now: Instant) -> Bool {
    now.duration(since: entry.lastHeard) >= agingTime
  }
}

/// Limits of a `VirtualEthernetSwitch`.
public struct VirtualEthernetSwitchLimits: Sendable {
  /// The most ports (datagram peers and stream connections together).
  public var maximumPorts = 64
  /// A datagram port not heard from for this long is forgotten when every port is taken and
  /// a new one needs room. (Otherwise a port lasts until its socket is gone, which the next
  /// frame sent to it finds out; a stream port lasts as long as its connection.)
  public var portIdleTime: Duration = .seconds(300)
  /// The most stations in the forwarding table.
  public var stationCapacity = 1024
  /// How long a learned station stays in the table without being heard.
  public var stationAgingTime: Duration = EthernetSwitchTable<Int>.defaultAgingTime
  /// Bytes that may wait for a slow stream port; further frames to it are dropped.
  public var maximumStreamOutput = 256 * 1024
  /// Datagrams read per readiness event before other descriptors get their turn.
  public var maximumDatagramsPerEvent = 64

  /// The defaults.
  public init() {}
}

/// What a `VirtualEthernetSwitch` did with the frames it received.
public struct VirtualEthernetSwitchCounters: Equatable, Sendable, CustomStringConvertible {
  /// Frames received from ports (and oversized datagrams from anyone).
  public var framesIn = 0
  /// Frames sent to the one port their destination was learned on.
  public var framesForwarded = 0
  /// Frames sent to every other port (broadcast, multicast, unknown destination).
  public var framesFlooded = 0
  /// Frames whose destination sits on their ingress port, so nothing was sent.
  public var framesFiltered = 0
  /// Frames dropped for being shorter than an Ethernet header (14 bytes).
  public var droppedRunt = 0
  /// Frames dropped for being longer than `VirtualEthernetPort.maximumFrameLength`.
  public var droppedOversized = 0
  /// Frames dropped for a multicast source address.
  public var droppedGroupSource = 0
  /// Datagrams dropped because their sender's socket had no address to answer to.
  public var droppedUnnamedSender = 0
  /// Datagrams dropped because a new sender found every port taken by a live one.
  public var droppedNoRoomForPort = 0
  /// Copies not delivered because the port's queue was full.
  public var droppedPortBusy = 0
  /// Copies not delivered because the port's socket was gone; the port was forgotten.
  public var droppedPortGone = 0
  /// Ports that joined (first frame from a datagram peer, or an accepted stream connection).
  public var portsJoined = 0
  /// Ports forgotten: gone, idle, closed, or cut off for a broken length prefix.
  public var portsLeft = 0
  /// Stream connections closed at once because every port was taken.
  public var streamConnectionsRefused = 0

  /// The counters as one line.
  public var description: String {
    "in \(framesIn), forwarded \(framesForwarded), flooded \(framesFlooded), "
      + "filtered \(framesFiltered); dropped: runt \(droppedRunt), "
      + "oversized \(droppedOversized), group source \(droppedGroupSource), "
      + "unnamed sender \(droppedUnnamedSender), no room \(droppedNoRoomForPort), "
      + "port busy \(droppedPortBusy), port gone \(droppedPortGone); "
      + "ports joined \(portsJoined), left \(portsLeft), refused \(streamConnectionsRefused)"
  }
}

/// Loam's rootless Ethernet segment: a learning switch between Unix sockets, so hub and
/// appliance processes and QEMU guests share a LAN without root or TAP devices.
///
/// Each frame is one datagram on the switch's `SOCK_DGRAM` socket at `socketPath`; a port is
/// whichever socket address sent one (a `VirtualEthernetPort`, or QEMU's
/// `-netdev dgram,...,remote.type=unix,remote.path=socketPath`). An empty datagram makes its
/// sender a port without carrying a frame: `VirtualEthernetPort` announces itself so, so that
/// it hears broadcasts before it has said anything; a QEMU guest joins with its first frame.
/// With `streamPath`, QEMU's `-netdev stream,server=off,addr.type=unix,addr.path=streamPath`
/// can join too: there every frame is preceded by its length as 4 big-endian bytes (QEMU's
/// `net_fill_rstate`).
///
/// Frames are delivered best-effort, like Ethernet: a copy that does not fit a port's queue is
/// dropped and counted. Datagram peers are reached at the address they sent from, so they
/// must bind absolute paths (or share the switch's working directory).
public final class VirtualEthernetSwitch {
  /// The datagram socket's absolute path.
  public let socketPath: String
  /// The stream listener's absolute path, if there is one.
  public let streamPath: String?
  /// The limits the switch runs with.
  public let limits: VirtualEthernetSwitchLimits
  /// What happened to the frames so far.
  public private(set) var counters = VirtualEthernetSwitchCounters()
  /// The forwarding table.
  public private(set) var table: EthernetSwitchTable<Int>
  /// Ports currently known.
  public var portCount: Int { ports.count }

  private enum Link {
    case datagram(UnixSocketAddress)
    case stream(StreamPort)
  }

  private struct PortState {
    var link: Link
    var lastHeard: Instant
  }

  private let loop: EventLoop
  private var datagramSocket: Int32
  private var listener: Int32 = -1
  private var callbacks: [ClosureEventHandler] = []
  private var ports: [Int: PortState] = [:]
  private var portsByAddress: [UnixSocketAddress: Int] = [:]
  private var nextPortNumber = 0
  private var receiveBuffer: [UInt8]

  /// Opens the switch's datagram socket at `socketPath` (and a stream listener at
  /// `streamPath`, if given) and starts serving on `loop`. A stale socket file nobody answers
  /// on is replaced; a live one is `EADDRINUSE`.
  public init(
    loop: EventLoop, socketPath: String, streamPath: String? = nil,
    limits: VirtualEthernetSwitchLimits = VirtualEthernetSwitchLimits()
  ) throws(SystemError) {
    precondition(limits.maximumPorts > 0, "a switch needs at least one port")
    self.loop = loop
    self.socketPath = absolutePath(socketPath)
    self.streamPath = streamPath.map(absolutePath)
    self.limits = limits
    table = EthernetSwitchTable(
      capacity: limits.stationCapacity, agingTime: limits.stationAgingTime)
    receiveBuffer = [UInt8](repeating: 0, count: VirtualEthernetPort.maximumFrameLength + 4)
    datagramSocket = try Self.openSocket(at: self.socketPath, type: SOCK_DGRAM)
    do {
      try watch(datagramSocket) { [unowned self] _ in receiveDatagrams() }
      if let streamPath = self.streamPath {
        listener = try Self.openSocket(at: streamPath, type: SOCK_STREAM)
        try watch(listener) { [unowned self] _ in acceptStreamPorts() }
      }
    } catch {
      close()
      throw error
    }
  }

  deinit {
    close()
  }

  /// Stops serving: closes every socket and removes the switch's socket files.
  public func close() {
    for number in Array(ports.keys) { forget(port: number) }
    for (descriptor, path) in [(datagramSocket, socketPath), (listener, streamPath)] {
      guard descriptor >= 0, let path else { continue }
      try? loop.deregister(fileDescriptor: descriptor)
      Glibc.close(descriptor)
      unlink(path)
    }
    datagramSocket = -1
    listener = -1
    callbacks = []
  }

  // MARK: Receiving

  private func receiveDatagrams() {
    for _ in 0..<limits.maximumDatagramsPerEvent {
      let result = receiveBuffer.withUnsafeMutableBytes { buffer in
        Socket.receiveDatagram(datagramSocket, into: buffer)
      }
      guard case .received(let count, let sender) = result else { return }
      guard count <= VirtualEthernetPort.maximumFrameLength else {
        counters.framesIn += 1
        counters.droppedOversized += 1
        continue
      }
      guard !sender.isUnnamed else {
        counters.droppedUnnamedSender += 1
        continue
      }
      guard let port = datagramPort(for: sender) else {
        counters.droppedNoRoomForPort += 1
        continue
      }
      // An empty datagram is a port announcing itself (plugging in), not a frame.
      if count > 0 { receive(receiveBuffer[0..<count], from: port) }
    }
  }

  /// Learns from and forwards one frame that arrived on `port`.
  fileprivate func receive(_ frame: ArraySlice<UInt8>, from port: Int) {
    counters.framesIn += 1
    guard frame.count >= EthernetHeader.length else {
      counters.droppedRunt += 1
      return
    }
    ports[port]?.lastHeard = loop.now
    let start = frame.startIndex
    let decision = table.decide(
      source: MACAddress(frame[(start + 6)...]), destination: MACAddress(frame),
      ingress: port, now: loop.now)
    switch decision {
    case .forward(let target):
      counters.framesForwarded += 1
      deliver(frame, to: target)
    case .flood(let ingress):
      counters.framesFlooded += 1
      for target in Array(ports.keys) where target != ingress {
        deliver(frame, to: target)
      }
    case .filter(.groupSourceAddress):
      counters.droppedGroupSource += 1
    case .filter(.destinationOnIngressPort):
      counters.framesFiltered += 1
    }
  }

  // MARK: Sending

  private func deliver(_ frame: ArraySlice<UInt8>, to port: Int) {
    guard let state = ports[port] else { return }
    switch state.link {
    case .datagram(let address):
      let result = frame.withUnsafeBytes { bytes in
        Socket.sendDatagram(datagramSocket, bytes, to: address)
      }
      switch result {
      case .sent: break
      case .wouldBlock: counters.droppedPortBusy += 1
      case .failed:
        // ENOENT, ECONNREFUSED: its socket is gone; EPERM: it now talks to another switch.
        counters.droppedPortGone += 1
        forget(port: port)
      }
    case .stream(let connection):
      switch connection.send(frame) {
      case .sent: break
      case .full: counters.droppedPortBusy += 1
      case .failed:
        counters.droppedPortGone += 1
        forget(port: port)
      }
    }
  }

  // MARK: Ports

  private func datagramPort(for sender: UnixSocketAddress) -> Int? {
    if let known = portsByAddress[sender] { return known }
    guard let number = makeRoomForPort() else { return nil }
    ports[number] = PortState(link: .datagram(sender), lastHeard: loop.now)
    portsByAddress[sender] = number
    return number
  }

  /// A number for a new port, after forgetting idle ones if every port is taken; nil if all
  /// are live.
  private func makeRoomForPort() -> Int? {
    if ports.count >= limits.maximumPorts {
      for number in Array(ports.keys) where isIdleDatagramPort(number) { forget(port: number) }
    }
    guard ports.count < limits.maximumPorts else { return nil }
    counters.portsJoined += 1
    nextPortNumber += 1
    return nextPortNumber
  }

  private func isIdleDatagramPort(_ number: Int) -> Bool {
    guard let state = ports[number], case .datagram = state.link else { return false }
    return loop.now.duration(since: state.lastHeard) >= limits.portIdleTime
  }

  /// Forgets `port` and the stations behind it; closes it if it is a stream connection.
  fileprivate func forget(port number: Int) {
    guard let state = ports.removeValue(forKey: number) else { return }
    counters.portsLeft += 1
    table.forget(port: number)
    switch state.link {
    case .datagram(let address): portsByAddress[address] = nil
    case .stream(let connection): connection.close()
    }
  }

  private func acceptStreamPorts() {
    for _ in 0..<16 {
      let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
      let descriptor = accept4(listener, nil, nil, flags)
      guard descriptor >= 0 else {
        if errno == EINTR || errno == ECONNABORTED { continue }
        return  // EAGAIN: nobody waiting; EMFILE and the like: try again on the next event
      }
      guard let number = makeRoomForPort() else {
        counters.streamConnectionsRefused += 1
        Glibc.close(descriptor)
        continue
      }
      let connection = StreamPort(
        descriptor: descriptor, number: number, owner: self, loop: loop,
        maximumOutput: limits.maximumStreamOutput)
      ports[number] = PortState(link: .stream(connection), lastHeard: loop.now)
      do {
        try connection.start()
      } catch {
        forget(port: number)
      }
    }
  }

  // MARK: Sockets

  private func watch(_ descriptor: Int32, _ body: @escaping (IOEvents) -> Void)
    throws(SystemError)
  {
    let callback = ClosureEventHandler(body)
    try loop.register(fileDescriptor: descriptor, interest: .readable, handler: callback)
    callbacks.append(callback)
  }

  /// A socket of `type` bound at `path` (listening, for a stream), after removing a stale
  /// socket file there.
  private static func openSocket(at path: String, type: __socket_type) throws(SystemError)
    -> Int32
  {
    let address = try UnixSocketAddress(path: path)
    removeStaleSocket(at: address, type: type)
    let descriptor = try Socket.makeUnix(type: type)
    do throws(SystemError) {
      try Socket.bind(descriptor, to: address)
      if type == SOCK_STREAM && listen(descriptor, 16) != 0 {
        throw SystemError.fromErrno("listen", subject: path)
      }
    } catch {
      Glibc.close(descriptor)
      throw error
    }
    return descriptor
  }

  /// Removes the socket file at `address` if nobody answers on it (a switch that crashed).
  private static func removeStaleSocket(at address: UnixSocketAddress, type: __socket_type) {
    var status = stat()
    guard lstat(address.description, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK,
      let probe = try? Socket.makeUnix(type: type)
    else { return }
    defer { Glibc.close(probe) }
    do {
      try Socket.connect(probe, to: address)
    } catch  where error.errorNumber == ECONNREFUSED {
      unlink(address.description)
    } catch {
      // In progress or accepted: someone is there; binding will report EADDRINUSE.
    }
  }
}

/// One QEMU `-netdev stream` connection: frames in both directions, each preceded by its
/// length as 4 big-endian bytes.
private final class StreamPort {
  enum SendOutcome {
    case sent
    case full
    case failed
  }

  private let descriptor: Int32
  private let number: Int
  private unowned let owner: VirtualEthernetSwitch
  private let loop: EventLoop
  private let maximumOutput: Int
  private var callback: ClosureEventHandler?
  private var input = LengthPrefixedFrameReader(
    maximumFrameLength: VirtualEthernetPort.maximumFrameLength)
  private var output = OutputQueue()
  private var isWaitingToWrite = false
  private var readChunk = [UInt8](repeating: 0, count: 64 * 1024)

  init(
    descriptor: Int32, number: Int, owner: VirtualEthernetSwitch, loop: EventLoop,
    maximumOutput: Int
  ) {
    self.descriptor = descriptor
    self.number = number
    self.owner = owner
    self.loop = loop
    self.maximumOutput = maximumOutput
  }

  func start() throws(SystemError) {
    let callback = ClosureEventHandler { [unowned self] events in handle(events) }
    self.callback = callback
    try loop.register(fileDescriptor: descriptor, interest: .readable, handler: callback)
  }

  /// Queues `frame` with its length prefix and sends what the socket takes. A frame that does
  /// not fit the output limit is refused whole, so the stream never carries half a frame.
  func send(_ frame: ArraySlice<UInt8>) -> SendOutcome {
    guard output.count + 4 + frame.count <= maximumOutput else { return .full }
    let length = UInt32(frame.count)
    output.append([24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + frame)
    return flush() ? .sent : .failed
  }

  /// Closes the connection; the owner has already forgotten the port.
  func close() {
    guard callback != nil else { return }
    try? loop.deregister(fileDescriptor: descriptor)
    callback = nil
    Glibc.close(descriptor)
  }

  private func handle(_ events: IOEvents) {
    if events.contains(.writable) && !flush() {
      owner.forget(port: number)
      return
    }
    guard events.contains(.readable) || events.contains(.hangUp) || events.contains(.error)
    else { return }
    let result = readChunk.withUnsafeMutableBytes { Socket.receive(descriptor, into: $0) }
    switch result {
    case .received(let count):
      input.append(readChunk[0..<count])
      deliverCompleteFrames()
    case .wouldBlock:
      return
    case .endOfStream, .failed:
      owner.forget(port: number)
    }
  }

  private func deliverCompleteFrames() {
    while true {
      let frame: [UInt8]?
      do {
        frame = try input.nextFrame()
      } catch {
        owner.forget(port: number)  // a length beyond any frame: the stream is out of step
        return
      }
      guard let frame, callback != nil else { return }
      owner.receive(frame[...], from: number)
    }
  }

  /// Sends what is queued; whether the connection is still good.
  private func flush() -> Bool {
    guard output.flush(to: descriptor) == nil else { return false }
    let mustWait = !output.isEmpty
    if mustWait != isWaitingToWrite {
      isWaitingToWrite = mustWait
      let interest: IOEvents = mustWait ? [.readable, .writable] : .readable
      guard (try? loop.modify(fileDescriptor: descriptor, interest: interest)) != nil else {
        return false
      }
    }
    return true
  }
}

/// Splits a byte stream into frames each preceded by a 4-byte big-endian length, the framing
/// of QEMU's stream netdevs. Bytes may arrive in any pieces.
struct LengthPrefixedFrameReader {
  /// A length prefix above this means the stream is broken (or hostile).
  let maximumFrameLength: Int
  private var pending: [UInt8] = []
  private var start = 0

  /// A reader that accepts frames up to `maximumFrameLength` bytes.
  init(maximumFrameLength: Int) {
    self.maximumFrameLength = maximumFrameLength
  }

  /// Adds bytes read from the stream.
  mutating func append(_ bytes: ArraySlice<UInt8>) {
    if start == pending.count {
      pending.removeAll(keepingCapacity: true)
      start = 0
    } else if start > 65_536 {
      pending.removeFirst(start)
      start = 0
    }
    pending.append(contentsOf: bytes)
  }

  /// The next whole frame, nil if it has not all arrived; throws `EPROTO` for a length prefix
  /// above `maximumFrameLength`, after which the stream cannot be trusted.
  mutating func nextFrame() throws(SystemError) -> [UInt8]? {
    guard pending.count - start >= 4 else { return nil }
    let length = pending[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
    guard length <= maximumFrameLength else {
      throw SystemError(call: "stream frame length \(length)", errorNumber: EPROTO)
    }
    guard pending.count - start >= 4 + length else { return nil }
    let frame = Array(pending[(start + 4)..<(start + 4 + length)])
    start += 4 + length
    return frame
  }
}
