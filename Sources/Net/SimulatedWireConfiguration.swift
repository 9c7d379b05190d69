/// How a `SimulatedWire` forwards frames and which faults it injects.
///
/// Each fault is decided independently for every copy of a frame on its way to one port, with
/// the wire's seeded generator. The defaults describe a perfect wire: 100 µs of latency, no
/// faults, no bandwidth limit.
public struct SimulatedWireConfiguration: Sendable {
  /// Where a frame goes.
  public enum Forwarding: Sendable {
    /// To every other port, as on a hub or a shared coaxial segment.
    case hub
    /// As a learning switch does: each frame's source MAC address is learned for the port that
    /// sent it; a frame to a learned unicast address goes to that port alone, and everything
    /// else (broadcast, multicast, unknown addresses, frames too short to hold two addresses)
    /// to every other port.
    case learningSwitch
  }

  /// Where frames go; a learning switch by default.
  public var forwarding: Forwarding = .learningSwitch

  /// The one-way delay every frame has, from the end of its transmission to its delivery.
  public var latency: Duration = .microseconds(100)

  /// The probability that a frame is lost on its way to a port.
  public var dropProbability: Double = 0

  /// The probability that a port receives a frame twice. Each copy then meets the other faults
  /// (delay, corruption, a full queue) on its own.
  public var duplicateProbability: Double = 0

  /// The probability that a frame is held back by an extra delay, which lets later frames
  /// overtake it.
  public var reorderProbability: Double = 0

  /// The largest extra delay a held-back frame gets; the delay is uniform between zero and this.
  public var reorderDelay: Duration = .milliseconds(1)

  /// The probability that one bit of a frame, chosen uniformly, is flipped on the way.
  public var corruptProbability: Double = 0

  /// The bit rate of the link to each port, or nil for no limit. Frames to the same port are
  /// sent one after the other, each taking its length in bits divided by this rate, so a burst
  /// queues up just as it would at a switch's output.
  public var bitsPerSecond: UInt64? = nil

  /// The most frames that may be on their way to one port or delivered but not yet received;
  /// further frames to that port are dropped (tail drop), like a full switch buffer or receive
  /// ring.
  public var queueLimit: Int = 256

  /// The longest frame the wire carries (at most 16 MiB); longer frames are dropped and counted.
  /// The default allows an Ethernet frame with a 1500-byte payload, a VLAN tag and the frame
  /// check sequence.
  public var maximumFrameLength: Int = 1522

  /// The most ports that may attach.
  public var maximumPorts: Int = 64

  /// The most MAC addresses a learning switch remembers; frames to addresses it could not learn
  /// are flooded.
  public var maximumLearnedAddresses: Int = 1024

  /// A perfect wire: 100 µs latency, no faults, no bandwidth limit.
  public init() {}
}
