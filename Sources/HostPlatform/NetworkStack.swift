import Net
import Time

/// Something that uses a `NetworkStack`'s sockets: a server or client that the stack calls once
/// per pass, after received frames and due timers were handled and before frames go out.
public protocol NetworkStackUser: AnyObject {
  /// Does the socket work there is to do now: accept, read, write, close.
  func service(_ stack: NetworkStack, now: Instant)
  /// When the user next wants `service` for a timer of its own (an HTTP timeout, say).
  var deadline: Instant? { get }
}

/// Loam's own TCP/IP stack on an event loop: a sans-IO `NetworkInterface` over a `FrameDevice`
/// (a TAP device, or a port on the rootless virtual switch), with DHCP and mDNS from
/// `NetworkServices`.
///
/// Each pass reads the frames that arrived, runs the interface's and the services' timers, lets
/// every user do its socket work, and writes the frames the interface queued; then it books a
/// timer for the earliest deadline of any of them. A pass runs when the device is readable or
/// that timer fires, and when a user asks (`servicePass`).
public final class NetworkStack {
  /// The interface: its sockets are the users' to call between passes.
  public var interface: NetworkInterface
  /// DHCP, the resolver and the mDNS responder.
  public private(set) var services: NetworkServices
  /// The lease DHCP granted, if DHCP is in use and granted one.
  public private(set) var lease: DHCPLease?
  /// Frames the device refused to take (a full device queue, or a switch that is not there).
  public private(set) var deviceWriteFailures = 0
  /// The last error writing to the device, for the operator's log.
  public private(set) var lastDeviceError: SystemError?

  private let loop: EventLoop
  private let device: FrameDevice
  private var users: [NetworkStackUser] = []
  private var timer: (id: TimerID, at: Instant)?
  private var onEvent: (NetworkServicesEvent) -> Void = { _ in }
  /// Names being resolved, and who waits for each.
  private var pendingResolutions: [(name: DNSName, completion: (DNSResolution) -> Void)] = []
  /// Whether a pass is running, and whether another was asked for meanwhile (a user's callback
  /// that opens a connection, say): passes never nest, they follow each other.
  private var inPass = false
  private var passRequested = false
  /// Frames read per readable event before the pass goes on to write (fairness to the loop).
  private let maximumFramesPerPass = 256

  /// Starts the stack on `device`: registers it with `loop`, announces the interface and
  /// starts the services; with `dhcp`, the interface gets its address from a lease, otherwise
  /// it keeps the one in `configuration`. `onEvent` hears of leases gained and lost.
  public init(
    loop: EventLoop, device: FrameDevice, configuration: NetworkInterface.Configuration,
    hostLabel: String, dhcp: Bool, onEvent: @escaping (NetworkServicesEvent) -> Void = { _ in }
  ) throws {
    guard
      let services = NetworkServices(
        hostLabel: hostLabel, macAddress: configuration.macAddress,
        seed: SystemEntropy.bytes(8).reduce(0) { $0 << 8 | UInt64($1) })
    else { throw NetworkStackError.invalidHostLabel(hostLabel) }
    self.loop = loop
    self.device = device
    self.services = services
    self.onEvent = onEvent
    interface = NetworkInterface(configuration: configuration)
    let now = loop.now
    interface.start(now: now)
    try self.services.start(interface: &interface, now: now, dhcp: dhcp)
    try loop.register(
      fileDescriptor: device.fileDescriptor, interest: .readable,
      handler: ClosureEventHandler { [unowned self] _ in servicePass() })
    servicePass()
  }

  /// Adds a user; its `service` runs from the next pass on.
  public func attach(_ user: NetworkStackUser) {
    users.append(user)
    servicePass()
  }

  /// Removes a user.
  public func detach(_ user: NetworkStackUser) {
    users.removeAll { $0 === user }
  }

  /// Stops using the device.
  public func close() {
    try? loop.deregister(fileDescriptor: device.fileDescriptor)
    if let timer { loop.cancel(timer.id) }
    timer = nil
    users = []
    device.close()
  }

  /// Resolves `name` (a `.local` name over mDNS, any other through the DHCP lease's DNS
  /// server); `completion` runs from a later pass, never from inside this call.
  public func resolve(_ name: DNSName, completion: @escaping (DNSResolution) -> Void) {
    let now = MonotonicClock.now()
    do {
      if let known = try services.resolve(name, interface: &interface, now: now) {
        loop.runAtEndOfIteration { completion(known) }
      } else {
        pendingResolutions.append((name, completion))
      }
    } catch {
      loop.runAtEndOfIteration { completion(.failed(.noServer)) }
    }
    servicePass()
  }

  /// One pass: frames in, timers, users, frames out, next timer. Asked for during a pass, it
  /// runs right after that pass instead.
  public func servicePass() {
    guard !inPass else {
      passRequested = true
      return
    }
    inPass = true
    defer { inPass = false }
    // A few in a row at most; frames still queued after that go out at the next timer, which
    // the interface books at once while it holds any.
    for _ in 0..<4 {
      passRequested = false
      runPass()
      if !passRequested { return }
    }
  }

  private func runPass() {
    let now = MonotonicClock.now()
    readFrames(into: &interface, now: now)
    if let deadline = interface.deadline, deadline <= now, deadline != .zero {
      interface.poll(now: now)
    }
    for event in services.poll(interface: &interface, now: now) {
      switch event {
      case .configured(let lease): self.lease = lease
      case .deconfigured: lease = nil
      case .resolved(let name, let resolution):
        let waiting = pendingResolutions.filter { $0.name == name }
        pendingResolutions.removeAll { $0.name == name }
        for entry in waiting { entry.completion(resolution) }
      }
      onEvent(event)
    }
    for user in users { user.service(self, now: now) }
    writeFrames(from: &interface)
    scheduleNextPass()
  }

  // These two take the interface once for a whole batch of frames, rather than once a frame:
  // each access to a class's property costs a run-time exclusivity check.

  private func readFrames(into interface: inout NetworkInterface, now: Instant) {
    for _ in 0..<maximumFramesPerPass {
      let received: Void?
      do {
        received = try device.readFrame { interface.receive(frame: $0, now: now) }
      } catch {
        lastDeviceError = error
        return
      }
      guard received != nil else { return }
    }
    // More may be waiting: the loop reports the device readable again on its next wait.
  }

  private func writeFrames(from interface: inout NetworkInterface) {
    while let frame = interface.transmit() {
      do {
        try device.writeFrame(frame)
      } catch {
        deviceWriteFailures += 1
        lastDeviceError = error
      }
    }
  }

  /// Books one timer for the earliest deadline of the interface, the services and the users.
  /// A timer already booked no later than that stays: a pass that finds nothing due costs less
  /// than moving the timer on every pass, as a retransmission deadline does with every ACK.
  private func scheduleNextPass() {
    var earliest = Instant.earliest(interface.deadline, services.deadline)
    for user in users { earliest = Instant.earliest(earliest, user.deadline) }
    guard let next = earliest else { return }
    if let timer {
      if timer.at <= next { return }
      loop.cancel(timer.id)
    }
    let id = loop.schedule(at: next) { [weak self] in
      self?.timer = nil
      self?.servicePass()
    }
    timer = (id, next)
  }
}

/// Why a `NetworkStack` could not start.
public enum NetworkStackError: Error, CustomStringConvertible {
  /// The host name is not a DNS label (empty, or over 63 bytes).
  case invalidHostLabel(String)

  public var description: String {
    switch self {
    case .invalidHostLabel(let label):
      return "network: \"\(label)\" cannot be a host name (1 to 63 bytes)"
    }
  }
}
