/// The Arm Generic Interrupt Controller, version 2 (GIC-400 on a Raspberry Pi 4, QEMU virt's
/// default): a distributor that routes interrupt lines and a CPU interface that signals them to
/// the core (ARM Generic Interrupt Controller Architecture Specification v2, chapter 4).
///
/// Loam never takes an interrupt: the CPU keeps IRQs masked and the poll loop sleeps in `WFI`,
/// which a pending interrupt ends even while masked. The GIC only has to forward the lines the
/// loop waits on (the timer, a network device) and have them acknowledged afterwards.
public struct GICv2 {
  private let distributor: DeviceRegisters
  private let cpuInterface: DeviceRegisters

  private enum DistributorOffset {
    static let control = 0x000  // GICD_CTLR
    static let setEnable = 0x100  // GICD_ISENABLERn
    static let priority = 0x400  // GICD_IPRIORITYRn
    static let targets = 0x800  // GICD_ITARGETSRn
  }

  private enum CPUInterfaceOffset {
    static let control = 0x00  // GICC_CTLR
    static let priorityMask = 0x04  // GICC_PMR
    static let acknowledge = 0x0C  // GICC_IAR
    static let endOfInterrupt = 0x10  // GICC_EOIR
  }

  /// Interrupt id of the EL1 physical timer (a private peripheral interrupt, PPI 14).
  public static let physicalTimerInterrupt = 30
  /// `GICC_IAR` says there is nothing pending.
  private static let spuriousInterrupt: UInt32 = 1023

  /// The GIC whose distributor and CPU interface registers start at these addresses.
  public init(distributorAddress: UInt, cpuInterfaceAddress: UInt) {
    distributor = DeviceRegisters(baseAddress: distributorAddress)
    cpuInterface = DeviceRegisters(baseAddress: cpuInterfaceAddress)
  }

  /// Turns forwarding on, with every priority let through.
  public func enable() {
    distributor.write(DistributorOffset.control, 1)
    cpuInterface.write(CPUInterfaceOffset.priorityMask, 0xFF)
    cpuInterface.write(CPUInterfaceOffset.control, 1)
  }

  /// Forwards interrupt `id` to core 0 at the highest priority.
  public func enableInterrupt(_ id: Int) {
    precondition(id >= 0 && id < 1020, "GICv2 interrupt ids are below 1020")
    let word = (id / 4) * 4
    let shift = (id % 4) * 8
    let priority = distributor.read(DistributorOffset.priority + word) & ~(0xFF << shift)
    distributor.write(DistributorOffset.priority + word, priority)
    if id >= 32 {  // shared interrupts pick their core; private ones belong to it
      let targets = distributor.read(DistributorOffset.targets + word) & ~(0xFF << shift)
      distributor.write(DistributorOffset.targets + word, targets | (1 << shift))
    }
    distributor.write(DistributorOffset.setEnable + (id / 32) * 4, 1 << (id % 32))
  }

  /// Acknowledges and ends every pending interrupt, after the poll loop woke up and looked at
  /// its devices itself.
  public func acknowledgeAll() {
    // Bounded: there are fewer than 1020 interrupt ids to be pending.
    for _ in 0..<1020 {
      let acknowledged = cpuInterface.read(CPUInterfaceOffset.acknowledge)
      guard acknowledged & 0x3FF != Self.spuriousInterrupt else { return }
      cpuInterface.write(CPUInterfaceOffset.endOfInterrupt, acknowledged)
    }
  }
}
