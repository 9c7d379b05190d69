import AArch64
import BareMetal
import Time

/// The `qemu-virt` board: QEMU's emulated aarch64 `virt` machine. It has a UART, the generic
/// timer, a GICv2 and virtio-mmio devices, and no I2C, so an appliance built for it samples
/// the simulated chips of the `sim` board (and says so on its console).
enum Board {
  static let name = "qemu-virt"
  static let description = "QEMU virt (emulated; sensors simulated)"

  static func run() -> Never {
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
    var ticks = 0
    PollLoop.run(timer: timer, acknowledgeInterrupts: gic.acknowledgeAll) { now in
      ticks += 1
      print("tick \(ticks) at \(now.nanoseconds / 1_000_000) ms")
      return now + .milliseconds(500)
    }
  }
}
