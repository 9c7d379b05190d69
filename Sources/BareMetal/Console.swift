/// The unikernel's console: the board's UART, behind `putchar` (which Embedded Swift's `print`
/// calls) and behind the fault report, which must print without allocating.
public enum Console {
  nonisolated(unsafe) private static var uart: PL011UART?

  /// Sends everything printed from now on to `uart`.
  public static func attach(_ uart: PL011UART) { Self.uart = uart }

  /// Writes one byte; a newline goes out as CR LF, as serial terminals expect.
  public static func write(_ byte: UInt8) {
    guard let uart else { return }
    if byte == UInt8(ascii: "\n") { uart.write(UInt8(ascii: "\r")) }
    uart.write(byte)
  }

  /// Writes a static string, without allocating.
  public static func write(_ text: StaticString) {
    text.withUTF8Buffer { bytes in
      for byte in bytes { write(byte) }
    }
  }

  /// Writes `value` as 16 hexadecimal digits with a 0x prefix, without allocating.
  public static func writeHexadecimal(_ value: UInt64) {
    write("0x")
    for shift in stride(from: 60, through: 0, by: -4) {
      let digit = UInt8((value >> UInt64(shift)) & 0xF)
      write(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
    }
  }

  /// Writes `value` in decimal, without allocating.
  public static func writeDecimal(_ value: UInt64) {
    var divisor: UInt64 = 1
    while value / divisor >= 10 { divisor *= 10 }
    while divisor > 0 {
      write(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
      divisor /= 10
    }
  }
}

@_cdecl("putchar")
func putchar(_ character: CInt) -> CInt {
  Console.write(UInt8(truncatingIfNeeded: character))
  return character
}
