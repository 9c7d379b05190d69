import BareMetal
import BareMetalSupport

/// The unikernel's entry from `start.S`, at EL1 with the MMU off, on core 0's stack. The board
/// (`Boards/<board>/Board.swift`, compiled in) brings the machine up and runs its application.
@_cdecl("loam_main")
func loamMain(deviceTree: UInt) -> Never {
  Board.run(deviceTree: deviceTree)
}

/// The first lines on the console, the same on every board.
func printBanner(timer: GenericTimer) {
  print("Loam unikernel on \(Board.name): \(Board.description)")
  print(
    "  EL\(loam_read_currentel() >> 2), MMU and caches on, timer \(timer.frequencyHertz) Hz, "
      + "heap \(HeapMemory.statistics.capacityBytes / 1024) KiB")
}
