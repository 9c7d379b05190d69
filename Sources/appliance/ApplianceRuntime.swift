import ApplianceCore
import ApplianceProfiles
import BoardSupport
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

/// An appliance on the `process` target: its `ApplianceSensing` samples the chips of its board
/// when the board's `SamplingScheduler` says and acts on them (alerts, the sensors' power, the
/// pump); the runtime keeps each reading in the durable outbox (`ReadingPublisher` over
/// `ReadingOutbox`, logged in `OutboxLogFile`) before offering it, and publishes one TCP
/// connection per request.
///
/// Time is the `ApplianceClock`'s (real time, or faster with `--clock-rate`). What it samples,
/// publishes and controls is kept in `api`'s status for the local JSON API; the board's status
/// LED, if it has one, blinks at each acknowledgement.
final class ApplianceRuntime {
  private let loop: EventLoop
  private let transport: HubTransport
  private let applianceID: String
  private let hub: HubAddress
  private let clock: ApplianceClock
  private let sensing: ApplianceSensing
  private let statusLED: StatusLED?
  private var publisher: ReadingPublisher
  private let outboxLog: OutboxLogFile
  private var sequences: SequenceReservation
  /// The local API's responder, shared with its server; the runtime keeps its status current.
  let api: HTTPResponderBox<ApplianceAPI>
  private var retryTimer: TimerID?
  private var hubWasReachable = true
  private var downsampledReported = 0
  private var isStopping = false

  /// How long one publish may take, connecting included (real time).
  static let requestTimeout = Duration.seconds(15)

  init(
    loop: EventLoop, transport: HubTransport, applianceID: String, hub: HubAddress,
    clock: ApplianceClock, board: any ApplianceBoard, statusLED: StatusLED?,
    control: ApplianceControl, roles: [GPIORole], publisher: ReadingPublisher,
    outboxLog: OutboxLogFile, sequences: SequenceReservation
  ) {
    self.loop = loop
    self.transport = transport
    self.applianceID = applianceID
    self.hub = hub
    self.clock = clock
    self.statusLED = statusLED
    sensing = ApplianceSensing(
      applianceID: applianceID, board: board, control: control, roles: roles
    ) { writeLine("appliance \(applianceID): \($0)") }
    self.publisher = publisher
    self.outboxLog = outboxLog
    self.sequences = sequences
    var status = ApplianceStatus(applianceID: applianceID, board: board.name, chips: board.chips)
    status.outboxCapacity = publisher.outbox.capacity
    status.control = control
    api = HTTPResponderBox(ApplianceAPI(status: status))
  }

  /// Reports what waits from an earlier run, powers the sensors, then starts sampling.
  func start() {
    let entries = publisher.outbox.entries
    if let first = entries.first, let last = entries.last {
      log(
        "outbox: \(entries.count) readings waiting from an earlier run "
          + "(seq \(first.reading.sequence) through \(last.reading.sequence))")
    }
    sensing.start(now: clock.now())
    sample()
  }

  /// Switches the pump off, as the appliance stops: nothing must run unattended.
  func finish() {
    sensing.finish(now: clock.now())
  }

  /// Moves the control on, runs the chips that are due (unless their power is off), makes
  /// their readings durable in the outbox log, then publishes, and comes back at the board's or
  /// the control's next deadline.
  private func sample() {
    guard !isStopping else { return }
    let now = clock.now()
    let time = clock.wallTime(at: now)
    guard record(sensing.poll(now: now, time: time), time: time) else { return }
    api.responder.status.control = sensing.control
    // One fdatasync for every reading of this wake-up, before any of them is offered.
    guard writeOutboxLog(synchronize: true) else { return }
    reportDownsampling()
    publish(now: now)
    _ = loop.schedule(at: clock.realInstant(at: sensing.deadline)) { [weak self] in
      self?.sample()
    }
  }

  /// Puts what the chips measured into the outbox and the status; false if the appliance had
  /// to stop.
  private func record(_ events: [SamplingScheduler.Event], time: UTCTime) -> Bool {
    for event in events {
      switch event {
      case .sampled(let address, let values):
        api.responder.status.setState(.measuring, ofChipAt: address)
        for value in values {
          let sequence: UInt64
          do throws(SequenceReservationError) {
            sequence = try sequences.take()
          } catch {
            stop("cannot reserve sequence numbers, stopping: \(error)")
            return false
          }
          let reading = value.reading(ofAppliance: applianceID, time: time, sequence: sequence)
          publisher.enqueue(reading)
          api.responder.status.record(reading)
        }
      case .failed(let address, let error):
        api.responder.status.setState(.failing("\(error)"), ofChipAt: address)
      }
    }
    return true
  }

  /// Appends the outbox's new log records; false (and the appliance stops) if that failed,
  /// since a reading that is not durable must not be offered.
  private func writeOutboxLog(synchronize: Bool) -> Bool {
    defer {
      api.responder.status.outboxWaitingCount = publisher.outbox.entries.count
      api.responder.status.outboxDownsampledCount = publisher.outbox.downsampledCount
      api.responder.status.deliveredSequence = publisher.outbox.deliveredSequence
    }
    do {
      try outboxLog.append(publisher.takeUnwrittenLog(), synchronize: synchronize)
    } catch {
      stop("cannot write the outbox log, stopping: \(error)")
      return false
    }
    guard let compacted = publisher.compactLogIfNeeded() else { return true }
    let lengthBefore = outboxLog.length
    do {
      try outboxLog.replace(with: compacted)
    } catch {
      stop("cannot compact the outbox log, stopping: \(error)")
      return false
    }
    log("outbox log compacted from \(lengthBefore) to \(compacted.count) bytes")
    return true
  }

  private func reportDownsampling() {
    let count = publisher.outbox.downsampledCount
    guard count > downsampledReported else { return }
    // Once per thousand, so that a long outage is a few lines.
    if downsampledReported == 0 || count / 1000 > downsampledReported / 1000 {
      log(
        "outbox full (\(publisher.outbox.capacity) readings): merged \(count) pairs of the "
          + "oldest readings into their means so far; none dropped")
    }
    downsampledReported = count
  }

  private func stop(_ message: String) {
    log(message)
    isStopping = true
    loop.stop()
  }

  /// Sends the next batch if one is due, or arranges to try again when the backoff ends.
  private func publish(now: Instant) {
    if let retryTimer { loop.cancel(retryTimer) }
    retryTimer = nil
    guard let request = publisher.nextRequest(now: now) else {
      if let deadline = publisher.deadline {
        retryTimer = loop.schedule(at: clock.realInstant(at: deadline)) { [weak self] in
          guard let self else { return }
          publish(now: clock.now())
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
    guard !isStopping else { return }
    let now = clock.now()
    let outcome: ReadingPublisher.Outcome
    switch result {
    case .success(let response): outcome = publisher.handleResponse(response, now: now)
    case .failure(let error): outcome = publisher.handleFailure("\(error)", now: now)
    }
    report(outcome)
    // An acknowledgement need not be durable at once: lost in a crash, it costs a resend.
    guard writeOutboxLog(synchronize: false) else { return }
    publish(now: now)
  }

  /// Logs changes of state rather than every request, so a long outage is a few lines.
  private func report(_ outcome: ReadingPublisher.Outcome) {
    switch outcome {
    case .acknowledged(let count, let sequence):
      statusLED?.blink()
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
    }
  }

  private func log(_ message: String) {
    writeLine("appliance \(applianceID): \(message)")
  }
}
