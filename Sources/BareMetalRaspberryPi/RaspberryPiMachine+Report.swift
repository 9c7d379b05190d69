import BareMetal
import BoardSupport
import BroadcomPeripherals

extension RaspberryPiMachine {
  /// Prints what the firmware said about the board.
  public func printReport() {
    print("  SoC \(layout.soc)")
    if let revision = information.revision {
      print("  board revision \(hexadecimalText(revision))")
    }
    if let model = information.model { print("  board model \(model)") }
    if let serial = information.serialNumber { print("  serial \(hexadecimalText(serial))") }
    if let mac = information.macAddress {
      print("  MAC \(mac.map { String(hexadecimalText($0).dropFirst(2)) }.joined(separator: ":"))")
    }
    if let memory = information.armMemory {
      print("  ARM memory \(memory.byteCount / (1 << 20)) MiB at \(hexadecimalText(memory.base))")
    }
    if let clock = information.coreClockHertz { print("  core clock \(clock) Hz") }
    print("  system timer \(systemTimer.microseconds) µs since power-on")
    // The Pi 4's RNG200 is left alone until randomness is needed (see RaspberryPiMachine).
    if let random = randomNumber() {
      print("  hardware RNG \(hexadecimalText(random))")
    }
  }

  /// Drives GPIO `line` (an output from now on) high and low, reads the level register back
  /// each time, and logs what it saw: a line that does not follow is shorted or held.
  public func checkOutputLine(_ line: Int) {
    do throws(GPIOError) {
      try gpio.configure(line: line, as: .output(initial: .low))
      for level in [GPIOLevel.high, .low] {
        try gpio.set(line: line, to: level)
        print("gpio \(line): drove \(level), level register reads \(gpio.readLevel(of: line))")
      }
    } catch {
      print("gpio \(line): \(error)")
    }
  }
}
