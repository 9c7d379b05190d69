// A sensor appliance on the `process` target. Its drivers read the simulated board's chip
// models (`--board sim`), whose physical world the stand-in `SimulatedEnvironment` moves; real
// boards come with the sensor profiles (docs/ARCHITECTURE.md). Readings wait in a durable outbox
// in the data directory until the hub acknowledges them.

import ApplianceCore
import Glibc
import HostPlatform
import Net
import Readings

let usage = """
  usage: appliance --kind plant-pot|fridge --hub http://HOST:PORT [options]
    --id ID           appliance id (default: the kind)
    --board sim       the board whose chips are read (default and, for now, only: sim, the
                      simulated I2C bus with chip models of the kind's sensors)
    --interval S      seconds between a chip's measurements (default 3)
    --api-port N      serve the local JSON API (/api/v1/sensors, /api/v1/sensors/ID/latest,
                      /api/v1/health) on port N of every address (or of --net's address)
    --data DIR        the outbox log and reserved sequence numbers (default ./appliance-data/ID);
                      one appliance per directory
    --outbox-limit N  readings kept while the hub is unreachable (default 10000); past that the
                      oldest are downsampled (pairs of one sensor averaged), never dropped
    --time-scale X    simulated seconds per real second of the stand-in physical models that
                      the simulated chips measure (default 60)
    --clock-rate X    for tests and demos: run the appliance's clock X times faster than real
                      time (sampling, timestamps, retry backoff; default 1)
    --seed N          seed of the simulation (default: from the id)
    --net SPEC        publish over Loam's own TCP/IP stack instead of the host's sockets:
                        tap:NAME,ip=ADDRESS/PREFIX[,gw=ADDRESS] | tap:NAME,dhcp
                        segment:PATH,ip=...|dhcp   (the rootless virtual Ethernet switch)
                      (--hub may name hub.local: the stack asks over mDNS; for testing
                      only, add impair=loss:0.05,delay:20ms,reorder:0.1 last: see `hub --help`)
  """

func runAppliance() -> Int32 {
  var options = CommandLineOptions(CommandLine.arguments.dropFirst(), usage: usage)
  guard let kindName = options.value("--kind"),
    let kind = SimulatedEnvironment.Kind(rawValue: kindName)
  else {
    writeLine("appliance: --kind must be plant-pot or fridge\n\(usage)", to: STDERR_FILENO)
    return 2
  }
  guard let hubURL = options.value("--hub"), let hub = HubAddress(url: hubURL) else {
    writeLine(
      "appliance: --hub must be a URL such as http://127.0.0.1:8080\n\(usage)", to: STDERR_FILENO)
    return 2
  }
  let applianceID = options.value("--id") ?? kind.rawValue
  guard Identifier.isValid(applianceID) else {
    writeLine(
      "appliance: --id must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", to: STDERR_FILENO)
    return 2
  }
  let boardName = options.value("--board") ?? "sim"
  guard boardName == "sim" else {
    writeLine(
      "appliance: --board \(boardName): only the simulated board (sim) is supported yet; real "
        + "boards come with the sensor profiles", to: STDERR_FILENO)
    return 2
  }
  let interval = options.number("--interval", in: 0.05...86_400) ?? 3
  let apiPort = options.port("--api-port")
  let dataDirectory = options.value("--data") ?? "appliance-data/\(applianceID)"
  let timeScale = options.number("--time-scale", in: 0.001...1_000_000) ?? 60
  let clockRate = options.number("--clock-rate", in: 0.001...100_000) ?? 1
  let publisherConfiguration = PublisherConfiguration()
  let minimumOutbox = Double(2 * publisherConfiguration.maximumBatchReadings)
  let outboxLimit = Int(options.number("--outbox-limit", in: minimumOutbox...10_000_000) ?? 10_000)
  let seed = options.number("--seed", in: 0...9e15).map { UInt64($0) } ?? stableHash(applianceID)
  var attachment: NetworkAttachment?
  if let spec = options.value("--net") {
    do {
      attachment = try NetworkAttachment(parsing: spec)
    } catch {
      writeLine("appliance: \(error)", to: STDERR_FILENO)
      return 2
    }
  }
  options.finish()

  do {
    try createDirectory(atPath: dataDirectory)
    // One appliance per data directory: two would hand out the same sequence numbers and
    // append to one outbox log.
    let lock = try FileLock(path: dataDirectory + "/lock")
    defer { lock.unlock() }
    let sequences = try SequenceReservation(path: dataDirectory + "/sequence")
    let (outboxLog, outbox) = try OutboxLogFile.open(
      directory: dataDirectory, capacity: outboxLimit
    ) { warning in writeLine("appliance \(applianceID): \(warning)") }
    // Readings in the outbox took their numbers from the reservation, so they are below it,
    // unless the sequence file was removed: reusing numbers would lose readings at the hub.
    guard outbox.lastSequence < sequences.next else {
      writeLine(
        "appliance \(applianceID): \(dataDirectory)/outbox.log holds seq \(outbox.lastSequence)"
          + ", at or above the next reserved one (\(sequences.next)); was the sequence file "
          + "removed? Restore it, or write \(outbox.lastSequence) into it.")
      return 1
    }
    let loop = try EventLoop()
    var transport = HubTransport.hostSockets
    var stack: NetworkStack?
    var impairedDevice: ImpairedFrameDevice?
    if let attachment {
      // A DNS label allows letters, digits and hyphens; an id may also hold '.' and '_'.
      let hostLabel = String(applianceID.map { $0 == "." || $0 == "_" ? "-" : $0 })
      let device = try attachment.openDevice(loop: loop)
      impairedDevice = device as? ImpairedFrameDevice
      stack = try NetworkStack(
        loop: loop, device: device, attachment: attachment, hostLabel: hostLabel)
      transport = .ownStack(stack!)
      let address = stack!.interface.address.map { "\($0)" } ?? "(waiting for DHCP)"
      writeLine("appliance \(applianceID): on Loam's own TCP/IP, \(attachment.device), \(address)")
    }
    defer { stack?.close() }
    let publisher = ReadingPublisher(
      applianceID: applianceID, outbox: outbox, configuration: publisherConfiguration,
      seed: seed ^ 0x5EED)
    let clock = ApplianceClock(rate: clockRate)
    let board = SimulatedApplianceBoard(
      environment: SimulatedEnvironment(kind: kind, seed: seed, timeScale: timeScale),
      interval: .nanoseconds(Int64(interval * 1e9)), start: clock.now())
    let runtime = ApplianceRuntime(
      loop: loop, transport: transport, applianceID: applianceID, hub: hub, clock: clock,
      board: board, publisher: publisher, outboxLog: outboxLog, sequences: sequences)
    var apiServer: HTTPServer?
    var stackAPIServer: StackHTTPServer?
    if let apiPort {
      if let stack {
        stackAPIServer = try StackHTTPServer(stack: stack, port: apiPort, responder: runtime.api)
      } else {
        apiServer = try HTTPServer(
          loop: loop, host: "0.0.0.0", port: apiPort, responder: runtime.api)
      }
      writeLine("appliance \(applianceID): local API on port \(apiPort)")
    }
    defer {
      apiServer?.close()
      withExtendedLifetime(stackAPIServer) {}  // served over the stack until the loop ended
    }
    try loop.onSignals([SIGINT, SIGTERM]) { _ in loop.stop() }
    let rate = clockRate == 1 ? "" : ", clock \(clockRate) times real time"
    writeLine(
      "appliance \(applianceID): simulated \(kind.rawValue) on the simulated board, publishing to "
        + "\(hub)\(rate)")
    runtime.start()
    try loop.run()
    if let impairedDevice {
      writeLine(
        "appliance \(applianceID): impaired frames out: \(impairedDevice.outbound)"
          + "; in: \(impairedDevice.inbound)")
    }
    return 0
  } catch {
    writeLine("appliance \(applianceID): \(error)")
    return 1
  }
}

/// FNV-1a of the id, so that each appliance gets its own simulation without a --seed.
func stableHash(_ text: String) -> UInt64 {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
  return hash
}

exit(runAppliance())
