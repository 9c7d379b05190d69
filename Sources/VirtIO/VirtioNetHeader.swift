/// The header that precedes every frame in a virtio network device's buffers, `struct
/// virtio_net_hdr` (VIRTIO 1.1 section 5.1.6):
///
///     flags (1)  gso_type (1)  hdr_len (2)  gso_size (2)  csum_start (2)  csum_offset (2)
///     num_buffers (2, modern interface or VIRTIO_NET_F_MRG_RXBUF only)
///
/// Loam negotiates no offloads, so every header it sends is all zeros: flags 0, gso_type
/// VIRTIO_NET_HDR_GSO_NONE, num_buffers 0 (section 5.1.6.2.1). It does not look into received
/// headers: without VIRTIO_NET_F_GUEST_CSUM and the GUEST_TSO features the device sends whole,
/// checksummed frames, and the driver ignores flags it does not know (section 5.1.6.4.2).
public enum VirtioNetHeader {
  /// The header's length with the features negotiated: 12 bytes on the modern interface, 10 on
  /// the legacy one without VIRTIO_NET_F_MRG_RXBUF, which Loam never accepts (section
  /// 5.1.6.1).
  public static func byteCount(features: VirtioFeatures) -> Int {
    features.contains(.version1) ? 12 : 10
  }

  /// The longest header: the room a buffer keeps for it.
  public static var maximumByteCount: Int { 12 }

  /// Writes the header of a frame to send, all zeros, to the `byteCount` bytes at `memory`.
  public static func emit(into memory: UnsafeMutableRawPointer, byteCount: Int) {
    precondition(byteCount == 10 || byteCount == 12, "a header is 10 or 12 bytes")
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
  }
}
