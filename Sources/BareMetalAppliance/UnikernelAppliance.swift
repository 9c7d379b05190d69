import ApplianceCore
import ApplianceProfiles
import BareMetal
import BoardSupport
import HTTP
import Net
import NetHTTP
import Readings
import Time

/// A sensor appliance as a unikernel: the same sampling plan, drivers, control (alerts, sensor
/// power, pump) and publisher as the `process` target's `ApplianceRuntime`, driven by the poll
/// loop instead of an event loop, publishing over Loam's TCP/IP on the board's network card.
///
/// What differs, and why: there is no disk, so the outbox lives in RAM (bounded, downsampled
/// when full, as on the process target) and a reboot loses what was not yet acknowledged; and
/// sequence numbers start from the boot's wall-clock time (seconds × 10⁶), so that they keep
/// increasing across reboots without a file to remember them in.
public final class UnikernelAppliance {
  private let applianceID: String
  private let hub: HubAddress
  private let sensing: ApplianceSensing
  private var publisher: ReadingPublisher
  private let network: VirtioNetwork
  private let wallClock: (Instant) -> UTCTime
  private var nextSequence: UInt64
  private var hubAddress: IPv4Address?
  private var isResolving = false
  private var exchange: NetHTTPExchange?
  private var hubWasReachable = true
  private var memoryReport = HeapUseReport()

  /// How long one publish may take, connecting included.
  static let requestTimeout = Duration.seconds(15)
  /// How often the loop looks at a connection in progress if no frame wakes it.
  static let exchangePollInterval = Duration.milliseconds(200)

  /// An appliance `applianceID` publishing to `hub` over `network`; `wallClock` gives the
  /// date at an instant, `bootSeconds` (seconds since 1970 at boot) bases the sequence numbers.
  public init(
    applianceID: String, hub: HubAddress, board: any ApplianceBoard, control: ApplianceControl,
    roles: [GPIORole], outboxCapacity: Int, network: VirtioNetwork, seed: UInt64,
    bootSeconds: UInt64, wallClock: @escaping (Instant) -> UTCTime
  ) {
    self.applianceID = applianceID
    self.hub = hub
    sensing = ApplianceSensing(
      applianceID: applianceID, board: board, control: control, roles: roles
    ) { print($0) }
    publisher = ReadingPublisher(
      applianceID: applianceID, outbox: ReadingOutbox(capacity: outboxCapacity), seed: seed)
    self.network = network
    self.wallClock = wallClock
    nextSequence = bootSeconds * 1_000_000 + 1
    hubAddress = IPv4Address(hub.host)
  }

  /// Powers what the profile's roles say before the first sample.
  public func start(now: Instant) { sensing.start(now: now) }

  /// Does what is due: the network's pass, the control, the chips, publishing. Returns when it
  /// wants to run next.
  public func poll(now: Instant) -> Instant {
    for event in network.pass(now: now) { handle(event, now: now) }
    let time = wallClock(now)
    record(sensing.poll(now: now, time: time), time: time)
    // No disk: the log of the outbox's changes has nowhere to go.
    _ = publisher.takeUnwrittenLog()
    _ = publisher.compactLogIfNeeded()
    publish(now: now)
    network.transmit()
    memoryReport.printIfDue(
      now: now, detail: ", outbox \(publisher.outbox.entries.count) readings")
    var next = Instant.earliest(sensing.deadline, network.deadline)
    next = Instant.earliest(next, publisher.deadline)
    next = Instant.earliest(next, memoryReport.deadline)
    if exchange != nil || isResolving {
      next = Instant.earliest(next, now + Self.exchangePollInterval)
    }
    return max(next ?? now + .seconds(1), now)
  }

  /// Acknowledges the network card's interrupt after a wake-up.
  public func acknowledgeInterrupts() { network.acknowledgeInterrupt() }

  // MARK: - Network events and publishing

  private func handle(_ event: NetworkServicesEvent, now: Instant) {
    switch event {
    case .configured(let lease):
      let router = lease.router.map { ", router \($0)" } ?? ""
      print("network: DHCP lease \(lease.subnet)\(router)")
    case .deconfigured:
      print("network: DHCP lease lost")
    case .resolved(_, let resolution):
      isResolving = false
      if case .addresses(let addresses) = resolution, let first = addresses.first {
        hubAddress = first
        print("network: \(hub.host) is \(first)")
      } else {
        print("network: cannot resolve \(hub.host): \(resolution)")
      }
    }
  }

  private func publish(now: Instant) {
    if var running = exchange {
      guard let outcome = running.poll(interface: &network.interface, now: now) else {
        exchange = running
        return
      }
      exchange = nil
      switch outcome {
      case .response(let response): report(publisher.handleResponse(response, now: now))
      case .failure(let reason): report(publisher.handleFailure(reason, now: now))
      }
      _ = publisher.takeUnwrittenLog()
    }
    guard network.hasAddress, publisher.deadline.map({ $0 <= now }) ?? false else { return }
    guard let address = hubAddress else {
      resolveHub(now: now)
      return
    }
    guard let request = publisher.nextRequest(now: now) else { return }
    exchange = NetHTTPExchange(
      request: request, host: hub.hostHeader, address: address, port: hub.port,
      timeout: Self.requestTimeout, interface: &network.interface, now: now)
  }

  private func resolveHub(now: Instant) {
    guard !isResolving else { return }
    guard let name = DNSName(hub.host) else {
      print("network: \(hub.host) is neither an IPv4 address nor a DNS name")
      return
    }
    do throws(NetworkServicesError) {
      if let resolution = try network.services.resolve(
        name, interface: &network.interface, now: now)
      {
        handle(.resolved(name, resolution), now: now)
      } else {
        isResolving = true
      }
    } catch {
      print("network: cannot resolve \(hub.host) yet: \(error)")
    }
  }

  /// Logs each delivery, and a hub that went away once rather than at every retry.
  private func report(_ outcome: ReadingPublisher.Outcome) {
    switch outcome {
    case .acknowledged(let count, let sequence):
      if !hubWasReachable || count > 0 {
        print("hub \(hub): delivered \(count) readings (through seq \(sequence))")
      }
      hubWasReachable = true
    case .rejected(let count, let message):
      print("hub \(hub): rejected \(count) readings as invalid, dropped them: \(message)")
    case .willRetry(let reason, let delay):
      if hubWasReachable {
        // Embedded Swift cannot print a Duration.
        print(
          "hub \(hub) unreachable (\(reason)); keeping readings, retrying in "
            + "\(delay.millisecondsClamped) ms")
      }
      hubWasReachable = false
    }
  }

  /// Puts what the chips measured into the outbox, and prints it.
  private func record(_ events: [SamplingScheduler.Event], time: UTCTime) {
    for case .sampled(_, let values) in events {
      for value in values {
        let reading = value.reading(ofAppliance: applianceID, time: time, sequence: nextSequence)
        nextSequence += 1
        publisher.enqueue(reading)
        print(value.consoleLine(ofAppliance: applianceID))
      }
    }
  }
}
