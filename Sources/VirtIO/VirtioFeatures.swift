/// A set of virtio feature bits, which device and driver negotiate at initialization (VIRTIO 1.1
/// section 2.2): the device offers some, the driver accepts a subset.
///
/// Only the bits Loam's drivers negotiate have names; any other bit a device offers is refused.
public struct VirtioFeatures: OptionSet, Sendable, Hashable {
  /// Bit `n` stands for feature number `n`.
  public let rawValue: UInt64

  /// The set with these bits.
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// VIRTIO_NET_F_MAC (5, section 5.1.3): the network device's configuration space holds its
  /// MAC address.
  public static let networkMACAddress = VirtioFeatures(rawValue: 1 << 5)
  /// VIRTIO_F_ANY_LAYOUT (27, section 2.6.4.3): on the legacy interface, the device accepts any
  /// split of a message into descriptors. Without it, a network driver puts the header in a
  /// descriptor of its own (section 5.1.6.6).
  public static let anyLayout = VirtioFeatures(rawValue: 1 << 27)
  /// VIRTIO_F_VERSION_1 (32, section 6): the device follows this standard rather than the
  /// legacy interface; a modern transport requires it.
  public static let version1 = VirtioFeatures(rawValue: 1 << 32)

  /// The bits feature word `word` holds (0: bits 0-31, 1: bits 32-63), as the feature
  /// registers carry them.
  public func word(_ word: Int) -> UInt32 {
    precondition(word == 0 || word == 1, "feature words are 0 and 1")
    return UInt32(truncatingIfNeeded: rawValue >> (32 * UInt64(word)))
  }

  /// The set made of two feature words, low bits first.
  public init(low: UInt32, high: UInt32) {
    self.init(rawValue: UInt64(high) << 32 | UInt64(low))
  }
}
