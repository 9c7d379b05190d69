/// Which of the two virtio-mmio register layouts a device speaks (VIRTIO 1.1 section 4.2).
///
/// QEMU's `virt` board gives the legacy one unless it runs with
/// `-global virtio-mmio.force-legacy=false`.
public enum VirtioMMIOVersion: UInt32, Sendable {
  /// Version 1 (section 4.2.4): queues placed by page number, 32 feature bits, no
  /// FEATURES_OK step, rings in the guest's byte order.
  case legacy = 1
  /// Version 2 (section 4.2.2): each queue part at its own 64-bit address, 64 feature bits,
  /// VIRTIO_F_VERSION_1 required.
  case modern = 2
}
