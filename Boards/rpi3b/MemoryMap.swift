import AArch64
import BareMetalRaspberryPi

extension RaspberryPiLayout {
  /// The BCM2837 of the Raspberry Pi 3 (BCM2835 ARM Peripherals; the BCM2836 "ARM Quad A7
  /// core" document for the ARM-local block): RAM from 0 (Loam maps the first 960 MiB, the
  /// ARM's share with a small GPU split), peripherals at 0x3F000000, the ARM-local block (timer
  /// interrupt routing) at 0x40000000.
  static let bcm2837 = RaspberryPiLayout(
    soc: "BCM2837", peripheralBase: 0x3F00_0000, ramBytes: 0x3C00_0000,
    deviceRegions: (
      MemoryRegion(start: 0x3F00_0000, byteCount: 0x0100_0000, kind: .device),
      MemoryRegion(start: 0x4000_0000, byteCount: 0x0020_0000, kind: .device)
    ),
    gpioLineCount: 54, hasBCM2835RandomNumberGenerator: true, usesDirectPullControl: false,
    timerInterrupt: .localController(0x4000_0040))
}
