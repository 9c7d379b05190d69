import ApplianceCore
import HTTP
import HostPlatform
import Net
import Readings
import Time

/// How an appliance reaches the hub: the host's sockets, or Loam's own TCP/IP stack on a
/// device of its own (which resolves `hub.local` over mDNS itself).
enum HubTransport {
  case hostSockets
  case ownStack(NetworkStack)
}

/// A simulated appliance on the `process` target: samples its environment on a timer and
/// publishes through `ReadingPublisher`, one TCP connection per request.
final class ApplianceRuntime {
  private let loop: EventLoop
  private let transport: HubTransport
  private let applianceID: String
  private let hub: HubAddress
  private let sampleInterval: Duration
  private var environment: SimulatedEnvironment
  private var publisher: ReadingPublisher
  private var sequences: SequenceReservation
  private var lastSampleAt: Instant
  private var retryTimer: TimerID?
  private var hubWasReachable = true

  /// How long one publish may take, connecting included.
  static let requestTimeout = Duration.seconds(15)

  init(
    loop: EventLoop, transport: HubTransport, applianceID: String, hub: HubAddress,
    sampleInterval: Duration, environment: SimulatedEnvironment, sequences: SequenceReservation,
    seed: UInt64
  ) {
    self.loop = loop
    self.transport = transport
    self.applianceID = applianceID
    self.hub = hub
    self.sampleInterval = sampleInterval
    self.environment = environment
    self.sequences = sequences
    self.publisher = ReadingPublisher(applianceID: applianceID, seed: seed)
    self.lastSampleAt = loop.now
  }

  /// Starts sampling at once and then every `sampleInterval`.
  func start() {
    sample()
  }

  private func sample() {
    let now = MonotonicClock.now()
    let elapsed = now.duration(since: lastSampleAt)
    lastSampleAt = now
    let seconds = Double(elapsed.nanosecondsClamped) / 1e9
    let time = WallClock.now()
    for sample in environment.advance(realSeconds: seconds) {
      let sequence: UInt64
      do throws(SequenceReservationError) {
        sequence = try sequences.take()
      } catch {
        log("cannot reserve sequence numbers, stopping: \(error)")
        loop.stop()
        return
      }
      publisher.enqueue(
        Reading(
          sensorID: "\(applianceID).\(sample.sensorName)", quantity: sample.quantity,
          unit: sample.unit, value: sample.value, time: time, sequence: sequence))
    }
    publish(now: now)
    _ = loop.schedule(at: now + sampleInterval) { [weak self] in self?.sample() }
  }

  /// Sends the next batch if one is due, or arranges to try again when the backoff ends.
  private func publish(now: Instant) {
    if let retryTimer { loop.cancel(retryTimer) }
    retryTimer = nil
    guard let request = publisher.nextRequest(now: now) else {
      if let deadline = publisher.deadline {
        retryTimer = loop.schedule(at: deadline) { [weak self] in
          self?.publish(now: MonotonicClock.now())
        }
      }
      return
    }
    let exchange = HTTPClientExchange(
      request: request, hostHeader: hub.hostHeader, timeout: Self.requestTimeout
    ) { [weak self] result in
      self?.finishPublishing(result)
    }
    switch transport {
    case .hostSockets:
      _ = TCPClientConnection.connect(
        loop: loop, host: hub.host, port: hub.port, timeout: Self.requestTimeout,
        handler: exchange)
    case .ownStack(let stack):
      let port = hub.port
      if let address = IPv4Address(hub.host) {
        StackTCPClientConnection.connect(
          stack: stack, address: address, port: port, timeout: Self.requestTimeout,
          handler: exchange)
        return
      }
      guard let name = DNSName(hub.host) else {
        return finishPublishing(
          .failure(.connection(.resolutionFailed(.notNumeric(host: hub.host)))))
      }
      stack.resolve(name) { [weak self] resolution in
        guard let self else { return }
        guard case .addresses(let addresses) = resolution, let address = addresses.first else {
          let failure = AddressError.resolutionFailed(host: hub.host, message: "\(resolution)")
          return finishPublishing(.failure(.connection(.resolutionFailed(failure))))
        }
        StackTCPClientConnection.connect(
          stack: stack, address: address, port: port, timeout: Self.requestTimeout,
          handler: exchange)
      }
    }
  }

  private func finishPublishing(_ result: Result<HTTPClientResponse, HTTPExchangeError>) {
    let now = MonotonicClock.now()
    let outcome: ReadingPublisher.Outcome
    switch result {
    case .success(let response): outcome = publisher.handleResponse(response, now: now)
    case .failure(let error): outcome = publisher.handleFailure("\(error)", now: now)
    }
    report(outcome)
    publish(now: now)
  }

  /// Logs changes of state rather than every request, so a long outage is a few lines.
  private func report(_ outcome: ReadingPublisher.Outcome) {
    switch outcome {
    case .acknowledged(let count, let sequence):
      if !hubWasReachable {
        log("hub \(hub) reachable again; delivered \(count) readings (through seq \(sequence))")
      }
      hubWasReachable = true
    case .rejected(let count, let message):
      log("the hub rejected \(count) readings as invalid, dropped them: \(message)")
    case .willRetry(let reason, let delay):
      if hubWasReachable {
        log("hub \(hub) unreachable (\(reason)); keeping readings, retrying in \(delay)")
      }
      hubWasReachable = false
      if publisher.overflowCount > 0 {
        log("outbox full: \(publisher.overflowCount) oldest readings dropped so far")
      }
    }
  }

  private func log(_ message: String) {
    writeLine("appliance \(applianceID): \(message)")
  }
}
