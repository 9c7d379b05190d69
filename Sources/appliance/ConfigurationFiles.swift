import ApplianceProfiles
import Glibc
import HostPlatform
import Readings

/// Loads the board description `Boards/<boardName>/board.json` and the sensor profile at
/// `profilePath` (both relative to the working directory unless absolute) and checks them on
/// their own and against each other. On any error it prints the message, with the file, line
/// and column for a mistake in a file, and answers nil: the appliance then exits with status 2
/// before it touches hardware or the network.
func loadConfiguration(boardName: String, profilePath: String) -> ApplianceConfiguration? {
  guard Identifier.isValid(boardName) else {
    writeLine("appliance: --board \(boardName) is not a board name (ls Boards/)", to: STDERR_FILENO)
    return nil
  }
  let boardPath = "Boards/\(boardName)/board.json"
  let boardText: [UInt8]
  let profileText: [UInt8]
  do throws(SystemError) {
    boardText = try readSmallFile(atPath: boardPath)
  } catch {
    writeLine(
      "appliance: no board \(boardName): \(error) (the boards are the directories of Boards/)",
      to: STDERR_FILENO)
    return nil
  }
  do throws(SystemError) {
    profileText = try readSmallFile(atPath: profilePath)
  } catch {
    writeLine("appliance: cannot read the sensor profile: \(error)", to: STDERR_FILENO)
    return nil
  }
  do throws(ConfigurationFileError) {
    return try ApplianceConfiguration.load(
      profile: profileText, profileFileName: profilePath, board: boardText,
      boardFileName: boardPath)
  } catch {
    writeLine("\(error)", to: STDERR_FILENO)
    return nil
  }
}
