import AArch64
import BareMetalRaspberryPi

extension RaspberryPiLayout {
  /// The BCM2711 of the Raspberry Pi 4 in its default low-peripheral mode (BCM2711 ARM
  /// Peripherals, section 1.2): RAM from 0 (Loam maps the first 960 MiB, which every Pi 4 has),
  /// the peripherals' block from 0xFC000000 with the main peripherals at 0xFE000000, and the
  /// GIC-400 at 0xFF841000.
  static let bcm2711 = RaspberryPiLayout(
    soc: "BCM2711", peripheralBase: 0xFE00_0000, ramBytes: 0x3C00_0000,
    deviceRegions: (MemoryRegion(start: 0xFC00_0000, byteCount: 0x0400_0000, kind: .device), nil),
    gpioLineCount: 58, hasBCM2835RandomNumberGenerator: false, usesDirectPullControl: true,
    timerInterrupt: .gic(distributor: 0xFF84_1000, cpuInterface: 0xFF84_2000))
}
