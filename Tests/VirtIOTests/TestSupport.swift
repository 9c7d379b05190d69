import BoardSupport
import VirtIO

/// A barrier for a simulated device on the driver's own thread, which needs none.
struct NoBarrier: MemoryBarrier {
  func orderMemoryAccesses() {}
}

/// A barrier that runs `observe` each time it is passed, to check what memory holds there.
struct ObservingBarrier: MemoryBarrier {
  let observe: () -> Void
  func orderMemoryAccesses() { observe() }
}

/// Page-aligned host memory standing in for the device memory the unikernel gives a driver,
/// at a made-up physical address unlike its host address, so that a driver mixing the two
/// shows up as DMA outside the region. Filled with 0xA5 to show what the driver does not
/// initialize.
final class TestDeviceMemory {
  static let physicalAddress: UInt64 = 0x4800_0000

  let bytes: UnsafeMutableRawBufferPointer

  init(byteCount: Int) {
    bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 4096)
    bytes.initializeMemory(as: UInt8.self, repeating: 0xA5)
  }

  deinit { bytes.deallocate() }

  var region: DeviceMemoryRegion {
    DeviceMemoryRegion(bytes: bytes, physicalAddress: Self.physicalAddress)
  }
}

/// An Ethernet frame of `byteCount` bytes whose contents say which frame it is.
func testFrame(_ number: Int, byteCount: Int = 60) -> [UInt8] {
  precondition(byteCount >= 16)
  let header: [UInt8] = [
    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
    UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number),
  ]
  return header + (0..<byteCount - header.count).map { UInt8(truncatingIfNeeded: $0 &+ number) }
}

/// The three kinds of card a driver meets on QEMU's `virt` board.
enum CardVariant: CaseIterable {
  /// The default: legacy transport, VIRTIO_F_ANY_LAYOUT offered.
  case legacy
  /// A legacy card without VIRTIO_F_ANY_LAYOUT, which wants the header in its own descriptor.
  case legacyWithoutAnyLayout
  /// `-global virtio-mmio.force-legacy=false`.
  case modern

  var version: VirtioMMIOVersion { self == .modern ? .modern : .legacy }

  var offeredFeatures: VirtioFeatures {
    var features = SimulatedVirtioNetDevice.qemuFeatures(version)
    if self == .legacyWithoutAnyLayout { features.remove(.anyLayout) }
    return features
  }
}

/// A simulated card and the device memory its driver gets.
final class CardFixture {
  let configuration: VirtioNetDevice<SimulatedVirtioNetDevice, NoBarrier>.Configuration
  let memory: TestDeviceMemory
  let card: SimulatedVirtioNetDevice

  init(
    _ variant: CardVariant, receiveBufferCount: Int = 16, transmitBufferCount: Int = 16
  ) {
    configuration = .init(
      receiveBufferCount: receiveBufferCount, transmitBufferCount: transmitBufferCount)
    memory = TestDeviceMemory(
      byteCount: VirtioNetDevice<SimulatedVirtioNetDevice, NoBarrier>.requiredMemoryByteCount(
        configuration: configuration))
    card = SimulatedVirtioNetDevice(
      version: variant.version, offeredFeatures: variant.offeredFeatures,
      memory: memory.bytes, physicalAddress: TestDeviceMemory.physicalAddress)
  }

  /// A driver for the card, initialized.
  func makeDriver() throws(VirtioError) -> VirtioNetDevice<SimulatedVirtioNetDevice, NoBarrier> {
    try VirtioNetDevice(
      registers: card, barrier: NoBarrier(), memory: memory.region, configuration: configuration)
  }

  /// The error the driver's initialization throws, or nil when it succeeds.
  func initializationError() -> VirtioError? {
    do {
      _ = try makeDriver()
      return nil
    } catch {
      return error
    }
  }
}
