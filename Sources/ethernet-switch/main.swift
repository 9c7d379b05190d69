// The rootless virtual Ethernet segment: a learning switch between Unix sockets, so hub and
// appliance processes and QEMU guests share a LAN without root or TAP devices.

import Glibc
import HostPlatform

let usage = """
  usage: ethernet-switch --socket PATH [--stream PATH]
    --socket PATH  the segment's datagram socket: one Ethernet frame per datagram
    --stream PATH  also listen for QEMU's stream netdev (4-byte length before each frame)
  """

func log(_ message: String) {
  writeLine("ethernet-switch: \(message)")
}

func runSwitch() -> Int32 {
  var options = CommandLineOptions(CommandLine.arguments.dropFirst(), usage: usage)
  guard let socketPath = options.value("--socket") else {
    writeLine("--socket is required\n\(usage)", to: STDERR_FILENO)
    return 2
  }
  let streamPath = options.value("--stream")
  options.finish()

  do {
    let loop = try EventLoop()
    let segment = try VirtualEthernetSwitch(
      loop: loop, socketPath: socketPath, streamPath: streamPath)
    try loop.onSignals([SIGINT, SIGTERM]) { _ in loop.stop() }
    var joining =
      "-netdev dgram,id=n0,local.type=unix,local.path=GUEST.sock,"
      + "remote.type=unix,remote.path=\(segment.socketPath)"
    var listening = segment.socketPath
    if let streamPath = segment.streamPath {
      joining += " or -netdev stream,id=n0,server=off,addr.type=unix,addr.path=\(streamPath)"
      listening += " and \(streamPath)"
    }
    log(
      "listening on \(listening); join with "
        + "VirtualEthernetPort(switchPath:) or QEMU \(joining) (GUEST.sock: an absolute path "
        + "that does not exist yet)")
    try loop.run()
    log("stopping: \(segment.counters)")
    segment.close()
    return 0
  } catch {
    log("cannot run: \(error)")
    return 1
  }
}

exit(runSwitch())
