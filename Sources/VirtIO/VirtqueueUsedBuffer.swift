/// A buffer the device has finished with: an element of the used ring (VIRTIO 1.1 section
/// 2.6.8).
public struct VirtqueueUsedBuffer: Equatable, Sendable {
  /// The head descriptor of the buffer's chain, as `SplitVirtqueue.addBuffer` returned it.
  public var head: UInt16
  /// How many bytes the device wrote into the buffer, from its first device-writable byte; 0
  /// for a buffer it only read (though legacy devices may report more there, section 5.1.6.1).
  public var writtenByteCount: Int

  /// The used element for the chain at `head` with `writtenByteCount` bytes written.
  public init(head: UInt16, writtenByteCount: Int) {
    self.head = head
    self.writtenByteCount = writtenByteCount
  }
}
