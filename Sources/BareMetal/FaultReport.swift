import AArch64
import BareMetalSupport

/// The registers `vectors.S` saves when an exception arrives, in its order.
struct ExceptionFrame {
  var registers:
    (
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
      UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )
  var exceptionLinkRegister: UInt64
  var savedProgramStatus: UInt64
  var syndrome: UInt64
  var faultAddress: UInt64
  var padding: UInt64
}

/// Where every exception lands (`vectors.S` calls it with the saved registers). Loam takes no
/// interrupts, so whatever arrives is a fault: it prints what happened, where, and the
/// registers, without allocating (the heap may be what broke), and halts the core.
@_cdecl("loam_exception")
func handleException(kind: UInt64, frameAddress: UnsafeMutableRawPointer) {
  let frame = frameAddress.assumingMemoryBound(to: ExceptionFrame.self)
  let syndrome = ExceptionSyndrome(rawValue: frame.pointee.syndrome)
  Console.write("\n*** Loam unikernel fault: ")
  switch kind & 0b11 {
  case 0:
    Console.write(syndrome.classDescription)
    if let status = syndrome.faultStatusDescription {
      Console.write(" (")
      Console.write(status)
      if let level = syndrome.faultLevel {
        Console.write(", level ")
        Console.writeDecimal(UInt64(level))
      }
      if let isWrite = syndrome.isWrite { Console.write(isWrite ? ", on a write" : ", on a read") }
      Console.write(")")
    }
  case 1: Console.write("an IRQ was taken, but Loam keeps interrupts masked")
  case 2: Console.write("an FIQ was taken, but Loam keeps interrupts masked")
  default: Console.write("SError (an asynchronous external abort)")
  }
  Console.write("\n  at pc ")
  Console.writeHexadecimal(frame.pointee.exceptionLinkRegister)
  if syndrome.hasFaultAddress {
    Console.write("  address ")
    Console.writeHexadecimal(frame.pointee.faultAddress)
  }
  Console.write("\n  esr ")
  Console.writeHexadecimal(frame.pointee.syndrome)
  Console.write("  spsr ")
  Console.writeHexadecimal(frame.pointee.savedProgramStatus)
  Console.write("  vector ")
  Console.writeDecimal(kind)
  withUnsafeBytes(of: frame.pointee.registers) { bytes in
    for index in 0..<31 {
      Console.write(index % 4 == 0 ? "\n  " : "  ")
      Console.write("x")
      if index < 10 { Console.write("0") }
      Console.writeDecimal(UInt64(index))
      Console.write(" ")
      Console.writeHexadecimal(bytes.load(fromByteOffset: index * 8, as: UInt64.self))
    }
  }
  Console.write("\n*** halted\n")
  while true { loam_halt_core() }
}
