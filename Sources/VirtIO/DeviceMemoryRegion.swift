/// Memory a driver shares with a device: one region, physically contiguous, that holds its
/// virtqueues and buffers. The caller provides it once, at start (the unikernel from its heap, a
/// test from the host's), and the driver allocates nothing else for the device.
///
/// The processor reaches the region at `bytes`, the device at `physicalAddress`; on the
/// unikernel, whose memory map is the identity, the two are the same number.
public struct DeviceMemoryRegion {
  /// The region as the processor addresses it.
  public let bytes: UnsafeMutableRawBufferPointer
  /// The address of its first byte as the device addresses it.
  public let physicalAddress: UInt64

  /// The region at `bytes` that the device sees at `physicalAddress`. Both must be aligned to a
  /// page (4096 bytes), which virtqueues need (VIRTIO 1.1 section 2.6.2).
  public init(bytes: UnsafeMutableRawBufferPointer, physicalAddress: UInt64) {
    guard let start = bytes.baseAddress else { preconditionFailure("device memory is empty") }
    let pageBytes = SplitVirtqueueLayout.pageBytes
    precondition(Int(bitPattern: start) % pageBytes == 0, "device memory starts on a page")
    precondition(physicalAddress % UInt64(pageBytes) == 0, "device memory starts on a page")
    precondition(physicalAddress <= UInt64.max - UInt64(bytes.count), "the region fits")
    self.bytes = bytes
    self.physicalAddress = physicalAddress
  }

  /// The processor's pointer to the byte `offset` bytes into the region.
  public func pointer(at offset: Int) -> UnsafeMutableRawPointer {
    precondition(offset >= 0 && offset < bytes.count, "the offset lies inside the region")
    return bytes.baseAddress! + offset
  }

  /// The device's address of the byte `offset` bytes into the region.
  public func physicalAddress(at offset: Int) -> UInt64 {
    precondition(offset >= 0 && offset < bytes.count, "the offset lies inside the region")
    return physicalAddress + UInt64(offset)
  }
}
