/// The bits of a virtio device's status register, through which driver and device agree on
/// how far initialization has come (VIRTIO 1.1 section 2.1).
public struct VirtioDeviceStatus: OptionSet, Sendable, Hashable {
  /// The bits as the register holds them.
  public let rawValue: UInt32

  /// The status with these bits.
  public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// ACKNOWLEDGE (1): the guest has noticed the device.
  public static let acknowledge = VirtioDeviceStatus(rawValue: 1)
  /// DRIVER (2): the guest knows how to drive it.
  public static let driver = VirtioDeviceStatus(rawValue: 2)
  /// DRIVER_OK (4): the driver is set up and the device may run.
  public static let driverOK = VirtioDeviceStatus(rawValue: 4)
  /// FEATURES_OK (8): the driver has accepted features; the device clears it again if it
  /// cannot work with them.
  public static let featuresOK = VirtioDeviceStatus(rawValue: 8)
  /// DEVICE_NEEDS_RESET (64): the device hit an error it cannot recover from without a reset.
  public static let deviceNeedsReset = VirtioDeviceStatus(rawValue: 64)
  /// FAILED (128): the driver gave up on the device.
  public static let failed = VirtioDeviceStatus(rawValue: 128)
}
