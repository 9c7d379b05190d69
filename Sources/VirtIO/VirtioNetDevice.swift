import BoardSupport
import Net

/// A driver for a virtio network card behind virtio-mmio registers (VIRTIO 1.1 section 5.1), on
/// either transport: receive queue 0 and transmit queue 1, no offloads, no control queue.
///
/// Everything it uses is fixed at start: one caller-provided `DeviceMemoryRegion` holds both
/// queues and every buffer (`requiredMemoryByteCount`), and the receive buffers stay offered to
/// the device; each one the device fills is copied out and offered again at once. A frame to
/// send is copied into a free transmit buffer. The driver never waits: a platform's poll loop
/// drives it.
///
///     var card = try VirtioNetDevice(registers: ..., barrier: ..., memory: region)
///     loop:
///       wait for the card's interrupt (or a timer)
///       try card.acknowledgeInterrupt()          // throws .deviceNeedsReset, .brokenQueue
///       while card.receive(into: &frame) { interface.receive(frame: frame, now: now) }
///       while card.hasFreeTransmitBuffer(), let frame = interface.transmit() {
///         card.transmit(frame: frame)
///       }
///
/// After `.deviceNeedsReset` or `.brokenQueue`, make a new driver over the same registers and
/// memory: its initialization resets the device.
public struct VirtioNetDevice<Registers: RegisterBlock, Barrier: MemoryBarrier>: ~Copyable {
  /// What the driver asks for at start.
  public struct Configuration: Sendable {
    /// Receive buffers kept offered to the device: frames that can arrive between two polls.
    public var receiveBufferCount: Int
    /// Transmit buffers: frames the device may hold before `transmit` refuses more.
    public var transmitBufferCount: Int

    /// The given numbers of buffers, 16 each unless told otherwise.
    public init(receiveBufferCount: Int = 16, transmitBufferCount: Int = 16) {
      precondition(receiveBufferCount > 0 && transmitBufferCount > 0, "buffers in each queue")
      precondition(receiveBufferCount <= 1024 && transmitBufferCount <= 1024, "a bounded count")
      self.receiveBufferCount = receiveBufferCount
      self.transmitBufferCount = transmitBufferCount
    }
  }

  /// The device ID of a network card (section 5.1.1).
  public static var deviceID: UInt32 { 1 }
  /// The receive queue, receiveq1 (section 5.1.2).
  public static var receiveQueue: Int { 0 }
  /// The transmit queue, transmitq1.
  public static var transmitQueue: Int { 1 }
  /// The longest frame it sends or receives, without the frame check sequence: 1514 bytes and
  /// an 802.1Q tag. A receive buffer holds the header and this, more than the 1526 bytes the
  /// standard asks for (section 5.1.6.3.1).
  public static var maximumFrameByteCount: Int { 1518 }
  /// The bytes each buffer takes in the region: the longest header and frame, rounded up to a
  /// 64-byte cache line.
  static var bufferStride: Int { 1536 }

  /// The device's registers and transport.
  public let transport: VirtioMMIOTransport<Registers>
  /// The features driver and device agreed on.
  public let features: VirtioFeatures
  /// The card's own MAC address, when it offers one (VIRTIO_NET_F_MAC). Without it the
  /// platform picks a locally administered address (section 5.1.4.2).
  public let macAddress: MACAddress?
  /// The length of the header before each frame in a buffer: 12 on the modern interface, 10
  /// on the legacy one.
  public let headerByteCount: Int
  /// Frames received and handed out.
  public private(set) var receivedFrameCount = 0
  /// Frames handed to the device to send.
  public private(set) var transmittedFrameCount = 0
  /// Receive buffers the device returned too short to hold a header and an Ethernet header,
  /// or claiming more than the buffer holds; each was offered again.
  public private(set) var droppedFrameCount = 0

  private let memory: DeviceMemoryRegion
  private let configuration: Configuration
  /// Whether the header goes in a descriptor of its own, as the legacy interface requires
  /// without VIRTIO_F_ANY_LAYOUT (section 5.1.6.6); otherwise header and frame share one.
  private let headerHasOwnDescriptor: Bool
  private let receiveBuffersOffset: Int
  private let transmitBuffersOffset: Int
  private var receiveVirtqueue: SplitVirtqueue<Barrier>
  private var transmitVirtqueue: SplitVirtqueue<Barrier>
  /// For each descriptor heading a buffer the device holds, that buffer's number; -1 for others.
  private var receiveBufferByHead: [Int]
  private var transmitBufferByHead: [Int]
  /// The transmit buffers the device does not hold.
  private var freeTransmitBuffers: [Int]
  /// Room for the one or two segments of the buffer being offered, reused for every buffer.
  private var segments: [VirtqueueSegment]

  /// The bytes of device memory a driver with `configuration` needs: each queue at the
  /// largest size it may take (two descriptors a buffer) and every buffer.
  public static func requiredMemoryByteCount(configuration: Configuration) -> Int {
    MemoryPlan(configuration: configuration).byteCount
  }

  /// Where the queues and buffers lie in the device memory. Each queue is placed at its largest
  /// size, two descriptors a buffer, so that the region's size does not depend on what the
  /// device negotiates.
  private struct MemoryPlan {
    /// The transmit queue's offset; the receive queue is at 0.
    let transmitQueueOffset: Int
    let receiveBuffersOffset: Int
    let transmitBuffersOffset: Int
    let byteCount: Int

    init(configuration: Configuration) {
      transmitQueueOffset =
        SplitVirtqueueLayout(
          size: queueSize(descriptorCount: 2 * configuration.receiveBufferCount)
        ).totalBytes
      receiveBuffersOffset =
        transmitQueueOffset
        + SplitVirtqueueLayout(
          size: queueSize(descriptorCount: 2 * configuration.transmitBufferCount)
        ).totalBytes
      transmitBuffersOffset =
        receiveBuffersOffset + configuration.receiveBufferCount * bufferStride
      byteCount = transmitBuffersOffset + configuration.transmitBufferCount * bufferStride
      assert(transmitQueueOffset % SplitVirtqueueLayout.pageBytes == 0)
      assert(receiveBuffersOffset % SplitVirtqueueLayout.pageBytes == 0)
    }
  }

  /// Probes the device at `registers` and brings it up (section 3.1.1): negotiates the MAC
  /// address feature (and VIRTIO_F_VERSION_1 on the modern transport, VIRTIO_F_ANY_LAYOUT on
  /// the legacy one), sets up both queues in `memory`, which must hold
  /// `requiredMemoryByteCount(configuration:)` bytes, sets DRIVER_OK and offers every receive
  /// buffer. When negotiation or a queue fails, the device is left with FAILED set.
  public init(
    registers: Registers, barrier: Barrier, memory: DeviceMemoryRegion,
    configuration: Configuration = Configuration()
  ) throws(VirtioError) {
    precondition(
      memory.bytes.count >= Self.requiredMemoryByteCount(configuration: configuration),
      "the device memory holds the queues and buffers")
    let transport = try VirtioMMIOTransport(registers: registers)
    guard transport.deviceID == Self.deviceID else {
      throw .wrongDeviceType(deviceID: transport.deviceID)
    }
    let supported: VirtioFeatures =
      transport.version == .modern
      ? [.networkMACAddress, .version1] : [.networkMACAddress, .anyLayout]
    let features = try transport.beginInitialization(supported: supported, required: [])
    let headerHasOwnDescriptor = transport.version == .legacy && !features.contains(.anyLayout)
    let descriptorsPerBuffer = headerHasOwnDescriptor ? 2 : 1
    let receiveLayout: SplitVirtqueueLayout
    let transmitLayout: SplitVirtqueueLayout
    do throws(VirtioError) {
      receiveLayout = try Self.queueLayout(
        Self.receiveQueue, descriptorCount: descriptorsPerBuffer * configuration.receiveBufferCount,
        transport: transport)
      transmitLayout = try Self.queueLayout(
        Self.transmitQueue,
        descriptorCount: descriptorsPerBuffer * configuration.transmitBufferCount,
        transport: transport)
    } catch {
      transport.markFailed()
      throw error
    }
    let plan = MemoryPlan(configuration: configuration)
    let receiveVirtqueue = SplitVirtqueue(
      memory: memory.pointer(at: 0), physicalAddress: memory.physicalAddress(at: 0),
      layout: receiveLayout, barrier: barrier)
    let transmitVirtqueue = SplitVirtqueue(
      memory: memory.pointer(at: plan.transmitQueueOffset),
      physicalAddress: memory.physicalAddress(at: plan.transmitQueueOffset),
      layout: transmitLayout, barrier: barrier)
    transport.setUpQueue(
      Self.receiveQueue, layout: receiveLayout, physicalAddress: receiveVirtqueue.physicalAddress)
    transport.setUpQueue(
      Self.transmitQueue, layout: transmitLayout,
      physicalAddress: transmitVirtqueue.physicalAddress)
    let macAddress =
      features.contains(.networkMACAddress)
      ? MACAddress(transport.readConfiguration(offset: 0, count: 6)[...]) : nil
    // The receive buffers are offered after DRIVER_OK, once nothing more can fail.
    try transport.finishInitialization()
    self.transport = transport
    self.features = features
    self.macAddress = macAddress
    self.headerByteCount = VirtioNetHeader.byteCount(features: features)
    self.memory = memory
    self.configuration = configuration
    self.headerHasOwnDescriptor = headerHasOwnDescriptor
    self.receiveBuffersOffset = plan.receiveBuffersOffset
    self.transmitBuffersOffset = plan.transmitBuffersOffset
    self.receiveVirtqueue = receiveVirtqueue
    self.transmitVirtqueue = transmitVirtqueue
    self.receiveBufferByHead = [Int](repeating: -1, count: receiveLayout.size)
    self.transmitBufferByHead = [Int](repeating: -1, count: transmitLayout.size)
    self.freeTransmitBuffers = Array((0..<configuration.transmitBufferCount).reversed())
    self.segments = []
    self.segments.reserveCapacity(2)
    for buffer in 0..<configuration.receiveBufferCount { offerReceiveBuffer(buffer) }
    if self.receiveVirtqueue.publishAvailable() { transport.notify(queue: Self.receiveQueue) }
    assert(self.receiveVirtqueue.inFlightCount == configuration.receiveBufferCount)
  }

  // MARK: - Receiving (section 5.1.6.4)

  /// Copies the next received frame, Ethernet header first and without the virtio header,
  /// into `frame` (replacing what it held, reusing its memory) and offers the buffer to the
  /// device again. Returns false, leaving `frame` alone, when no frame has arrived, or when the
  /// device broke the receive queue (`acknowledgeInterrupt` then throws).
  public mutating func receive(into frame: inout [UInt8]) -> Bool {
    // Each pass takes one used buffer, and the device holds no more than there are.
    for _ in 0..<configuration.receiveBufferCount {
      guard let used = receiveVirtqueue.takeUsed() else { return false }
      let buffer = receiveBufferByHead[Int(used.head)]
      precondition(buffer >= 0, "a receive buffer heads the chain")
      receiveBufferByHead[Int(used.head)] = -1
      let frameByteCount = used.writtenByteCount - headerByteCount
      let isWhole =
        frameByteCount >= EthernetHeader.length && frameByteCount <= Self.maximumFrameByteCount
      if isWhole {
        let start = memory.pointer(at: bufferOffset(receiveBuffer: buffer) + headerByteCount)
        frame.removeAll(keepingCapacity: true)
        frame.append(contentsOf: UnsafeRawBufferPointer(start: start, count: frameByteCount))
        receivedFrameCount += 1
      } else {
        droppedFrameCount += 1
      }
      offerReceiveBuffer(buffer)
      if receiveVirtqueue.publishAvailable() { transport.notify(queue: Self.receiveQueue) }
      if isWhole { return true }
    }
    return false
  }

  /// Offers receive buffer `buffer`, device-writable, to the receive queue; the caller
  /// publishes it.
  private mutating func offerReceiveBuffer(_ buffer: Int) {
    setSegments(
      bufferOffset: bufferOffset(receiveBuffer: buffer),
      frameByteCount: Self.maximumFrameByteCount, isDeviceWritable: true)
    guard let head = receiveVirtqueue.addBuffer(segments) else {
      preconditionFailure("the receive queue has descriptors for every buffer")
    }
    assert(receiveBufferByHead[Int(head)] == -1)
    receiveBufferByHead[Int(head)] = buffer
  }

  // MARK: - Transmitting (section 5.1.6.2)

  /// Whether `transmit` has a buffer to copy a frame into, after taking back those the device
  /// has sent.
  public mutating func hasFreeTransmitBuffer() -> Bool {
    reclaimTransmitBuffers()
    return !freeTransmitBuffers.isEmpty
  }

  /// Copies `frame` (Ethernet header first, without the frame check sequence, 14 to
  /// `maximumFrameByteCount` bytes) behind an all-zero header into a transmit buffer and hands
  /// it to the device. Returns false, sending nothing, when the device still holds every
  /// transmit buffer.
  @discardableResult
  public mutating func transmit<Frame: Collection<UInt8>>(frame: Frame) -> Bool {
    let frameByteCount = frame.count
    precondition(
      frameByteCount >= EthernetHeader.length && frameByteCount <= Self.maximumFrameByteCount,
      "a frame holds an Ethernet header and fits a buffer")
    reclaimTransmitBuffers()
    guard let buffer = freeTransmitBuffers.popLast() else { return false }
    let offset = bufferOffset(transmitBuffer: buffer)
    VirtioNetHeader.emit(into: memory.pointer(at: offset), byteCount: headerByteCount)
    UnsafeMutableRawBufferPointer(
      start: memory.pointer(at: offset + headerByteCount), count: frameByteCount
    ).copyBytes(from: frame)
    setSegments(bufferOffset: offset, frameByteCount: frameByteCount, isDeviceWritable: false)
    guard let head = transmitVirtqueue.addBuffer(segments) else {
      preconditionFailure("the transmit queue has descriptors for every buffer")
    }
    assert(transmitBufferByHead[Int(head)] == -1)
    transmitBufferByHead[Int(head)] = buffer
    if transmitVirtqueue.publishAvailable() { transport.notify(queue: Self.transmitQueue) }
    transmittedFrameCount += 1
    return true
  }

  /// Takes back every transmit buffer the device has sent. The used length of a transmit
  /// buffer means nothing (legacy devices may report the whole buffer there, section 5.1.6.1).
  private mutating func reclaimTransmitBuffers() {
    for _ in 0..<configuration.transmitBufferCount {
      guard let used = transmitVirtqueue.takeUsed() else { return }
      let buffer = transmitBufferByHead[Int(used.head)]
      precondition(buffer >= 0, "a transmit buffer heads the chain")
      transmitBufferByHead[Int(used.head)] = -1
      freeTransmitBuffers.append(buffer)
    }
    assert(freeTransmitBuffers.count <= configuration.transmitBufferCount)
  }

  // MARK: - Interrupts

  /// Reads and acknowledges the device's interrupt causes (section 4.2.3.4); the caller then
  /// receives and transmits whatever is ready. Throws `.deviceNeedsReset` when a configuration
  /// change turns out to be the device asking for a reset (section 2.1.2), and `.brokenQueue`
  /// once the device has broken a queue's used ring.
  @discardableResult
  public func acknowledgeInterrupt() throws(VirtioError) -> VirtioInterruptCauses {
    let causes = transport.acknowledgeInterrupt()
    if causes.contains(.configurationChange) { try transport.checkStatus() }
    if receiveVirtqueue.isBroken { throw .brokenQueue(queue: Self.receiveQueue) }
    if transmitVirtqueue.isBroken { throw .brokenQueue(queue: Self.transmitQueue) }
    return causes
  }

  // MARK: - Buffers

  private func bufferOffset(receiveBuffer buffer: Int) -> Int {
    assert(buffer >= 0 && buffer < configuration.receiveBufferCount)
    return receiveBuffersOffset + buffer * Self.bufferStride
  }

  private func bufferOffset(transmitBuffer buffer: Int) -> Int {
    assert(buffer >= 0 && buffer < configuration.transmitBufferCount)
    return transmitBuffersOffset + buffer * Self.bufferStride
  }

  /// Describes the buffer at `bufferOffset` holding a header and `frameByteCount` bytes of frame
  /// in `segments`: one segment, or the header and the frame apart.
  private mutating func setSegments(bufferOffset: Int, frameByteCount: Int, isDeviceWritable: Bool)
  {
    assert(VirtioNetHeader.maximumByteCount + Self.maximumFrameByteCount <= Self.bufferStride)
    assert(headerByteCount + frameByteCount <= Self.bufferStride)
    let address = memory.physicalAddress(at: bufferOffset)
    segments.removeAll(keepingCapacity: true)
    if headerHasOwnDescriptor {
      segments.append(
        VirtqueueSegment(
          physicalAddress: address, byteCount: headerByteCount,
          isDeviceWritable: isDeviceWritable))
      segments.append(
        VirtqueueSegment(
          physicalAddress: address + UInt64(headerByteCount), byteCount: frameByteCount,
          isDeviceWritable: isDeviceWritable))
    } else {
      segments.append(
        VirtqueueSegment(
          physicalAddress: address, byteCount: headerByteCount + frameByteCount,
          isDeviceWritable: isDeviceWritable))
    }
    assert(segments.count == (headerHasOwnDescriptor ? 2 : 1))
  }

  /// The layout of queue `queue`, sized for `descriptorCount` descriptors, if the device allows
  /// a queue that large.
  private static func queueLayout(
    _ queue: Int, descriptorCount: Int, transport: VirtioMMIOTransport<Registers>
  ) throws(VirtioError) -> SplitVirtqueueLayout {
    let size = queueSize(descriptorCount: descriptorCount)
    let maximumSize = try transport.maximumQueueSize(queue)
    guard size <= maximumSize else {
      throw .queueTooSmall(queue: queue, maximumSize: maximumSize, neededSize: size)
    }
    return SplitVirtqueueLayout(size: size)
  }

  /// The smallest queue size, a power of two, with `descriptorCount` descriptors.
  private static func queueSize(descriptorCount: Int) -> Int {
    precondition(descriptorCount > 0 && descriptorCount <= SplitVirtqueueLayout.maximumSize)
    var size = 1
    while size < descriptorCount { size *= 2 }
    assert(size >= descriptorCount && size < 2 * descriptorCount)
    return size
  }
}
