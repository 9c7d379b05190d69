// A sensor appliance on the `process` target, composed from a board description
// (`Boards/<board>/board.json`) and a sensor profile (`Sensors/<kind>.json`): the profile's
// chips are sampled on the board's bus, simulated (`--board sim`, in a simulated world) or a
// Raspberry Pi's /dev/i2c-N (docs/ARCHITECTURE.md), and its GPIO roles driven on the board's
// lines: the status LED, the sensors' power, the pump. Readings wait in a durable outbox in the
// data directory until the hub acknowledges them; the profile's alerts are raised locally.

import ApplianceCore
import ApplianceProfiles
import BoardSupport
import Glibc
import HostPlatform
import LinuxHardware
import Net
import Readings
import SimulatedAppliance
import SimulatedBoard
import Time

let usage = """
  usage: appliance --kind KIND | --profile PATH  --hub http://HOST:PORT [options]
    --kind KIND       the appliance's kind; its profile is Sensors/KIND.json (plant-pot, fridge)
    --profile PATH    the sensor profile (default Sensors/KIND.json): its chips, their bus and
                      addresses, intervals, alert thresholds, GPIO roles and pump settings
    --board NAME      the board, described in Boards/NAME/board.json (default sim):
                        sim                       chip models on a simulated bus, in a
                                                  simulated plant pot or fridge
                        rpi3b, rpi4b, rpi-zero-2w /dev/i2c-N and the GPIO chip, via Linux
    --id ID           appliance id (default: the kind)
    --interval S      for demos and tests: seconds between every chip's measurements, instead
                      of the profile's intervals (the SGP30 publishes the mean of 1 s measurements)
    --api-port N      serve the local JSON API (/api/v1/sensors, /api/v1/sensors/ID/latest,
                      /api/v1/health, /api/v1/alerts) on port N of every address (or of
                      --net's address)
    --data DIR        the outbox log and reserved sequence numbers (default ./appliance-data/ID);
                      one appliance per directory
    --outbox-limit N  readings kept while the hub is unreachable (default 10000); past that the
                      oldest are downsampled (pairs of one sensor averaged), never dropped
    --time-scale X    on the sim board: simulated seconds per appliance second of the physical
                      models that the simulated chips measure (default 60)
    --clock-rate X    for tests and demos: run the appliance's clock X times faster than real
                      time (sampling, timestamps, retry backoff; default 1)
    --clock-start T   for demos: start the appliance's clock at T (RFC 3339, not in the future)
                      instead of now; with --clock-rate above 1 it catches up with real time,
                      then runs at real time (a week of history, then live)
    --seed N          seed of the simulation (default: from the id)
    --net SPEC        publish over Loam's own TCP/IP stack instead of the host's sockets:
                        tap:NAME,ip=ADDRESS/PREFIX[,gw=ADDRESS] | tap:NAME,dhcp
                        segment:PATH,ip=...|dhcp   (the rootless virtual Ethernet switch)
                      (--hub may name hub.local: the stack asks over mDNS; for testing
                      only, add impair=loss:0.05,delay:20ms,reorder:0.1 last: see `hub --help`)
  What the profile's GPIO roles do:
    status-led        lit while the appliance runs, dark for a moment at each delivery
    sensor-power      on from the start; when a chip has not answered for 2 minutes, cut for
                      2 s and the chips probed again; another cycle no sooner than 10 minutes
                      later, doubling to 6 hours while a chip stays gone
    pump-relay        on for the profile's run time (default 8 s) when a soil_moisture "below"
                      alert is raised and a reading since the last run confirms it, then a soak
                      (default 600 s) before the next decision; at most runs_per_day_max
                      (default 4) runs in 24 hours; off when the appliance stops
  Alerts are raised at a threshold and cleared once the value is back past it by the
  threshold's hysteresis; each change is logged here and listed by /api/v1/alerts. They are
  not sent to the hub, which stores readings only.
  Paths are relative to the working directory: run it from the directory that holds Boards/
  and Sensors/. A mistake in either file is reported with its file, line and column, and the
  appliance exits with status 2 before it touches hardware or the network.
  """

func runAppliance() -> Int32 {
  var options = CommandLineOptions(CommandLine.arguments.dropFirst(), usage: usage)
  let kindOption = options.value("--kind")
  let profileOption = options.value("--profile")
  guard let profilePath = profileOption ?? kindOption.map({ "Sensors/\($0).json" }) else {
    writeLine("appliance: give --kind or --profile\n\(usage)", to: STDERR_FILENO)
    return 2
  }
  guard let hubURL = options.value("--hub"), let hub = HubAddress(url: hubURL) else {
    writeLine(
      "appliance: --hub must be a URL such as http://127.0.0.1:8080\n\(usage)", to: STDERR_FILENO)
    return 2
  }
  let idOption = options.value("--id")
  let boardName = options.value("--board") ?? "sim"
  let interval = options.number("--interval", in: 0.05...86_400)
  let apiPort = options.port("--api-port")
  let dataOption = options.value("--data")
  let timeScale = options.number("--time-scale", in: 0.001...1_000_000) ?? 60
  let clockRate = options.number("--clock-rate", in: 0.001...100_000) ?? 1
  let clockStartOption = options.value("--clock-start")
  let publisherConfiguration = PublisherConfiguration()
  let minimumOutbox = Double(2 * publisherConfiguration.maximumBatchReadings)
  let outboxLimit = Int(options.number("--outbox-limit", in: minimumOutbox...10_000_000) ?? 10_000)
  let seedOption = options.number("--seed", in: 0...9e15).map { UInt64($0) }
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
  var clockStart: UTCTime?
  if let clockStartOption {
    guard let time = try? UTCTime(rfc3339: clockStartOption), time <= WallClock.now() else {
      writeLine(
        "appliance: --clock-start must be an RFC 3339 time not in the future, such as "
          + "2026-11-20T08:00:00Z\n\(usage)", to: STDERR_FILENO)
      return 2
    }
    clockStart = time
  }

  guard let configuration = loadConfiguration(boardName: boardName, profilePath: profilePath)
  else { return 2 }
  let profile = configuration.profile
  if let kindOption, kindOption != profile.kind {
    writeLine(
      "appliance: --kind \(kindOption), but \(profilePath) is the profile of a \(profile.kind)",
      to: STDERR_FILENO)
    return 2
  }
  let applianceID = idOption ?? profile.kind
  guard Identifier.isValid(applianceID) else {
    writeLine(
      "appliance: --id must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", to: STDERR_FILENO)
    return 2
  }
  let buses = Set(profile.sensors.map(\.bus)).sorted()
  guard buses.count == 1 else {
    writeLine(
      "appliance: \(profilePath) uses I2C buses \(buses); an appliance reads one bus",
      to: STDERR_FILENO)
    return 2
  }
  let dataDirectory = dataOption ?? "appliance-data/\(applianceID)"
  let seed = seedOption ?? stableHash(applianceID)
  let clock = ApplianceClock(rate: clockRate, start: clockStart)
  let plan = SamplingPlan(
    profile: profile, interval: interval.map { .nanoseconds(Int64($0 * 1e9)) })
  if let clash = plan.publishedNameClash {
    writeLine(
      "appliance: \(profilePath): sensors \(clash.first) and \(clash.second) would both publish "
        + "\(clash.name); rename one", to: STDERR_FILENO)
    return 2
  }
  for threshold in profile.thresholds where plan.publishedName(of: threshold) == nil {
    writeLine(
      "appliance: \(profilePath): the threshold on \(threshold.sensorID) \(threshold.quantity)"
        + " can never be crossed: the appliance does not read that quantity", to: STDERR_FILENO)
    return 2
  }
  let control = ApplianceControl(profile: profile, plan: plan, now: clock.now())

  // The board, before the data directory and the network: a Pi without I2C enabled stops here,
  // with what to change.
  let board: any ApplianceBoard
  if configuration.board.simulatedDevices.isEmpty {
    do {
      // The bus first: a Pi without I2C enabled is told how to enable it.
      let bus = try LinuxI2CBus(busNumber: buses[0])
      var lines: RoleLines<LinuxGPIOChip>?
      if !profile.gpioRoles.isEmpty {
        lines = try RoleLines(
          chip: try LinuxGPIOChip(name: configuration.board.gpioChip), roles: profile.gpioRoles,
          board: configuration.board)
      }
      board = HardwareApplianceBoard(
        name: configuration.board.board, bus: bus, plan: plan, lines: lines, start: clock.now())
    } catch {
      writeLine("appliance \(applianceID): \(error)", to: STDERR_FILENO)
      return 1
    }
  } else {
    let worldStart = clock.now()
    guard
      let world = SimulatedWorld(
        kind: profile.kind, seed: seed, timeScale: timeScale, start: worldStart,
        wallTime: clock.wallTime(at: worldStart))
    else {
      let kinds = SimulatedWorld.kinds.joined(separator: ", ")
      writeLine(
        "appliance: the sim board models the world of \(kinds), not of a \(profile.kind)",
        to: STDERR_FILENO)
      return 2
    }
    do throws(GPIOError) {
      let lines = try RoleLines(
        chip: SimulatedGPIOChip(), roles: profile.gpioRoles, board: configuration.board)
      board = SimulatedApplianceBoard(
        profile: profile, plan: plan, world: world, lines: lines, start: clock.now())
    } catch {
      writeLine("appliance \(applianceID): the sim board's GPIO chip: \(error)", to: STDERR_FILENO)
      return 1
    }
  }

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
    var statusLED: StatusLED?
    if profile.gpioRoles.contains(.statusLED) {
      statusLED = StatusLED(board: board, clock: clock, loop: loop)
    }
    defer { statusLED?.turnOff() }
    let runtime = ApplianceRuntime(
      loop: loop, transport: transport, applianceID: applianceID, hub: hub, clock: clock,
      board: board, statusLED: statusLED, control: control, roles: profile.gpioRoles,
      publisher: publisher, outboxLog: outboxLog, sequences: sequences)
    defer { runtime.finish() }
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
    var clockNote = clockRate == 1 ? "" : ", clock \(clockRate) times real time"
    if let clockStart { clockNote += ", clock started at \(clockStart)" }
    writeLine(
      "appliance \(applianceID): \(profile.name) (\(profilePath)) on board \(board.name), "
        + "publishing to \(hub)\(clockNote)")
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
