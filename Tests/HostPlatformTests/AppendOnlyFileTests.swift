import Glibc
import HostPlatform
import XCTest

final class AppendOnlyFileTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    var template = Array("/tmp/loam-host-tests-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw SystemError.fromErrno("mkdtemp") }
    directory = String(cString: created)
  }

  override func tearDown() {
    // The tests create at most two levels of entries; remove them bottom-up.
    for path in ["\(directory)/a/b/c", "\(directory)/a/b", "\(directory)/a"] { rmdir(path) }
    for name in ["log", "plain"] { unlink("\(directory)/\(name)") }
    rmdir(directory)
  }

  func testAppendsAreReadBackAndSurviveReopening() throws {
    let path = "\(directory)/log"
    let file = try AppendOnlyFile(path: path)
    XCTAssertEqual(file.length, 0)
    XCTAssertEqual(try file.readAll(), [])
    try file.append(Array("first\n".utf8))
    try file.append([])
    try file.append(Array("second\n".utf8))
    XCTAssertEqual(file.length, 13)
    XCTAssertEqual(try file.readAll(), Array("first\nsecond\n".utf8))
    file.close()

    let reopened = try AppendOnlyFile(path: path)
    XCTAssertEqual(reopened.length, 13)
    try reopened.append(Array("third\n".utf8))
    XCTAssertEqual(try reopened.readAll(), Array("first\nsecond\nthird\n".utf8))
  }

  func testTruncateDropsTheTailDurably() throws {
    let path = "\(directory)/log"
    let file = try AppendOnlyFile(path: path)
    try file.append(Array("complete|torn".utf8))
    try file.truncate(toLength: 9)
    XCTAssertEqual(file.length, 9)
    try file.append(Array("next".utf8))
    XCTAssertEqual(try file.readAll(), Array("complete|next".utf8))
    file.close()
    XCTAssertEqual(try AppendOnlyFile(path: path).readAll(), Array("complete|next".utf8))
  }

  func testWritesAreDurableAfterOneSynchronize() throws {
    let path = "\(directory)/log"
    let file = try AppendOnlyFile(path: path)
    XCTAssertFalse(file.hasUnsynchronizedWrites)
    try file.write(Array("one|".utf8))
    try file.write(Array("two|".utf8))
    XCTAssertTrue(file.hasUnsynchronizedWrites)
    XCTAssertEqual(file.length, 8)
    try file.synchronize()
    XCTAssertFalse(file.hasUnsynchronizedWrites)
    XCTAssertEqual(try AppendOnlyFile(path: path).readAll(), Array("one|two|".utf8))
  }

  func testAFailedSynchronizePoisonsTheFile() throws {
    // /dev/null accepts writes but cannot be synchronized (EINVAL): a stand-in for a disk error.
    let file = try AppendOnlyFile(path: "/dev/null")
    try file.write(Array("acknowledge me".utf8))
    XCTAssertThrowsError(try file.synchronize()) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EINVAL)
    }
    XCTAssertTrue(file.hasUnsynchronizedWrites)
    // Linux reports a failed write-back once; the file must not let a retry look successful.
    for attempt in [{ try file.synchronize() }, { try file.write([1]) }, { try file.append([1]) }] {
      XCTAssertThrowsError(try attempt()) { error in
        XCTAssertEqual((error as? SystemError)?.errorNumber, EIO)
      }
    }
  }

  func testLargeAppendIsWrittenCompletely() throws {
    let file = try AppendOnlyFile(path: "\(directory)/log")
    let payload = pattern(count: 3 << 20, seed: 5)
    try file.append(payload)
    XCTAssertEqual(file.length, payload.count)
    XCTAssertTrue(try file.readAll() == payload)
  }

  func testMissingDirectoryNamesThePathAndReason() {
    let path = "\(directory)/missing/log"
    XCTAssertThrowsError(try AppendOnlyFile(path: path)) { error in
      XCTAssertEqual(
        error as? SystemError, SystemError(call: "open", subject: path, errorNumber: ENOENT))
      XCTAssertEqual("\(error)", "open(\(path)) failed: No such file or directory (errno 2)")
    }
  }

  func testAParentThatIsARegularFileFailsEvenForRoot() throws {
    let plain = "\(directory)/plain"
    try AppendOnlyFile(path: plain).close()
    XCTAssertThrowsError(try AppendOnlyFile(path: "\(plain)/log")) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, ENOTDIR)
    }
    XCTAssertThrowsError(try createDirectory(atPath: "\(plain)/sub")) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, ENOTDIR)
    }
  }

  func testOperationsOnAClosedFileFail() throws {
    let file = try AppendOnlyFile(path: "\(directory)/log")
    file.close()
    file.close()  // idempotent
    XCTAssertThrowsError(try file.append([1])) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EBADF)
    }
    XCTAssertThrowsError(try file.readAll())
  }

  func testCreateDirectoryMakesParentsAndAcceptsExistingOnes() throws {
    let nested = "\(directory)/a/b/c"
    try createDirectory(atPath: nested)
    try createDirectory(atPath: nested)
    var status = stat()
    XCTAssertEqual(stat(nested, &status), 0)
    XCTAssertEqual(status.st_mode & S_IFMT, S_IFDIR)
  }

  func testASmallFileIsReadWholeAndALargerOneOrAMissingOneIsRefused() throws {
    let path = "\(directory)/log"
    XCTAssertThrowsError(try readSmallFile(atPath: path)) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, ENOENT)
    }
    let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    try AppendOnlyFile(path: path).append(bytes)
    XCTAssertEqual(try readSmallFile(atPath: path), bytes, "more than one 4 KiB read")
    XCTAssertEqual(try readSmallFile(atPath: path, maximumLength: 10_000), bytes)
    XCTAssertThrowsError(try readSmallFile(atPath: path, maximumLength: 9_999)) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EFBIG)
    }
  }

  func testReadsInPiecesFromAnyOffset() throws {
    let file = try AppendOnlyFile(path: "\(directory)/log")
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
    try file.append(bytes)
    XCTAssertEqual(try file.read(at: 0, maximumCount: 10), Array(bytes[0..<10]))
    XCTAssertEqual(
      try file.read(at: 995, maximumCount: 10), Array(bytes[995...]), "short at the end")
    XCTAssertEqual(try file.read(at: 1000, maximumCount: 10), [])
  }

  /// /dev/full fails every write with ENOSPC, as a full disk does, and cannot be truncated, so
  /// the failed write cannot be taken back: the file must refuse further use.
  func testAWriteThatFailsAndCannotBeTakenBackPoisonsTheFile() throws {
    let file = try AppendOnlyFile(path: "/dev/full")
    XCTAssertThrowsError(try file.append([1, 2, 3])) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, ENOSPC)
    }
    XCTAssertThrowsError(try file.append([4])) { error in
      XCTAssertEqual((error as? SystemError)?.errorNumber, EIO)
      XCTAssertTrue("\(error)".contains("use after a failed fdatasync or write"), "\(error)")
    }
  }
}
