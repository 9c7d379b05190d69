/// A device's block of 32-bit registers, addressed by byte offset: memory-mapped I/O on bare
/// metal (`DeviceRegisters` in module BareMetal), a model of the device in host tests.
///
/// Register-level drivers (the Raspberry Pi's GPIO and I2C controllers, virtio) are generic over
/// it, so the same driver code runs on the hardware and against a simulated device.
public protocol RegisterBlock {
  /// Reads the register `offset` bytes into the block.
  func read(_ offset: Int) -> UInt32
  /// Writes `value` to the register `offset` bytes into the block.
  func write(_ offset: Int, _ value: UInt32)
}
