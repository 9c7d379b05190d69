import AArch64

/// QEMU's `virt` machine (hw/arm/virt.c in QEMU 10): what is where in its physical address
/// space, for the parts Loam uses. Everything here is emulated.
enum MemoryMap {
  /// Calls `body` with the regions the MMU maps: devices (flash, GIC, UART, RTC, virtio-mmio)
  /// fill the first gigabyte, RAM starts at 1 GiB. The list is on the stack, since this runs
  /// before the heap may be used.
  static func withRegions<Result>(_ body: (UnsafeBufferPointer<MemoryRegion>) -> Result) -> Result {
    withUnsafeTemporaryAllocation(of: MemoryRegion.self, capacity: 2) { regions in
      regions.initializeElement(
        at: 0, to: MemoryRegion(start: 0, byteCount: 1 << 30, kind: .device))
      regions.initializeElement(
        at: 1, to: MemoryRegion(start: 1 << 30, byteCount: 1 << 30, kind: .normal))
      return body(UnsafeBufferPointer(regions))
    }
  }
  /// The PL011 UART behind `-serial` (or `-nographic`'s console).
  static let uart: UInt = 0x0900_0000
  /// The PL031 real-time clock, which QEMU starts at the host's time.
  static let realTimeClock: UInt = 0x0901_0000
  /// GICv2 distributor and CPU interface (the default `gic-version=2`).
  static let gicDistributor: UInt = 0x0800_0000
  static let gicCPUInterface: UInt = 0x0801_0000
  /// The first of 32 virtio-mmio transports, 0x200 bytes apart, interrupts 48 + slot.
  static let virtioMMIO: UInt = 0x0A00_0000
  static let virtioSlotCount = 32
  static let virtioSlotBytes: UInt = 0x200
  static let virtioFirstInterrupt = 48
  /// The start of RAM.
  static let ramStart: UInt = 0x4000_0000
}
