/// The Arm PL011 UART, the console of QEMU's virt machine and of the Raspberry Pis (ARM
/// PrimeCell UART (PL011) Technical Reference Manual, r1p5, chapter 3).
///
/// Loam only transmits on it: the boot report, readings and fault reports. Writes wait while
/// the transmit FIFO is full, so nothing is lost and nothing is buffered in Swift.
public struct PL011UART {
  private let registers: DeviceRegisters

  private enum Offset {
    static let data = 0x00  // UARTDR
    static let flags = 0x18  // UARTFR
    static let integerBaudDivisor = 0x24  // UARTIBRD
    static let fractionalBaudDivisor = 0x28  // UARTFBRD
    static let lineControl = 0x2C  // UARTLCR_H
    static let control = 0x30  // UARTCR
    static let interruptMask = 0x38  // UARTIMSC
    static let interruptClear = 0x44  // UARTICR
  }

  /// UARTFR.TXFF: the transmit FIFO is full.
  private static let transmitFIFOFull: UInt32 = 1 << 5
  /// UARTFR.BUSY: still sending bits.
  private static let busy: UInt32 = 1 << 3

  /// The UART whose registers start at `baseAddress`.
  public init(baseAddress: UInt) { registers = DeviceRegisters(baseAddress: baseAddress) }

  /// Sets 8 data bits, no parity, one stop bit, FIFOs on, at `baudRate` from the UART's
  /// reference clock `clockHertz`, and enables the transmitter. (QEMU ignores the divisors; a
  /// Pi's firmware leaves the clock at 48 MHz with `init_uart_clock` unset.)
  public func configure(clockHertz: UInt32, baudRate: UInt32) {
    precondition(baudRate > 0 && clockHertz >= 16 * baudRate, "the UART clock is too slow")
    registers.write(Offset.control, 0)
    while registers.read(Offset.flags) & Self.busy != 0 {}
    // The divisor is clock / (16 * baud), with a 6-bit fraction: 64ths, rounded.
    let divisorTimes64 = (UInt64(clockHertz) * 4 + UInt64(baudRate) / 2) / UInt64(baudRate)
    registers.write(Offset.integerBaudDivisor, UInt32(divisorTimes64 >> 6))
    registers.write(Offset.fractionalBaudDivisor, UInt32(divisorTimes64 & 0x3F))
    registers.write(Offset.lineControl, (0b11 << 5) | (1 << 4))  // WLEN 8 bits, FEN
    registers.write(Offset.interruptMask, 0)
    registers.write(Offset.interruptClear, 0x7FF)
    registers.write(Offset.control, (1 << 0) | (1 << 8) | (1 << 9))  // UARTEN, TXE, RXE
  }

  /// Sends one byte, waiting for room in the FIFO.
  public func write(_ byte: UInt8) {
    while registers.read(Offset.flags) & Self.transmitFIFOFull != 0 {}
    registers.write(Offset.data, UInt32(byte))
  }
}
