import BoardSupport
import VirtIO

/// The device side of a virtio-mmio network card, for host tests: the registers of either
/// transport with the status state machine and feature negotiation, and a data path that reads
/// the driver's rings out of the shared memory, the way QEMU's device does.
///
/// It is written from the standard (VIRTIO 1.1 sections 2.6, 4.2 and 5.1), independently of the
/// driver: it locates the legacy rings with the standard's own formula, and it records every
/// deviation from what a driver must do in `violations`, which tests expect to stay empty.
/// Frames "arrive from the wire" with `deliver`; those the driver sends land in `sentFrames`.
final class SimulatedVirtioNetDevice: RegisterBlock {
  /// One queue's registers and the device's position in its rings.
  struct Queue {
    var size = 0
    var isReady = false
    var pageNumber: UInt32 = 0
    var usedAlignment = 0
    var descriptorTable: UInt64 = 0
    var availableRing: UInt64 = 0
    var usedRing: UInt64 = 0
    var lastSeenAvailableIndex: UInt16 = 0
    var usedIndex: UInt16 = 0
  }

  /// A descriptor as the device reads it.
  struct Descriptor {
    var address: UInt64
    var length: Int
    var isDeviceWritable: Bool
  }

  static let statusLinkUp: UInt16 = 1

  let version: VirtioMMIOVersion
  var magicValue: UInt32 = 0x7472_6976
  var deviceID: UInt32 = 1
  var offeredFeatures: VirtioFeatures
  var macAddress: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
  var queueNumMax: UInt32 = 256
  /// Clears FEATURES_OK whatever the driver accepted.
  var refusesFeatures = false
  /// Never finishes a reset: the status keeps reading ACKNOWLEDGE.
  var isStuckInReset = false
  /// Sends each transmitted frame as soon as the driver notifies; otherwise only at
  /// `completeTransmissions`.
  var completesTransmissionsImmediately = true
  /// Changes the MAC address and ConfigGeneration during the first configuration read.
  var changesConfigurationDuringFirstRead = false
  /// Sets VIRTQ_USED_F_NO_NOTIFY in both used rings once they are set up.
  var suppressesNotifications = false {
    didSet { writeUsedFlags() }
  }

  let memory: UnsafeMutableRawBufferPointer
  let physicalAddress: UInt64

  private(set) var status: UInt32 = 0
  private(set) var statusWrites: [UInt32] = []
  private(set) var acceptedFeatures: VirtioFeatures = []
  private(set) var violations: [String] = []
  private(set) var registerReads: [Int] = []
  private(set) var notifications: [Int] = []
  private(set) var interruptStatus: UInt32 = 0
  private(set) var configGeneration: UInt32 = 0
  /// Frames the driver sent, virtio header removed.
  private(set) var sentFrames: [[UInt8]] = []
  /// Frames from the wire waiting for a receive buffer.
  private(set) var waitingFrames: [[UInt8]] = []
  private(set) var queues = [Queue(), Queue()]

  private var deviceFeaturesSel: UInt32 = 0
  private var driverFeaturesSel: UInt32 = 0
  private var driverFeatureWords: [UInt32] = [0, 0]
  private var queueSel = 0
  private var guestPageSize = 0
  private var configurationReads = 0

  init(
    version: VirtioMMIOVersion, offeredFeatures: VirtioFeatures,
    memory: UnsafeMutableRawBufferPointer, physicalAddress: UInt64
  ) {
    self.version = version
    self.offeredFeatures = offeredFeatures
    self.memory = memory
    self.physicalAddress = physicalAddress
  }

  /// What QEMU's card offers on each transport (among others the driver must refuse:
  /// checksum offload, mergeable receive buffers, link status).
  static func qemuFeatures(_ version: VirtioMMIOVersion) -> VirtioFeatures {
    let others = VirtioFeatures(rawValue: 1 << 0 | 1 << 15 | 1 << 16)
    switch version {
    case .legacy: return others.union([.networkMACAddress, .anyLayout])
    case .modern: return others.union([.networkMACAddress, .version1])
    }
  }

  var deviceStatus: VirtioDeviceStatus { VirtioDeviceStatus(rawValue: status) }

  /// The length of the header the negotiated features give.
  var headerByteCount: Int { acceptedFeatures.contains(.version1) ? 12 : 10 }

  // MARK: - Registers

  func read(_ offset: Int) -> UInt32 {
    registerReads.append(offset)
    guard offset % 4 == 0 else { return violation("unaligned read of \(offset)") }
    if offset >= VirtioMMIORegister.config.rawValue {
      let base = offset - VirtioMMIORegister.config.rawValue
      return (0..<4).reduce(0) { word, index in
        word | UInt32(configurationByte(base + index)) << (8 * UInt32(index))
      }
    }
    guard let register = VirtioMMIORegister(rawValue: offset) else {
      return violation("read of unknown register \(offset)")
    }
    switch register {
    case .magicValue: return magicValue
    case .version: return version.rawValue
    case .deviceID: return deviceID
    case .vendorID: return 0x554D_4551  // "QEMU"
    case .deviceFeatures:
      return deviceFeaturesSel < 2 ? offeredFeatures.word(Int(deviceFeaturesSel)) : 0
    case .queueNumMax: return queueSel < queues.count ? queueNumMax : 0
    case .queuePFN where version == .legacy: return queues[queueSel].pageNumber
    case .queueReady where version == .modern: return queues[queueSel].isReady ? 1 : 0
    case .interruptStatus: return interruptStatus
    case .status: return isStuckInReset ? VirtioDeviceStatus.acknowledge.rawValue : status
    case .configGeneration where version == .modern: return configGeneration
    default: return violation("read of \(register), which is write-only or another transport's")
    }
  }

  func readByte(_ offset: Int) -> UInt8 {
    registerReads.append(offset)
    guard offset >= VirtioMMIORegister.config.rawValue else {
      violations.append("byte read of control register \(offset)")
      return 0
    }
    return configurationByte(offset - VirtioMMIORegister.config.rawValue)
  }

  func write(_ offset: Int, _ value: UInt32) {
    guard let register = VirtioMMIORegister(rawValue: offset) else {
      violations.append("write to unknown register \(offset)")
      return
    }
    switch register {
    case .deviceFeaturesSel: deviceFeaturesSel = value
    case .driverFeaturesSel: driverFeaturesSel = value
    case .driverFeatures: writeDriverFeatures(value)
    case .guestPageSize where version == .legacy: guestPageSize = Int(value)
    case .queueSel: queueSel = Int(value)
    case .queueNum: writeQueueSize(Int(value))
    case .queueAlign where version == .legacy: queues[queueSel].usedAlignment = Int(value)
    case .queuePFN where version == .legacy: writePageNumber(value)
    case .queueReady where version == .modern: writeQueueReady(value)
    case .queueDescLow, .queueDescHigh, .queueDriverLow, .queueDriverHigh, .queueDeviceLow,
      .queueDeviceHigh:
      writeQueueAddress(register, value)
    case .queueNotify: notify(Int(value))
    case .interruptACK: interruptStatus &= ~value
    case .status: writeStatus(value)
    default: violations.append("write to \(register), which is read-only or another transport's")
    }
  }

  private func violation(_ text: String) -> UInt32 {
    violations.append(text)
    return 0
  }

  private func configurationByte(_ offset: Int) -> UInt8 {
    configurationReads += 1
    if changesConfigurationDuringFirstRead && configurationReads == 1 {
      macAddress = [0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF]
      configGeneration += 1
    }
    // mac[6], then status (VIRTIO_NET_S_LINK_UP), little-endian.
    let bytes = macAddress + [UInt8(Self.statusLinkUp), 0]
    guard offset < bytes.count else {
      violations.append("configuration read past the fields at \(offset)")
      return 0xFF
    }
    return bytes[offset]
  }

  // MARK: - Status and features (sections 2.1, 2.2, 3.1.1)

  private func writeStatus(_ value: UInt32) {
    statusWrites.append(value)
    guard value != 0 else { return reset() }
    let new = VirtioDeviceStatus(rawValue: value)
    if !new.isSuperset(of: deviceStatus) { violations.append("status bits cleared without reset") }
    if new.contains(.driver) && !new.contains(.acknowledge) {
      violations.append("DRIVER before ACKNOWLEDGE")
    }
    status = value
    if new.contains(.featuresOK) && !deviceStatus.contains(.driverOK) { checkFeaturesOK() }
    if new.contains(.driverOK) { checkDriverOK() }
  }

  private func reset() {
    status = 0
    interruptStatus = 0
    acceptedFeatures = []
    driverFeatureWords = [0, 0]
    queues = [Queue(), Queue()]
    waitingFrames = []
  }

  private func writeDriverFeatures(_ value: UInt32) {
    if !deviceStatus.contains(.driver) { violations.append("features before DRIVER") }
    if deviceStatus.contains(.featuresOK) { violations.append("features after FEATURES_OK") }
    guard driverFeaturesSel < 2 else { return violations.append("feature word \(value)") }
    driverFeatureWords[Int(driverFeaturesSel)] = value
    acceptedFeatures = VirtioFeatures(low: driverFeatureWords[0], high: driverFeatureWords[1])
    if !acceptedFeatures.isSubset(of: offeredFeatures) {
      violations.append("accepted features not offered")
    }
  }

  private func checkFeaturesOK() {
    if version == .legacy { violations.append("FEATURES_OK on the legacy transport") }
    if refusesFeatures || !acceptedFeatures.contains(.version1) {
      status &= ~VirtioDeviceStatus.featuresOK.rawValue
    }
  }

  private func checkDriverOK() {
    if version == .modern && !deviceStatus.contains(.featuresOK) {
      violations.append("DRIVER_OK without FEATURES_OK")
    }
    if version == .legacy && acceptedFeatures.contains(.version1) {
      violations.append("VERSION_1 on the legacy transport")
    }
    writeUsedFlags()
  }

  /// Asks the driver for a reset, as a device that hit an internal error does (section 2.1.2).
  func raiseNeedsReset() {
    status |= VirtioDeviceStatus.deviceNeedsReset.rawValue
    if deviceStatus.contains(.driverOK) { interruptStatus |= 2 }
  }

  // MARK: - Queue setup (sections 4.2.3.2, 4.2.4)

  private func writeQueueSize(_ size: Int) {
    guard queueSel < queues.count else { return violations.append("size of queue \(queueSel)") }
    if queues[queueSel].isReady || queues[queueSel].pageNumber != 0 {
      violations.append("queue size changed while the queue is live")
    }
    if size > Int(queueNumMax) { violations.append("queue size \(size) above QueueNumMax") }
    if size <= 0 || size & (size - 1) != 0 { violations.append("queue size \(size)") }
    queues[queueSel].size = size
  }

  private func writeQueueAddress(_ register: VirtioMMIORegister, _ value: UInt32) {
    guard version == .modern else { return violations.append("\(register) on legacy") }
    guard queueSel < queues.count, !queues[queueSel].isReady else {
      return violations.append("queue address while ready")
    }
    func merged(_ address: UInt64, high: Bool) -> UInt64 {
      high
        ? address & 0xFFFF_FFFF | UInt64(value) << 32
        : address & 0xFFFF_FFFF_0000_0000 | UInt64(value)
    }
    switch register {
    case .queueDescLow, .queueDescHigh:
      queues[queueSel].descriptorTable = merged(
        queues[queueSel].descriptorTable, high: register == .queueDescHigh)
    case .queueDriverLow, .queueDriverHigh:
      queues[queueSel].availableRing = merged(
        queues[queueSel].availableRing, high: register == .queueDriverHigh)
    default:
      queues[queueSel].usedRing = merged(
        queues[queueSel].usedRing, high: register == .queueDeviceHigh)
    }
  }

  private func writeQueueReady(_ value: UInt32) {
    guard queueSel < queues.count else { return violations.append("ready of \(queueSel)") }
    if !deviceStatus.contains(.featuresOK) { violations.append("queue ready before FEATURES_OK") }
    let queue = queues[queueSel]
    if queue.size == 0 { violations.append("queue ready without a size") }
    if queue.descriptorTable % 16 != 0 || queue.availableRing % 2 != 0 || queue.usedRing % 4 != 0 {
      violations.append("queue parts misaligned")
    }
    queues[queueSel].isReady = value == 1
  }

  private func writePageNumber(_ value: UInt32) {
    guard queueSel < queues.count else { return violations.append("PFN of \(queueSel)") }
    if guestPageSize == 0 { violations.append("QueuePFN before GuestPageSize") }
    var queue = queues[queueSel]
    if queue.size == 0 || queue.usedAlignment == 0 {
      violations.append("QueuePFN before QueueNum and QueueAlign")
    }
    queue.pageNumber = value
    // The legacy layout (section 2.6.2): table, available ring, used ring at the alignment.
    let alignment = UInt64(max(queue.usedAlignment, 1))
    queue.descriptorTable = UInt64(value) * UInt64(guestPageSize)
    queue.availableRing = queue.descriptorTable + UInt64(16 * queue.size)
    let availableEnd = queue.availableRing + UInt64(6 + 2 * queue.size)
    queue.usedRing = (availableEnd + alignment - 1) / alignment * alignment
    queues[queueSel] = queue
  }

  private func isLive(_ queue: Int) -> Bool {
    version == .modern ? queues[queue].isReady : queues[queue].pageNumber != 0
  }

  private func writeUsedFlags() {
    for queue in queues.indices where isLive(queue) {
      store(UInt16(suppressesNotifications ? 1 : 0), at: queues[queue].usedRing)
    }
  }

  // MARK: - Data path (sections 2.6, 5.1.6)

  private func notify(_ queue: Int) {
    notifications.append(queue)
    if !deviceStatus.contains(.driverOK) { violations.append("notification before DRIVER_OK") }
    guard queue < queues.count, isLive(queue) else {
      return violations.append("notification of queue \(queue), which is not set up")
    }
    if queue == 0 { deliverWaitingFrames() }
    if queue == 1 && completesTransmissionsImmediately { completeTransmissions() }
  }

  /// A frame arrives from the wire: it goes into the next receive buffer, or waits for one.
  func deliver(_ frame: [UInt8]) {
    waitingFrames.append(frame)
    deliverWaitingFrames()
  }

  private func deliverWaitingFrames() {
    guard deviceStatus.contains(.driverOK), isLive(0) else { return }
    while !waitingFrames.isEmpty, let head = takeAvailableHead(0) {
      let frame = waitingFrames.removeFirst()
      let chain = descriptors(ofChainAt: head, queue: 0)
      if chain.contains(where: { !$0.isDeviceWritable }) {
        violations.append("receive buffer not device-writable")
      }
      checkHeaderDescriptor(chain)
      var header = [UInt8](repeating: 0, count: headerByteCount)
      if headerByteCount == 12 { header[10] = 1 }  // num_buffers, always 1 (section 5.1.6.3.2)
      let written = scatter(header + frame, into: chain)
      pushUsed(0, head: head, writtenByteCount: written)
    }
  }

  /// Sends every frame the driver has made available on the transmit queue.
  func completeTransmissions() {
    while let head = takeAvailableHead(1) {
      let chain = descriptors(ofChainAt: head, queue: 1)
      if chain.contains(where: { $0.isDeviceWritable }) {
        violations.append("transmit buffer device-writable")
      }
      checkHeaderDescriptor(chain)
      let message = chain.flatMap { bytes(at: $0.address, count: $0.length) }
      let header = message.prefix(headerByteCount)
      if header.count < headerByteCount || header.contains(where: { $0 != 0 }) {
        violations.append("transmit header \(Array(header)) not all zero")
      }
      sentFrames.append(Array(message.dropFirst(headerByteCount)))
      pushUsed(1, head: head, writtenByteCount: 0)
    }
  }

  /// Without VIRTIO_F_ANY_LAYOUT the legacy header has a descriptor of its own (5.1.6.6).
  private func checkHeaderDescriptor(_ chain: [Descriptor]) {
    guard version == .legacy, !acceptedFeatures.contains(.anyLayout) else { return }
    if chain.count < 2 || chain[0].length != headerByteCount {
      violations.append("legacy header shares a descriptor without ANY_LAYOUT")
    }
  }

  private func takeAvailableHead(_ queue: Int) -> UInt16? {
    let state = queues[queue]
    let availableIndex: UInt16 = load(at: state.availableRing + 2)
    guard availableIndex != state.lastSeenAvailableIndex else { return nil }
    if availableIndex &- state.lastSeenAvailableIndex > UInt16(state.size) {
      violations.append("more buffers available than the queue holds")
    }
    let slot = Int(state.lastSeenAvailableIndex) % state.size
    queues[queue].lastSeenAvailableIndex &+= 1
    return load(at: state.availableRing + 4 + UInt64(2 * slot))
  }

  private func descriptors(ofChainAt head: UInt16, queue: Int) -> [Descriptor] {
    let state = queues[queue]
    var chain: [Descriptor] = []
    var index = head
    for _ in 0..<state.size {
      guard Int(index) < state.size else {
        violations.append("descriptor index \(index) out of the table")
        break
      }
      let address = state.descriptorTable + 16 * UInt64(index)
      let flags: UInt16 = load(at: address + 12)
      chain.append(
        Descriptor(
          address: load(at: address), length: Int(load(at: address + 8) as UInt32),
          isDeviceWritable: flags & 2 != 0))
      if flags & 1 == 0 { return chain }
      index = load(at: address + 14)
    }
    violations.append("descriptor chain longer than the queue")
    return chain
  }

  /// Writes `bytes` across the chain's buffers; returns how many fit.
  private func scatter(_ bytes: [UInt8], into chain: [Descriptor]) -> Int {
    var written = 0
    for descriptor in chain where written < bytes.count {
      let count = min(descriptor.length, bytes.count - written)
      guard let target = pointer(at: descriptor.address, count: count) else { break }
      bytes[written..<written + count].withUnsafeBytes {
        target.copyMemory(from: $0.baseAddress!, byteCount: count)
      }
      written += count
    }
    if written < bytes.count { violations.append("receive buffer too small for the frame") }
    return written
  }

  private func pushUsed(_ queue: Int, head: UInt16, writtenByteCount: Int) {
    let state = queues[queue]
    let element = state.usedRing + 4 + 8 * UInt64(Int(state.usedIndex) % state.size)
    store(UInt32(head), at: element)
    store(UInt32(writtenByteCount), at: element + 4)
    queues[queue].usedIndex &+= 1
    store(queues[queue].usedIndex, at: state.usedRing + 2)
    let availableFlags: UInt16 = load(at: state.availableRing)
    if availableFlags & 1 == 0 { interruptStatus |= 1 }
  }

  // MARK: - Shared memory, by physical address

  private func pointer(at address: UInt64, count: Int) -> UnsafeMutableRawPointer? {
    guard address >= physicalAddress,
      address - physicalAddress + UInt64(count) <= UInt64(memory.count)
    else {
      violations.append("DMA outside the shared memory at \(address)")
      return nil
    }
    return memory.baseAddress! + Int(address - physicalAddress)
  }

  private func bytes(at address: UInt64, count: Int) -> [UInt8] {
    guard let source = pointer(at: address, count: count) else { return [] }
    return Array(UnsafeRawBufferPointer(start: source, count: count))
  }

  private func load<Value: FixedWidthInteger>(at address: UInt64) -> Value {
    guard let source = pointer(at: address, count: MemoryLayout<Value>.size) else { return 0 }
    return Value(littleEndian: source.loadUnaligned(as: Value.self))
  }

  private func store<Value: FixedWidthInteger>(_ value: Value, at address: UInt64) {
    guard let target = pointer(at: address, count: MemoryLayout<Value>.size) else { return }
    target.storeBytes(of: value.littleEndian, as: Value.self)
  }
}
