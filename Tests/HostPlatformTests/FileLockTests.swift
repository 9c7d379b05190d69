import Glibc
import HostPlatform
import XCTest

final class FileLockTests: XCTestCase {
  func testASecondHolderIsRefusedUntilTheFirstUnlocks() throws {
    let path = "/tmp/loam-lock-test-\(getpid())"
    defer { unlink(path) }
    let first = try FileLock(path: path)
    // flock locks belong to open file descriptions, so a second open in the same process
    // conflicts just as another process would.
    XCTAssertThrowsError(try FileLock(path: path)) { error in
      XCTAssertEqual(error as? FileLockError, .heldByAnotherProcess(path: path))
      XCTAssertTrue("\(error)".contains("another process is using this data"))
    }
    first.unlock()
    XCTAssertNoThrow(try FileLock(path: path))
  }

  func testAnUnopenablePathIsASystemError() {
    XCTAssertThrowsError(try FileLock(path: "/nonexistent-loam-directory/lock")) { error in
      guard case .system(let systemError) = error as? FileLockError else {
        return XCTFail("\(error)")
      }
      XCTAssertEqual(systemError.errorNumber, ENOENT)
    }
  }
}
