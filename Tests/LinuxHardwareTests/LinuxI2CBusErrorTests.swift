import BoardSupport
import Glibc
import HostPlatform
import LinuxHardware
import XCTest

/// The ways opening an i2c-dev bus fails on a machine without I2C hardware, each through the
/// real `open` and `ioctl`, and the errno mapping of failed transfers.
final class LinuxI2CBusErrorTests: XCTestCase {
  /// What opening `path` threw, or nil if it opened.
  private func openingError(_ path: String) -> LinuxI2CBusError? {
    do {
      _ = try LinuxI2CBus(path: path)
      return nil
    } catch {
      return error
    }
  }

  func testAMissingBusSaysHowToEnableI2C() throws {
    let error = try XCTUnwrap(openingError("/dev/i2c-99"))
    guard case .busMissing(let path, let systemError) = error else {
      return XCTFail("expected .busMissing, got \(error)")
    }
    XCTAssertEqual(path, "/dev/i2c-99")
    XCTAssertEqual(systemError.errorNumber, ENOENT)
    let text = error.description
    XCTAssertTrue(text.contains("dtparam=i2c_arm=on") && text.contains("reboot"), text)
    XCTAssertTrue(text.contains("/dev/i2c-99"), text)
  }

  func testTheBusNumberInitializerOpensTheUsualNode() throws {
    XCTAssertThrowsError(try LinuxI2CBus(busNumber: 99)) { error in
      guard case .busMissing(let path, _) = error as? LinuxI2CBusError else {
        return XCTFail("expected .busMissing, got \(error)")
      }
      XCTAssertEqual(path, "/dev/i2c-99")
    }
  }

  /// A node that opens but is no I2C adapter: /dev/null refuses I2C_FUNCS with ENOTTY.
  func testANodeThatIsNoI2CAdapterIsNamedAsSuch() throws {
    let error = try XCTUnwrap(openingError("/dev/null"))
    guard case .notAnI2CAdapter(let path, let systemError) = error else {
      return XCTFail("expected .notAnI2CAdapter, got \(error)")
    }
    XCTAssertEqual(path, "/dev/null")
    XCTAssertEqual(systemError.errorNumber, ENOTTY)
    XCTAssertEqual(systemError.call, "ioctl(I2C_FUNCS)")
    XCTAssertTrue(error.description.contains("not an I2C bus"), error.description)
  }

  /// The real open of a root-only node by a process running as `nobody`, as a Pi user outside
  /// the i2c group would make it.
  func testPermissionDeniedSaysWhichGroupToJoin() throws {
    let path = rootOnlyFile(named: "i2c-permission", in: self)
    let text = try textFromUnprivilegedChild {
      do throws(LinuxI2CBusError) {
        _ = try LinuxI2CBus(path: path)
        return "opened"
      } catch {
        guard case .permissionDenied(_, let systemError) = error else { return "other: \(error)" }
        return "errno \(systemError.errorNumber): \(error)"
      }
    }
    XCTAssertTrue(text.hasPrefix("errno \(EACCES): "), text)
    XCTAssertTrue(text.contains("`i2c` group") && text.contains("usermod -aG i2c"), text)
    XCTAssertTrue(text.contains(path), text)
  }

  func testTransferErrorNumbersMapToI2CErrors() {
    XCTAssertEqual(I2CError(transferErrorNumber: ENXIO), .addressNotAcknowledged)
    XCTAssertEqual(I2CError(transferErrorNumber: EREMOTEIO), .addressNotAcknowledged)
    XCTAssertEqual(I2CError(transferErrorNumber: ETIMEDOUT), .timeout)
    XCTAssertEqual(I2CError(transferErrorNumber: ENODEV), .busAbsent)
    XCTAssertEqual(I2CError(transferErrorNumber: ESHUTDOWN), .busAbsent)
    for errorNumber in [EIO, EAGAIN, EPROTO, EOPNOTSUPP, EINVAL] {
      XCTAssertEqual(I2CError(transferErrorNumber: errorNumber), .busError, "errno \(errorNumber)")
    }
  }

  func testNothingAnsweringNamesTheAddressAndHowToScanTheBus() {
    let failure = LinuxI2CTransferFailure(
      path: "/dev/i2c-1", busNumber: 1, address: I2CAddress(known: 0x58),
      systemError: SystemError(
        call: "ioctl(I2C_RDWR)", subject: "/dev/i2c-1", errorNumber: EREMOTEIO))
    XCTAssertEqual(failure.error, .addressNotAcknowledged)
    let text = failure.description
    XCTAssertTrue(text.contains("address 0x58 on /dev/i2c-1"), text)
    XCTAssertTrue(text.contains("`i2cdetect -y 1`"), text)
    XCTAssertTrue(text.contains("Remote I/O error (errno 121)"), text)
  }

  func testATimeoutPointsAtTheWiring() {
    let failure = LinuxI2CTransferFailure(
      path: "/dev/i2c-1", busNumber: 1, address: I2CAddress(known: 0x5A),
      systemError: SystemError(
        call: "ioctl(I2C_RDWR)", subject: "/dev/i2c-1", errorNumber: ETIMEDOUT))
    XCTAssertEqual(failure.error, .timeout)
    XCTAssertTrue(failure.description.contains("0x5A on /dev/i2c-1 timed out"), failure.description)
  }
}
