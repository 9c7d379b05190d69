import Glibc
import LinuxHardware
import XCTest

/// The ways opening a GPIO chip fails on a machine without GPIO hardware, each through
/// libgpiod's real `gpiod_chip_open`.
final class LinuxGPIOChipErrorTests: XCTestCase {
  /// What opening `path` threw, or nil if it opened.
  private func openingError(_ path: String) -> LinuxGPIOChipError? {
    do {
      _ = try LinuxGPIOChip(path: path)
      return nil
    } catch {
      return error
    }
  }

  func testAMissingChipIsNamed() throws {
    XCTAssertThrowsError(try LinuxGPIOChip(name: "gpiochip99")) { error in
      guard case .chipMissing(let path, let systemError) = error as? LinuxGPIOChipError else {
        return XCTFail("expected .chipMissing, got \(error)")
      }
      XCTAssertEqual(path, "/dev/gpiochip99")
      XCTAssertEqual(systemError.errorNumber, ENOENT)
      let text = "\(error)"
      XCTAssertTrue(
        text.contains("no GPIO chip /dev/gpiochip99") && text.contains("gpiodetect"), text)
    }
  }

  /// /dev/null opens, but libgpiod finds no GPIO device behind it in sysfs.
  func testANodeThatIsNoGPIOChipIsNamedAsSuch() throws {
    let error = try XCTUnwrap(openingError("/dev/null"))
    guard case .notAGPIOChip(let path, _) = error else {
      return XCTFail("expected .notAGPIOChip, got \(error)")
    }
    XCTAssertEqual(path, "/dev/null")
    XCTAssertTrue(error.description.contains("/dev/null is not a GPIO chip"), error.description)
  }

  /// The real open of a root-only node by a process running as `nobody`, as a Pi user outside
  /// the gpio group would make it.
  func testPermissionDeniedSaysWhichGroupToJoin() throws {
    let path = rootOnlyFile(named: "gpiochip-permission", in: self)
    let text = try textFromUnprivilegedChild {
      do throws(LinuxGPIOChipError) {
        _ = try LinuxGPIOChip(path: path)
        return "opened"
      } catch {
        guard case .permissionDenied(_, let systemError) = error else { return "other: \(error)" }
        return "errno \(systemError.errorNumber): \(error)"
      }
    }
    XCTAssertTrue(text.hasPrefix("errno \(EACCES): "), text)
    XCTAssertTrue(text.contains("`gpio` group") && text.contains("usermod -aG gpio"), text)
  }
}
