// The hub appliance on the `process` target: host sockets, an append-only log on disk, and the
// sans-IO `HubService` in between. This file is the composition, like a MirageOS config.

import Glibc
import HTTP
import HostPlatform
import HubCore
import Time

let usage = """
  usage: hub [--host ADDRESS] [--port N] [--data DIR] [--net SPEC] [--name NAME]
    --host ADDRESS  address to listen on (default 0.0.0.0: every interface)
    --port N        TCP port (default 8080), on the host's sockets and on --net
    --data DIR      where the reading log lives (default ./hub-data)
    --net SPEC      also serve over Loam's own TCP/IP stack, on a device of its own:
                      tap:NAME,ip=ADDRESS/PREFIX[,gw=ADDRESS]   a TAP device (needs root)
                      tap:NAME,dhcp                             the same, address by DHCP
                      segment:PATH,ip=...|dhcp                  the rootless virtual Ethernet
                                                                switch listening at PATH
                    (add mac=02:..:..:..:..:.. to choose the MAC address; for testing only,
                    add impair=loss:0.05,delay:20ms,reorder:0.1[,jitter:5ms][,seed:N] last to
                    lose, delay and reorder frames both ways)
    --name NAME     the host name answered over mDNS on --net (default hub: hub.local)
  """

func log(_ message: String) {
  writeLine("hub: \(message)")
}

func runHub() -> Int32 {
  var options = CommandLineOptions(CommandLine.arguments.dropFirst(), usage: usage)
  let host = options.value("--host") ?? "0.0.0.0"
  let port = options.port("--port") ?? 8080
  let dataDirectory = options.value("--data") ?? "hub-data"
  let hostLabel = options.value("--name") ?? "hub"
  var attachment: NetworkAttachment?
  if let spec = options.value("--net") {
    do {
      attachment = try NetworkAttachment(parsing: spec)
    } catch {
      log("\(error)")
      return 2
    }
  }
  options.finish()

  var index = SensorIndex()
  let store: FileReadingLog
  do {
    store = try FileReadingLog.open(directory: dataDirectory, into: &index) {
      log("warning: \($0)")
    }
  } catch {
    log("cannot start: \(error)")
    return 1
  }
  log(
    "\(dataDirectory)/readings.log: \(index.readingCount) readings of \(index.sensors.count) sensors"
  )

  var storeFailed = false
  do {
    let loop = try EventLoop()
    let hub = HTTPResponderBox(
      HubService(store: store, index: index, now: loop.now, wallClock: WallClock.now()))
    // Group commit: the responses of one loop iteration leave only after one fdatasync has made
    // every reading they acknowledge durable. If it fails, none leave and the hub stops: after a
    // failed fdatasync the log's state on disk is unknown, and the appliances will retry against
    // a restarted hub that replays what the log really holds.
    func makeReadingsDurable() -> Bool {
      do {
        try hub.responder.makeAcceptedReadingsDurable()
        return true
      } catch {
        log("fatal: \(error); stopping without acknowledging the readings since the last sync")
        storeFailed = true
        loop.stop()
        return false
      }
    }
    let server = try HTTPServer(
      loop: loop, host: host, port: port, responder: hub, beforeSending: makeReadingsDurable)
    var stack: NetworkStack?
    var impairedDevice: ImpairedFrameDevice?
    var stackServer: StackHTTPServer?
    if let attachment {
      let device = try attachment.openDevice(loop: loop)
      impairedDevice = device as? ImpairedFrameDevice
      if let impairment = attachment.impairment {
        log("own stack: impaired on purpose (for testing): \(impairment)")
      }
      stack = try NetworkStack(
        loop: loop, device: device, attachment: attachment, hostLabel: hostLabel
      ) { event in
        if case .configured(let lease) = event {
          log("own stack: DHCP lease \(lease.subnet) from \(lease.serverIdentifier)")
        }
      }
      stackServer = try StackHTTPServer(
        stack: stack!, port: port, responder: hub, beforeSending: makeReadingsDurable)
      let address = stack!.interface.address.map { "\($0)" } ?? "(waiting for DHCP)"
      log(
        "serving the API over Loam's own TCP/IP on \(attachment.device), \(address) port \(port)"
          + ", as \(hostLabel).local")
    }
    // Follow the wall clock (NTP may step it) while timeouts keep to the monotonic one.
    func anchorWallClock() {
      hub.responder.setWallClock(WallClock.now(), at: MonotonicClock.now())
      _ = loop.schedule(at: MonotonicClock.now() + .seconds(10)) { anchorWallClock() }
    }
    anchorWallClock()
    var isStopping = false
    try loop.onSignals([SIGINT, SIGTERM]) { _ in
      // Ctrl-C under `make run` delivers SIGINT from the terminal and SIGTERM from the script.
      guard !isStopping else { return }
      isStopping = true
      log("stopping")
      loop.stop()
    }
    let shownHost = host == "0.0.0.0" ? "127.0.0.1" : host
    log("serving the dashboard on http://\(shownHost):\(server.port)/ and the API under /api/v1")
    try loop.run()
    server.close()
    withExtendedLifetime(stackServer) {}  // served over the stack until the loop ended
    stack?.close()
    if let impairedDevice {
      log(
        "own stack: impaired frames out: \(impairedDevice.outbound); in: \(impairedDevice.inbound)")
    }
    return storeFailed ? 1 : 0
  } catch {
    log("cannot serve: \(error)")
    return 1
  }
}

exit(runHub())
