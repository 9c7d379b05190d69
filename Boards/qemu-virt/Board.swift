import AArch64
import ApplianceCore
import ApplianceProfiles
import BareMetal
import BareMetalAppliance
import BoardSupport
import DeviceTree
import Net
import Readings
import SimulatedAppliance
import SimulatedBoard
import Time
import VirtIO

/// The `qemu-virt` board: QEMU's emulated aarch64 `virt` machine, as an appliance. It has a
/// UART, the generic timer, a GICv2, a PL031 clock and virtio-mmio devices, and no I2C: its
/// sensors are the `sim` board's chip models in a simulated plant pot or fridge (it says so on
/// its console), and it publishes them over Loam's TCP/IP on a virtio network card.
///
/// Settings come from the boot arguments (QEMU's `-append`): `loam.hub=http://HOST:PORT`
/// (default `http://hub.local:8080`), `loam.id=ID` (default the profile's kind),
/// `loam.ip=ADDRESS/PREFIX[,gw=ADDRESS]` (default: DHCP), and for tests and demos
/// `loam.interval=SECONDS` and `loam.time-scale=X` as the process target's options.
enum Board {
  static let name = "qemu-virt"
  static let description = "QEMU virt (emulated; sensors simulated)"

  /// Brings the machine up and runs the appliance; `deviceTree` is the address QEMU passed.
  static func run(deviceTree: UInt) -> Never {
    // The console first, so that a fault while the MMU goes on is reported. QEMU's PL011
    // needs no divisors; it is configured as on hardware anyway.
    let uart = PL011UART(baseAddress: MemoryMap.uart)
    uart.configure(clockHertz: 24_000_000, baudRate: 115_200)
    Console.attach(uart)
    _ = MemoryMap.withRegions { MMU.enable(mapping: $0) }
    let gic = GICv2(
      distributorAddress: MemoryMap.gicDistributor, cpuInterfaceAddress: MemoryMap.gicCPUInterface)
    gic.enable()
    gic.enableInterrupt(GICv2.physicalTimerInterrupt)
    let timer = GenericTimer()
    printBanner(timer: timer)
    guard ProcessorRandomNumbers.isAvailable else {
      halt("no entropy source: this image needs RNDR (run QEMU with -cpu max)")
    }
    Entropy.use(ProcessorRandomNumbers())
    let arguments = bootArguments(deviceTree: deviceTree)
    switch arguments.value(of: "loam.fault-test") {
    case "unmapped-read": readUnmappedMemory()
    case "out-of-memory": exhaustTheHeap()
    default: break
    }

    let clock = PL031RealTimeClock(baseAddress: MemoryMap.realTimeClock)
    let bootTime = clock.now
    let bootInstant = timer.now
    let appliance = makeAppliance(
      arguments: arguments, gic: gic, now: bootInstant,
      bootSeconds: UInt64(max(bootTime.millisecondsSinceEpoch / 1000, 0))
    ) { instant in
      let elapsed = instant.duration(since: bootInstant)
      return UTCTime(
        millisecondsSinceEpoch: bootTime.millisecondsSinceEpoch + elapsed.millisecondsClamped)
    }
    appliance.start(now: timer.now)
    PollLoop.run(
      timer: timer,
      acknowledgeInterrupts: {
        gic.acknowledgeAll()
        appliance.acknowledgeInterrupts()
      }, step: appliance.poll(now:))
  }

  /// The appliance the built-in profile describes, on the simulated board, on the first
  /// virtio network card.
  private static func makeAppliance(
    arguments: KernelCommandLine, gic: GICv2, now: Instant, bootSeconds: UInt64,
    wallClock: @escaping (Instant) -> UTCTime
  ) -> UnikernelAppliance {
    let configuration = builtInConfiguration()
    let profile = configuration.profile
    let applianceID = arguments.value(of: "loam.id") ?? profile.kind
    guard Identifier.isValid(applianceID) else { halt("loam.id \(applianceID) is not an id") }
    let hubURL = arguments.value(of: "loam.hub") ?? "http://hub.local:8080"
    guard let hub = HubAddress(url: hubURL) else { halt("loam.hub \(hubURL) is not a hub URL") }
    let interval = arguments.number(of: "loam.interval").flatMap { $0 > 0 ? $0 : nil }
    let timeScale = arguments.number(of: "loam.time-scale").flatMap { $0 > 0 ? $0 : nil } ?? 60
    let plan = SamplingPlan(
      profile: profile, interval: interval.map { .nanoseconds(Int64($0 * 1e9)) })
    let seed = Entropy.next()
    guard
      let world = SimulatedWorld(
        kind: profile.kind, seed: seed, timeScale: timeScale, start: now, wallTime: wallClock(now))
    else { halt("the simulated board models no \(profile.kind)") }
    let board: SimulatedApplianceBoard
    do throws(GPIOError) {
      let lines = try RoleLines(
        chip: SimulatedGPIOChip(), roles: profile.gpioRoles, board: configuration.board)
      board = SimulatedApplianceBoard(
        profile: profile, plan: plan, world: world, lines: lines, start: now)
    } catch {
      halt("the simulated GPIO chip: \(error)")
    }
    print("appliance \(applianceID): \(profile.name) (\(BuiltInConfiguration.profileFileName))")
    print("  sensors: simulated chip models in a simulated \(profile.kind), time \(timeScale)x")
    print("  publishing to \(hub)")
    var routes: IPv4Routes?
    if let spec = arguments.value(of: "loam.ip") {
      routes = parseRoutes(spec)
      guard routes != nil else { halt("loam.ip \(spec) is not ADDRESS/PREFIX[,gw=ADDRESS]") }
    }
    let network = openNetwork(
      gic: gic, routes: routes, hostLabel: hostLabel(applianceID), now: now)
    return UnikernelAppliance(
      applianceID: applianceID, hub: hub, board: board,
      control: ApplianceControl(profile: profile, plan: plan, now: now),
      roles: profile.gpioRoles, outboxCapacity: 10_000, network: network, seed: seed,
      bootSeconds: bootSeconds, wallClock: wallClock)
  }

  /// Loam's TCP/IP on the first virtio network card among the machine's 32 virtio-mmio slots.
  private static func openNetwork(
    gic: GICv2, routes: IPv4Routes?, hostLabel: String, now: Instant
  ) -> VirtioNetwork {
    let configuration = VirtioNetDevice<DeviceRegisters, DataMemoryBarrier>.Configuration()
    let memoryBytes = VirtioNetDevice<DeviceRegisters, DataMemoryBarrier>
      .requiredMemoryByteCount(configuration: configuration)
    let memory = HeapMemory.allocateForDevice(byteCount: memoryBytes, alignment: 4096)
    let region = DeviceMemoryRegion(
      bytes: UnsafeMutableRawBufferPointer(start: memory, count: memoryBytes),
      physicalAddress: UInt64(UInt(bitPattern: memory)))
    // QEMU fills the slots from the last: the first card is usually in slot 31.
    for slot in (0..<MemoryMap.virtioSlotCount).reversed() {
      let registers = DeviceRegisters(
        baseAddress: MemoryMap.virtioMMIO + UInt(slot) * MemoryMap.virtioSlotBytes)
      do throws(VirtioError) {
        let card = try VirtioNetDevice(
          registers: registers, barrier: DataMemoryBarrier(), memory: region,
          configuration: configuration)
        // A card without an address of its own, or with one no station may have (a group
        // address, all zeros), gets a locally administered one.
        let made = MACAddress(0x02, 0x4C, 0x4F, 0x41, 0x4D, UInt8(truncatingIfNeeded: slot))
        var mac = made
        if let given = card.macAddress {
          if given.isMulticast || given == MACAddress(0, 0, 0, 0, 0, 0) {
            print("network: the card's MAC \(given) is no station's address; using \(made)")
          } else {
            mac = given
          }
        }
        let transport = card.transport.version == .legacy ? "legacy" : "modern"
        print("network: virtio-net in slot \(slot) (\(transport) transport), MAC \(mac)")
        gic.enableInterrupt(MemoryMap.virtioFirstInterrupt + slot)
        do throws(NetworkServicesError) {
          if let routes { print("network: address \(routes.subnet) (no DHCP)") }
          return try VirtioNetwork(
            card: card, macAddress: mac, routes: routes, hostLabel: hostLabel, now: now)
        } catch {
          halt("network: \(error)")
        }
      } catch .emptySlot, .wrongDeviceType {
        continue
      } catch {
        halt("network: virtio-mmio slot \(slot): \(error)")
      }
    }
    halt("network: no virtio network card (QEMU: -device virtio-net-device,netdev=...)")
  }

  /// The kernel command line from the device tree at `deviceTree` (in RAM, which the MMU maps).
  private static func bootArguments(deviceTree: UInt) -> KernelCommandLine {
    var text: String?
    if deviceTree >= MemoryMap.ramStart && deviceTree < MemoryMap.ramStart + (1 << 30) {
      let blob = UnsafeRawBufferPointer(
        start: UnsafeRawPointer(bitPattern: deviceTree),
        count: FlattenedDeviceTree.maximumByteCount)
      text = FlattenedDeviceTree(blob: blob)?.stringProperty("bootargs", ofNodeAt: "/chosen")
    }
    print("  boot arguments: \(text ?? "(none)")")
    return KernelCommandLine(text ?? "")
  }

  /// `192.0.2.13/24` or `192.0.2.13/24,gw=192.0.2.1`.
  private static func parseRoutes(_ spec: String) -> IPv4Routes? {
    let parts = spec.split(separator: ",")
    guard let first = parts.first, let subnet = IPv4Subnet(String(first)), parts.count <= 2
    else { return nil }
    var gateway: IPv4Address?
    if parts.count == 2 {
      guard parts[1].hasPrefix("gw="), let address = IPv4Address(String(parts[1].dropFirst(3)))
      else { return nil }
      gateway = address
    }
    return IPv4Routes(subnet: subnet, gateway: gateway)
  }

  /// A DNS label for the mDNS responder: an id may also hold '.' and '_'.
  private static func hostLabel(_ applianceID: String) -> String {
    String(applianceID.map { $0 == "." || $0 == "_" ? "-" : $0 })
  }

  /// For the fault report's test: a read from an address no translation table maps.
  private static func readUnmappedMemory() {
    print("fault test: reading the unmapped address 0x100000000")
    let address = UnsafePointer<UInt64>(bitPattern: 0x1_0000_0000)!
    print("read \(address.pointee)")
  }

  /// For the out-of-memory report's test: keeps allocating 1 MiB blocks until the heap has no
  /// room, which Swift's runtime cannot survive.
  private static func exhaustTheHeap() {
    print("fault test: allocating until the heap runs out")
    var blocks: [[UInt8]] = []
    for _ in 0..<1024 { blocks.append([UInt8](repeating: 1, count: 1 << 20)) }
    print("still running after \(blocks.count) MiB")
  }
}
