/// One physically contiguous piece of a buffer the driver offers a virtqueue: one descriptor
/// of a descriptor chain (VIRTIO 1.1 section 2.6.5).
public struct VirtqueueSegment: Equatable, Sendable {
  /// Where the piece starts, as the device addresses memory.
  public var physicalAddress: UInt64
  /// Its length in bytes.
  public var byteCount: Int
  /// Whether the device writes it (a receive buffer) rather than reads it (a frame to send).
  public var isDeviceWritable: Bool

  /// The piece of `byteCount` bytes at `physicalAddress`, which the device writes or reads.
  public init(physicalAddress: UInt64, byteCount: Int, isDeviceWritable: Bool) {
    precondition(byteCount > 0 && byteCount <= Int(UInt32.max), "a descriptor's length is 32-bit")
    self.physicalAddress = physicalAddress
    self.byteCount = byteCount
    self.isDeviceWritable = isDeviceWritable
  }
}
