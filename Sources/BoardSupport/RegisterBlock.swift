/// A device's block of memory-mapped registers, reached by byte offsets from the block's base.
///
/// Drivers are generic over this protocol, so the same driver runs on the bare-metal block (whose
/// accesses are volatile loads and stores at a physical address) and on a simulated device in a
/// host test. Control registers are 32 bits wide and 32-bit aligned.
public protocol RegisterBlock {
  /// The 32-bit register `offset` bytes into the block; `offset` is a multiple of 4.
  func read(_ offset: Int) -> UInt32

  /// Writes `value` to the 32-bit register `offset` bytes into the block; `offset` is a
  /// multiple of 4.
  func write(_ offset: Int, _ value: UInt32)

  /// The byte `offset` bytes into the block, for devices whose byte-wide fields must be read one
  /// byte at a time (a virtio-mmio device's configuration space, VIRTIO 1.1 section 4.2.2.2).
  func readByte(_ offset: Int) -> UInt8
}

extension RegisterBlock {
  /// The byte read out of the aligned 32-bit register that holds it (registers are
  /// little-endian), for blocks that have only word accesses.
  ///
  /// A block that can make a real byte-wide access implements `readByte` itself: a device may
  /// answer a word read of bytes past the end of its fields with all ones.
  public func readByte(_ offset: Int) -> UInt8 {
    let word = read(offset & ~3)
    return UInt8(truncatingIfNeeded: word >> (8 * UInt32(offset & 3)))
  }
}
