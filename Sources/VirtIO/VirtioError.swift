import BoardSupport

/// Why a virtio device could not be found, set up or kept running.
public enum VirtioError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The magic value is not 0x74726976: no virtio-mmio device answers at this address.
  case notVirtio(magicValue: UInt32)
  /// The transport version is neither 1 (legacy) nor 2.
  case unsupportedVersion(UInt32)
  /// Device ID 0: a placeholder slot with no device behind it. A driver skips these quietly
  /// (VIRTIO 1.1 section 4.2.2.2).
  case emptySlot
  /// The device is of another type (section 5: 1 is network, 2 block, ...).
  case wrongDeviceType(deviceID: UInt32)
  /// The status did not read 0 after a reset within the bounded number of reads.
  case resetDidNotComplete
  /// The device does not offer features the driver cannot work without.
  case requiredFeaturesMissing(VirtioFeatures)
  /// The device cleared FEATURES_OK: it cannot work with the features the driver accepted
  /// (section 3.1.1, step 6).
  case featuresRefused
  /// The queue does not exist (its maximum size is 0) or is already in use.
  case queueUnavailable(queue: Int)
  /// The queue cannot hold as many descriptors as the driver's buffers need.
  case queueTooSmall(queue: Int, maximumSize: Int, neededSize: Int)
  /// The device set DEVICE_NEEDS_RESET (section 2.1): it stopped working until the driver
  /// initializes it again.
  case deviceNeedsReset
  /// The device broke a virtqueue's used ring (`SplitVirtqueue.isBroken`): it returned a buffer
  /// it did not hold, or more buffers than it was given. Only a reset brings it back.
  case brokenQueue(queue: Int)

  public var description: String {
    switch self {
    case .notVirtio(let magicValue):
      return "no virtio-mmio device (magic value \(hexadecimalText(magicValue)))"
    case .unsupportedVersion(let version):
      return "unsupported virtio-mmio version \(version)"
    case .emptySlot: return "an empty virtio-mmio slot"
    case .wrongDeviceType(let deviceID): return "a virtio device of another type (ID \(deviceID))"
    case .resetDidNotComplete: return "the device did not finish its reset"
    case .requiredFeaturesMissing(let missing):
      return "the device lacks required features \(hexadecimalText(missing.rawValue))"
    case .featuresRefused: return "the device refused the accepted features"
    case .queueUnavailable(let queue): return "virtqueue \(queue) is missing or in use"
    case .queueTooSmall(let queue, let maximumSize, let neededSize):
      return "virtqueue \(queue) holds at most \(maximumSize) entries, \(neededSize) needed"
    case .deviceNeedsReset: return "the device needs a reset"
    case .brokenQueue(let queue):
      return "the device returned a buffer of virtqueue \(queue) that it did not hold"
    }
  }
}
