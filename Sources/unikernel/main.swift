import ApplianceProfiles
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

/// The sensor profile and board description `scripts/build-unikernel` built in. They were
/// checked when the image was built, so a failure here is a build gone wrong.
func builtInConfiguration() -> ApplianceConfiguration {
  func bytes(_ text: StaticString) -> [UInt8] { text.withUTF8Buffer { Array($0) } }
  do throws(ConfigurationFileError) {
    return try ApplianceConfiguration.load(
      profile: bytes(BuiltInConfiguration.profile),
      profileFileName: BuiltInConfiguration.profileFileName,
      board: bytes(BuiltInConfiguration.board), boardFileName: BuiltInConfiguration.boardFileName)
  } catch {
    halt("\(error)")
  }
}

/// Prints why the appliance cannot go on, and stops.
func halt(_ message: String) -> Never {
  print("*** \(message)")
  fatalError("the appliance cannot start")
}
