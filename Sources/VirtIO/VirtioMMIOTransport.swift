import BoardSupport

/// A virtio device behind memory-mapped registers (VIRTIO 1.1 section 4.2), in either register
/// layout: the legacy one (version 1, section 4.2.4) that QEMU's `virt` board gives by default,
/// or the current one (version 2).
///
/// The transport knows the registers and the generic steps of bringing a device up (section
/// 3.1.1); what to negotiate and which queues to set up is the device driver's business
/// (`VirtioNetDevice`). It holds no state besides what it read when probing.
public struct VirtioMMIOTransport<Registers: RegisterBlock> {
  /// The magic value every virtio-mmio device shows: "virt" in little-endian ASCII.
  public static var magicValue: UInt32 { 0x7472_6976 }
  /// The page size the legacy transport's queue addresses are counted in, which is also the
  /// alignment of its used rings (`SplitVirtqueueLayout.pageBytes`).
  static var legacyPageBytes: Int { SplitVirtqueueLayout.pageBytes }
  /// How many times `reset` reads the status before it gives up on the device.
  static var resetReadsMaximum: Int { 1000 }

  /// The device's registers.
  public let registers: Registers
  /// The register layout it speaks.
  public let version: VirtioMMIOVersion
  /// Its type (section 5; 1 is a network card). Never 0: an empty slot does not probe.
  public let deviceID: UInt32
  /// Who made it.
  public let vendorID: UInt32

  /// Probes the registers: a magic value, a known version and a device in the slot (section
  /// 4.2.3.1). Reads nothing else from an empty slot.
  public init(registers: Registers) throws(VirtioError) {
    let magicValue = registers.read(VirtioMMIORegister.magicValue.rawValue)
    guard magicValue == Self.magicValue else { throw .notVirtio(magicValue: magicValue) }
    let versionValue = registers.read(VirtioMMIORegister.version.rawValue)
    guard let version = VirtioMMIOVersion(rawValue: versionValue) else {
      throw .unsupportedVersion(versionValue)
    }
    let deviceID = registers.read(VirtioMMIORegister.deviceID.rawValue)
    guard deviceID != 0 else { throw .emptySlot }
    self.registers = registers
    self.version = version
    self.deviceID = deviceID
    self.vendorID = registers.read(VirtioMMIORegister.vendorID.rawValue)
  }

  // MARK: - Status and initialization (section 3.1.1)

  /// The device status as it reads now.
  public var status: VirtioDeviceStatus {
    VirtioDeviceStatus(rawValue: read(.status))
  }

  /// Resets the device and waits, a bounded number of reads, for the status to read 0
  /// (VIRTIO 1.2 section 2.4.2: the driver waits for that before it initializes the device).
  public func reset() throws(VirtioError) {
    write(.status, 0)
    for _ in 0..<Self.resetReadsMaximum where read(.status) == 0 { return }
    throw .resetDidNotComplete
  }

  /// Sets `bits` in the status, keeping those already set; the register only ever gains bits
  /// until the next reset.
  public func addStatus(_ bits: VirtioDeviceStatus) {
    precondition(!bits.isEmpty, "writing 0 would reset the device")
    write(.status, status.union(bits).rawValue)
  }

  /// Resets the device and goes through ACKNOWLEDGE, DRIVER and the feature negotiation
  /// (section 3.1.1, steps 1 to 6): accepts the offered features among `supported`, and on the
  /// modern transport sets FEATURES_OK and checks that the device kept it. Returns the
  /// accepted features; the driver then sets up its queues and calls `finishInitialization`.
  ///
  /// Throws when the device lacks a feature in `required` or refuses the accepted set, after
  /// setting FAILED. On the modern transport VIRTIO_F_VERSION_1 is always required; on the
  /// legacy one it is never accepted.
  public func beginInitialization(
    supported: VirtioFeatures, required: VirtioFeatures
  ) throws(VirtioError) -> VirtioFeatures {
    precondition(supported.isSuperset(of: required), "a required feature is also supported")
    try reset()
    addStatus(.acknowledge)
    addStatus(.driver)
    var supported = supported
    var required = required
    switch version {
    case .legacy:
      supported.remove(.version1)
      required.remove(.version1)
    case .modern:
      supported.insert(.version1)
      required.insert(.version1)
    }
    let offered = deviceFeatures()
    guard offered.isSuperset(of: required) else {
      addStatus(.failed)
      throw .requiredFeaturesMissing(required.subtracting(offered))
    }
    let accepted = offered.intersection(supported)
    writeDriverFeatures(accepted)
    if version == .modern {
      addStatus(.featuresOK)
      guard status.contains(.featuresOK) else {
        addStatus(.failed)
        throw .featuresRefused
      }
    }
    assert(accepted.isSubset(of: offered) && accepted.isSuperset(of: required))
    return accepted
  }

  /// Sets DRIVER_OK once the queues are set up (section 3.1.1, step 8), then checks that the
  /// device did not ask for a reset meanwhile. Call `beginInitialization` first. (The status
  /// cannot tell whether it was: it is the device's word.)
  public func finishInitialization() throws(VirtioError) {
    addStatus(.driverOK)
    try checkStatus()
  }

  /// Throws `.deviceNeedsReset` when the device set DEVICE_NEEDS_RESET (section 2.1.2).
  public func checkStatus() throws(VirtioError) {
    if status.contains(.deviceNeedsReset) { throw .deviceNeedsReset }
  }

  /// Sets FAILED: the driver gives up on the device until the next reset.
  public func markFailed() { addStatus(.failed) }

  /// The features the device offers: one word on the legacy transport, two on the modern.
  func deviceFeatures() -> VirtioFeatures {
    write(.deviceFeaturesSel, 0)
    let low = read(.deviceFeatures)
    guard version == .modern else { return VirtioFeatures(low: low, high: 0) }
    write(.deviceFeaturesSel, 1)
    return VirtioFeatures(low: low, high: read(.deviceFeatures))
  }

  /// Tells the device which features the driver accepts.
  func writeDriverFeatures(_ features: VirtioFeatures) {
    write(.driverFeaturesSel, 0)
    write(.driverFeatures, features.word(0))
    guard version == .modern else {
      assert(features.word(1) == 0, "the legacy transport has 32 feature bits")
      return
    }
    write(.driverFeaturesSel, 1)
    write(.driverFeatures, features.word(1))
  }

  // MARK: - Virtqueues (sections 4.2.3.2 and 4.2.4)

  /// The largest size queue `queue` can have. Throws when the queue does not exist or is
  /// already in use, which it never is right after a reset.
  public func maximumQueueSize(_ queue: Int) throws(VirtioError) -> Int {
    precondition(queue >= 0 && queue <= Int(UInt16.max), "queue indices are 16-bit")
    write(.queueSel, UInt32(queue))
    // The legacy transport allows reading QueueNumMax only while QueuePFN is 0.
    let isInUse = version == .modern ? read(.queueReady) != 0 : read(.queuePFN) != 0
    guard !isInUse else { throw .queueUnavailable(queue: queue) }
    let maximumSize = Int(read(.queueNumMax))
    guard maximumSize > 0 else { throw .queueUnavailable(queue: queue) }
    return maximumSize
  }

  /// Hands queue `queue` to the device: its size and where its parts lie, `physicalAddress`
  /// being the address of the first byte of `layout`. Call `maximumQueueSize` first.
  public func setUpQueue(_ queue: Int, layout: SplitVirtqueueLayout, physicalAddress: UInt64) {
    precondition(physicalAddress % UInt64(Self.legacyPageBytes) == 0, "queues are page-aligned")
    write(.queueSel, UInt32(queue))
    write(.queueNum, UInt32(layout.size))
    switch version {
    case .legacy:
      let pageNumber = physicalAddress / UInt64(Self.legacyPageBytes)
      precondition(pageNumber > 0 && pageNumber <= UInt64(UInt32.max), "QueuePFN is 32 bits")
      write(.guestPageSize, UInt32(Self.legacyPageBytes))
      write(.queueAlign, UInt32(layout.usedRingAlignment))
      write(.queuePFN, UInt32(pageNumber))
    case .modern:
      writeAddress(physicalAddress + UInt64(layout.descriptorTableOffset), low: .queueDescLow)
      writeAddress(physicalAddress + UInt64(layout.availableRingOffset), low: .queueDriverLow)
      writeAddress(physicalAddress + UInt64(layout.usedRingOffset), low: .queueDeviceLow)
      write(.queueReady, 1)
    }
  }

  /// Tells the device that queue `queue` has new available buffers (section 4.2.3.3).
  public func notify(queue: Int) {
    write(.queueNotify, UInt32(queue))
  }

  // MARK: - Interrupts and configuration space

  /// Reads why the device interrupted and acknowledges those causes (section 4.2.3.4). Returns
  /// an empty set when the interrupt was not this device's.
  public func acknowledgeInterrupt() -> VirtioInterruptCauses {
    let causes = VirtioInterruptCauses(rawValue: read(.interruptStatus))
      .intersection(.defined)
    if !causes.isEmpty { write(.interruptACK, causes.rawValue) }
    return causes
  }

  /// Reads `count` bytes of the device-specific configuration space from `offset`, one byte
  /// access each (section 4.2.2.2). On the modern transport it reads them again until
  /// ConfigGeneration shows that nothing changed in between (section 2.4.1), a bounded number of
  /// times.
  public func readConfiguration(offset: Int, count: Int) -> [UInt8] {
    precondition(offset >= 0 && count > 0, "a configuration field has bytes")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    for _ in 0..<Self.configurationReadAttempts {
      let generationBefore = version == .modern ? read(.configGeneration) : 0
      bytes.removeAll(keepingCapacity: true)
      for index in 0..<count {
        bytes.append(registers.readByte(VirtioMMIORegister.config.rawValue + offset + index))
      }
      let generationAfter = version == .modern ? read(.configGeneration) : 0
      if generationBefore == generationAfter { break }
    }
    assert(bytes.count == count)
    return bytes
  }

  /// How many times `readConfiguration` reads a field that keeps changing before it settles for
  /// the last reading.
  static var configurationReadAttempts: Int { 4 }

  // MARK: - Register access

  private func read(_ register: VirtioMMIORegister) -> UInt32 {
    registers.read(register.rawValue)
  }

  private func write(_ register: VirtioMMIORegister, _ value: UInt32) {
    registers.write(register.rawValue, value)
  }

  /// Writes a 64-bit address to a low register and the high register 4 bytes after it.
  private func writeAddress(_ address: UInt64, low: VirtioMMIORegister) {
    write(low, UInt32(truncatingIfNeeded: address))
    registers.write(low.rawValue + 4, UInt32(truncatingIfNeeded: address >> 32))
  }
}
