/// Why a virtio-mmio device asserts its interrupt: the bits of InterruptStatus, which the driver
/// writes back to InterruptACK once handled (VIRTIO 1.1 section 4.2.2).
public struct VirtioInterruptCauses: OptionSet, Sendable, Hashable {
  /// The bits as the register holds them.
  public let rawValue: UInt32

  /// The causes with these bits.
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// Bit 0: the device used buffers in at least one queue.
  public static let usedBuffer = VirtioInterruptCauses(rawValue: 1)
  /// Bit 1: the device's configuration changed, or it needs a reset (section 2.1.2).
  public static let configurationChange = VirtioInterruptCauses(rawValue: 2)

  /// Every bit the standard defines; the driver ignores the others (section 4.2.2.2).
  public static let defined: VirtioInterruptCauses = [.usedBuffer, .configurationChange]
}
