/// The control registers of a virtio-mmio device, by their byte offset from the device's base,
/// with the names VIRTIO 1.1 section 4.2.2 gives them (4.2.4 for the legacy-only ones).
///
/// Every register is 32 bits wide and little-endian; the driver reaches them only with 32-bit
/// aligned accesses. The device-specific configuration space starts at `config`.
public enum VirtioMMIORegister: Int, Sendable {
  /// Reads 0x74726976, "virt" in little-endian ASCII.
  case magicValue = 0x000
  /// Reads 2 for the current transport, 1 for the legacy one.
  case version = 0x004
  /// Reads the device type (1 is a network card); 0 marks an empty slot.
  case deviceID = 0x008
  /// Reads who made the device.
  case vendorID = 0x00C
  /// Reads 32 of the device's feature bits, the word `deviceFeaturesSel` selects.
  case deviceFeatures = 0x010
  /// Selects the word of feature bits `deviceFeatures` reads (0: bits 0-31, 1: bits 32-63).
  case deviceFeaturesSel = 0x014
  /// Takes 32 of the feature bits the driver accepts, the word `driverFeaturesSel` selects.
  case driverFeatures = 0x020
  /// Selects the word of feature bits `driverFeatures` takes.
  case driverFeaturesSel = 0x024
  /// Legacy only: takes the guest's page size, the unit of `queuePFN`.
  case guestPageSize = 0x028
  /// Selects the virtqueue the queue registers below apply to.
  case queueSel = 0x030
  /// Reads the largest size of the selected queue, 0 when it does not exist.
  case queueNumMax = 0x034
  /// Takes the size (number of entries) the driver chose for the selected queue.
  case queueNum = 0x038
  /// Legacy only: takes the alignment of the selected queue's used ring, in bytes.
  case queueAlign = 0x03C
  /// Legacy only: takes the page number of the selected queue's memory; reads nonzero while
  /// the queue is in use.
  case queuePFN = 0x040
  /// Takes 1 once the selected queue is set up; reads what was written last.
  case queueReady = 0x044
  /// Takes the index of a queue that has new available buffers.
  case queueNotify = 0x050
  /// Reads why the interrupt is asserted (`VirtioInterruptCauses`).
  case interruptStatus = 0x060
  /// Takes the causes the driver handled, which the device then clears.
  case interruptACK = 0x064
  /// Reads and sets the device status (`VirtioDeviceStatus`); writing 0 resets the device.
  case status = 0x070
  /// Takes the low 32 bits of the selected queue's descriptor table address.
  case queueDescLow = 0x080
  /// Takes the high 32 bits of the selected queue's descriptor table address.
  case queueDescHigh = 0x084
  /// Takes the low 32 bits of the selected queue's available ring address.
  case queueDriverLow = 0x090
  /// Takes the high 32 bits of the selected queue's available ring address.
  case queueDriverHigh = 0x094
  /// Takes the low 32 bits of the selected queue's used ring address.
  case queueDeviceLow = 0x0A0
  /// Takes the high 32 bits of the selected queue's used ring address.
  case queueDeviceHigh = 0x0A4
  /// Reads a value that changes whenever the configuration space changes.
  case configGeneration = 0x0FC
  /// The first byte of the device-specific configuration space.
  case config = 0x100
}
