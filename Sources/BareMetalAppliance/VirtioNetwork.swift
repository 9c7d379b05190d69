import BareMetal
import Net
import Time
import VirtIO

/// Loam's TCP/IP stack on a virtio network card: the unikernel's counterpart of the `process`
/// target's `NetworkStack`, without an event loop. Each `pass` hands the interface the frames
/// the card received, runs the interface's and the services' timers, and gives the card the
/// frames the interface queued.
public final class VirtioNetwork {
  /// The interface; its sockets are the appliance's to use between passes.
  public var interface: NetworkInterface
  /// DHCP, the DNS and mDNS resolvers and the mDNS responder.
  public var services: NetworkServices
  /// Whether the interface has an address, from DHCP or given.
  public var hasAddress: Bool { interface.configuration.routes != nil }
  private var card: VirtioNetDevice<DeviceRegisters, DataMemoryBarrier>
  /// The frame buffer the card fills, reused for every frame.
  private var frame: [UInt8] = []
  /// Frames taken from the card in one pass at most: the rest wait for the next.
  static let maximumFramesPerPass = 64

  /// The stack on `card` with the address and routes `routes`, or asking DHCP for them when
  /// nil; `hostLabel` is the name the responder answers for (`hostLabel.local`), and the
  /// randomness comes from `Entropy`.
  public init(
    card: consuming VirtioNetDevice<DeviceRegisters, DataMemoryBarrier>,
    macAddress: MACAddress, routes: IPv4Routes?, hostLabel: String, now: Instant
  ) throws(NetworkServicesError) {
    self.card = card
    interface = NetworkInterface(
      configuration: NetworkInterface.Configuration(
        macAddress: macAddress, routes: routes, secret: Entropy.bytes(16)))
    guard
      let services = NetworkServices(
        hostLabel: hostLabel, macAddress: macAddress, seed: Entropy.next())
    else { preconditionFailure("the host label is a DNS label") }
    self.services = services
    interface.start(now: now)
    try self.services.start(interface: &interface, now: now, dhcp: routes == nil)
    transmit()
  }

  /// Frames in, timers, services, frames out; returns what the services report (a lease
  /// gained or lost, a name resolved).
  public func pass(now: Instant) -> [NetworkServicesEvent] {
    receive(now: now)
    if let deadline = interface.deadline, deadline <= now, deadline != .zero {
      interface.poll(now: now)
    }
    let events = services.poll(interface: &interface, now: now)
    transmit()
    return events
  }

  /// Gives the card what the interface queued since the last pass (after the appliance used
  /// its sockets).
  public func transmit() {
    while card.hasFreeTransmitBuffer(), let outgoing = interface.transmit() {
      _ = card.transmit(frame: outgoing)
    }
  }

  /// When the interface or the services next need a pass, if not before a frame arrives.
  public var deadline: Instant? { Instant.earliest(interface.deadline, services.deadline) }

  /// Acknowledges the card's interrupt, which ended the loop's wait.
  public func acknowledgeInterrupt() {
    do throws(VirtioError) {
      _ = try card.acknowledgeInterrupt()
    } catch {
      fatalError("the network card needs a reset: \(error)")
    }
  }

  private func receive(now: Instant) {
    for _ in 0..<Self.maximumFramesPerPass {
      guard card.receive(into: &frame) else { return }
      interface.receive(frame: frame, now: now)
    }
  }
}
