import Randomness
import Time

/// An in-memory Ethernet segment for deterministic tests, in the manner of TigerBeetle's VOPR
/// network and MirageOS's `vnetif` backend: stacks attach to ports, hand frames to the wire, and
/// take them off again once simulated time has reached their delivery time.
///
/// The wire never reads a clock. Callers pass the current `Instant` to every call, and all faults
/// (loss, duplication, reordering, corruption; `SimulatedWireConfiguration`) come from a
/// `SeededRandom` with the given seed, so the same seed and the same calls give the same
/// deliveries, bit for bit. A simulation runs the stacks and this wire in one loop, advancing
/// time to the earliest of the stacks' deadlines and `nextDeliveryTime`.
///
/// Frames are plain bytes. The wire reads nothing of them but, as a learning switch, the
/// destination and source MAC addresses in the first 12 bytes.
public struct SimulatedWire: Sendable {
  /// A port of the wire, returned by `attach()`.
  public struct PortID: Hashable, Sendable, CustomStringConvertible {
    /// The port's position, counting from zero in the order of attachment.
    public let index: Int

    public var description: String { "port \(index)" }
  }

  /// What happened to the frames sent so far. Every frame sent is either oversized or forwarded
  /// to some ports; every copy on its way to a port is dropped, overflowed, or eventually
  /// delivered when the port receives it.
  public struct Counters: Equatable, Sendable {
    /// Frames passed to `send`.
    public var sent = 0
    /// Frames handed out by `receive` (each copy of a duplicated frame counts).
    public var delivered = 0
    /// Copies lost on purpose, by `dropProbability`.
    public var dropped = 0
    /// Copies lost because the receiving port's queue was full (`queueLimit`).
    public var overflowed = 0
    /// Frames refused because they exceeded `maximumFrameLength`.
    public var oversized = 0
    /// Copies that were sent twice, by `duplicateProbability`.
    public var duplicated = 0
    /// Copies that had one bit flipped, by `corruptProbability`.
    public var corrupted = 0
    /// Copies held back by an extra delay, by `reorderProbability`.
    public var delayed = 0
  }

  /// A copy of a frame on its way to one port.
  private struct PendingFrame: Sendable {
    var deliveryTime: Instant
    var bytes: [UInt8]
  }

  /// The wire's side of one port.
  private struct Port: Sendable {
    /// Frames on their way to the port, sorted by delivery time; frames with the same delivery
    /// time stay in the order they were queued.
    var pending: [PendingFrame] = []
    /// When the link to the port has finished sending the frames queued for it so far.
    var linkFreeAt = Instant.zero
  }

  /// The faults and limits this wire was made with.
  public let configuration: SimulatedWireConfiguration
  /// What happened to the frames so far.
  public private(set) var counters = Counters()

  private var random: SeededRandom
  private var ports: [Port] = []
  /// The port each source MAC address was last seen on, when forwarding as a learning switch.
  private var learnedPorts: [MACAddress: PortID] = [:]

  /// A wire with `configuration`'s faults, drawn from a generator seeded with `seed`.
  public init(
    configuration: SimulatedWireConfiguration = SimulatedWireConfiguration(), seed: UInt64
  ) {
    for probability in [
      configuration.dropProbability, configuration.duplicateProbability,
      configuration.reorderProbability, configuration.corruptProbability,
    ] {
      precondition(probability >= 0 && probability <= 1, "a probability lies between 0 and 1")
    }
    precondition(configuration.latency >= .zero, "a wire cannot deliver before sending")
    precondition(configuration.reorderDelay >= .zero, "a reorder delay cannot be negative")
    precondition(configuration.bitsPerSecond != 0, "a link needs a bit rate above zero")
    precondition(
      configuration.maximumFrameLength > 0 && configuration.maximumFrameLength <= 1 << 24,
      "frames are at most 16 MiB long")
    precondition(configuration.queueLimit > 0, "a port must be able to queue a frame")
    precondition(configuration.maximumPorts > 0, "a wire needs room for a port")
    precondition(configuration.maximumLearnedAddresses >= 0, "a table cannot be negative")
    self.configuration = configuration
    random = SeededRandom(seed: seed)
  }

  /// Attaches a new port and returns it. At most `maximumPorts` may attach.
  public mutating func attach() -> PortID {
    precondition(ports.count < configuration.maximumPorts, "the wire has no free port")
    ports.append(Port())
    return PortID(index: ports.count - 1)
  }

  /// Sends `frame` from port `source` at `now`. The copies that survive the wire's faults reach
  /// their ports after the latency (and the link's transmission time, if its rate is limited).
  public mutating func send(_ frame: [UInt8], from source: PortID, now: Instant) {
    precondition(ports.indices.contains(source.index), "\(source) is not attached")
    counters.sent += 1
    guard frame.count <= configuration.maximumFrameLength else {
      counters.oversized += 1
      return
    }
    for destination in destinations(of: frame, from: source) {
      carry(frame, to: destination, now: now)
    }
  }

  /// The next frame for port `port` whose delivery time is `now` or earlier, or nil if there is
  /// none yet. Frames come out in order of delivery time; those due at the same time in the order
  /// they were sent.
  public mutating func receive(at port: PortID, now: Instant) -> [UInt8]? {
    precondition(ports.indices.contains(port.index), "\(port) is not attached")
    guard let first = ports[port.index].pending.first, first.deliveryTime <= now else {
      return nil
    }
    ports[port.index].pending.removeFirst()
    counters.delivered += 1
    return first.bytes
  }

  /// The earliest delivery time of any frame still on the wire, or nil if the wire is idle.
  public var nextDeliveryTime: Instant? {
    ports.compactMap { $0.pending.first?.deliveryTime }.min()
  }

  /// The earliest delivery time of a frame for `port`, or nil if none is on its way.
  public func nextDeliveryTime(at port: PortID) -> Instant? {
    precondition(ports.indices.contains(port.index), "\(port) is not attached")
    return ports[port.index].pending.first?.deliveryTime
  }

  /// The ports a frame from `source` goes to; as a learning switch, learns its source address.
  private mutating func destinations(of frame: [UInt8], from source: PortID) -> [PortID] {
    let everyOtherPort = ports.indices.filter { $0 != source.index }.map { PortID(index: $0) }
    guard configuration.forwarding == .learningSwitch, frame.count >= 12 else {
      return everyOtherPort
    }
    let destinationAddress = MACAddress(frame[0..<6])
    let sourceAddress = MACAddress(frame[6..<12])
    // A group address is never a valid source; learning it would misdirect broadcasts.
    if !sourceAddress.isMulticast
      && (learnedPorts[sourceAddress] != nil
        || learnedPorts.count < configuration.maximumLearnedAddresses)
    {
      learnedPorts[sourceAddress] = source
    }
    guard !destinationAddress.isMulticast, let port = learnedPorts[destinationAddress] else {
      return everyOtherPort
    }
    // A switch filters a frame whose destination sits on the port it came from.
    return port == source ? [] : [port]
  }

  /// Takes one frame to one port through the wire's faults.
  private mutating func carry(_ frame: [UInt8], to destination: PortID, now: Instant) {
    if random.chance(configuration.dropProbability) {
      counters.dropped += 1
      return
    }
    var copies = 1
    if random.chance(configuration.duplicateProbability) {
      counters.duplicated += 1
      copies = 2
    }
    for _ in 0..<copies {
      enqueue(frame, to: destination, now: now)
    }
  }

  /// Queues one copy for `destination`, possibly corrupted and delayed, unless its queue is full.
  private mutating func enqueue(_ frame: [UInt8], to destination: PortID, now: Instant) {
    guard ports[destination.index].pending.count < configuration.queueLimit else {
      counters.overflowed += 1
      return
    }
    var bytes = frame
    if random.chance(configuration.corruptProbability) && !bytes.isEmpty {
      let byte = Int(random.next(below: UInt64(bytes.count)))
      bytes[byte] ^= 1 << UInt8(random.next(below: 8))
      counters.corrupted += 1
    }
    var deliveryTime = transmit(length: bytes.count, to: destination, now: now)
    deliveryTime = deliveryTime.advanced(by: configuration.latency)
    if random.chance(configuration.reorderProbability) {
      let longest = UInt64(configuration.reorderDelay.nanosecondsClamped)
      let extra = random.next(below: longest &+ 1)
      deliveryTime = deliveryTime.advanced(by: .nanoseconds(Int64(clamping: extra)))
      counters.delayed += 1
    }
    insert(PendingFrame(deliveryTime: deliveryTime, bytes: bytes), into: destination)
  }

  /// Puts `length` bytes on the link to `destination` behind the frames already on it, and
  /// returns when the last bit has left: `now` itself when the rate is unlimited.
  private mutating func transmit(length: Int, to destination: PortID, now: Instant) -> Instant {
    guard let bitsPerSecond = configuration.bitsPerSecond else { return now }
    let start = max(now, ports[destination.index].linkFreeAt)
    // Cannot overflow: frames are at most 16 MiB (checked in init), and 2^24 × 8 × 10^9 < 2^64.
    let nanoseconds = UInt64(length) * 8 * 1_000_000_000 / bitsPerSecond
    let end = start.advanced(by: .nanoseconds(Int64(clamping: nanoseconds)))
    ports[destination.index].linkFreeAt = end
    return end
  }

  /// Inserts `frame` after every frame due at or before its delivery time, which keeps the queue
  /// sorted and frames due at the same time in the order they were queued.
  private mutating func insert(_ frame: PendingFrame, into destination: PortID) {
    var low = 0
    var high = ports[destination.index].pending.count
    while low < high {
      let middle = (low + high) / 2
      if ports[destination.index].pending[middle].deliveryTime <= frame.deliveryTime {
        low = middle + 1
      } else {
        high = middle
      }
    }
    ports[destination.index].pending.insert(frame, at: low)
  }
}
