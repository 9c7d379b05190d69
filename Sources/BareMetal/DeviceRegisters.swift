import BoardSupport
import _Volatile

/// A device's block of 32-bit registers at a physical address, read and written with volatile
/// accesses so that the compiler neither drops, merges nor reorders them. This is the only place
/// where Loam's bare-metal code turns an address into memory accesses.
public struct DeviceRegisters: RegisterBlock {
  /// The block's first address.
  public let baseAddress: UInt

  /// The registers from `baseAddress`, which the board's memory map says hold a device.
  public init(baseAddress: UInt) {
    precondition(baseAddress % 4 == 0, "device registers are 32-bit aligned")
    self.baseAddress = baseAddress
  }

  /// The register `offset` bytes into the block.
  @inline(__always)
  public func read(_ offset: Int) -> UInt32 {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: baseAddress + UInt(offset)).load()
  }

  /// The byte `offset` bytes into the block, read with a byte-wide access.
  @inline(__always)
  public func readByte(_ offset: Int) -> UInt8 {
    VolatileMappedRegister<UInt8>(unsafeBitPattern: baseAddress + UInt(offset)).load()
  }

  /// Writes `value` to the register `offset` bytes into the block.
  @inline(__always)
  public func write(_ offset: Int, _ value: UInt32) {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: baseAddress + UInt(offset)).store(value)
  }
}
