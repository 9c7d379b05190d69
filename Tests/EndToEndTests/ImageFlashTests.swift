import Foundation
import XCTest

/// `scripts/flash` (what `make flash` runs) against stand-ins for SD cards: regular files, loop
/// devices (removable 0, like an internal disk), a read-only loop device, a loop device with a
/// partition table, one with a mounted file system, the disk this machine runs from, and a
/// counterfeit card that stores a quarter of what it claims (a FUSE file, counterfeit-card.py,
/// under a loop device). Loop devices and FUSE need root; as another user those cases skip.
final class ImageFlashTests: XCTestCase {
  private var directory: URL!
  private var cleanups: [() -> Void] = []
  private let mebibyte = 1 << 20

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-flash-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    for cleanup in cleanups.reversed() { cleanup() }
    try? FileManager.default.removeItem(at: directory)
  }

  /// An "image" of `size` bytes whose every MiB differs, so a misplaced MiB changes the hash.
  private func image(size: Int) throws -> URL {
    let url = directory.appendingPathComponent("image-\(size).img")
    try Data(
      (0..<size).map { UInt8(truncatingIfNeeded: ($0 >> 20) &* 97 &+ ($0 >> 12) &+ $0 &* 31) }
    )
    .write(to: url)
    return url
  }

  private func file(size: Int, byte: UInt8 = 0xFF, name: String = "target") throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(repeating: byte, count: size).write(to: url)
    return url
  }

  private func flash(_ arguments: [String], typing answer: String? = nil) throws -> (
    status: Int32, output: String
  ) {
    try runCommand(
      repositoryRoot.appendingPathComponent("scripts/flash").path, arguments,
      input: Data((answer ?? "").utf8),
      environment: ["LOAM_IMAGE_TOOL": try executable("loam-image").path])
  }

  /// Runs a command that must succeed, and returns its output without the final newline.
  @discardableResult
  private func must(_ command: String, _ arguments: [String]) throws -> String {
    let result = try runCommand(command, arguments)
    guard result.status == 0 else {
      XCTFail("\(command) \(arguments.joined(separator: " ")): \(result.output)")
      throw CocoaError(.executableLoad)
    }
    return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A loop device over `backing`, detached after the test.
  private func loopDevice(_ backing: URL, options: [String] = []) throws -> String {
    let result = try runCommand("/usr/sbin/losetup", options + ["--find", "--show", backing.path])
    guard result.status == 0 else {
      throw XCTSkip("no loop device here (losetup needs root): \(result.output)")
    }
    let device = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    cleanups.append { _ = try? runCommand("/usr/sbin/losetup", ["--detach", device]) }
    return device
  }

  func testWritesARegularFileWithTheExplicitFlagAndVerifiesIt() throws {
    let source = try image(size: 3 * mebibyte + 123)
    let target = try file(size: 8 * mebibyte)
    let result = try flash(["--yes", "--allow-non-removable", source.path, target.path])
    XCTAssertEqual(result.status, 0, result.output)
    XCTAssertTrue(result.output.contains("flash: verified, sha256 "), result.output)
    let written = try Data(contentsOf: target)
    XCTAssertEqual(written.prefix(3 * mebibyte + 123), try Data(contentsOf: source))
    XCTAssertEqual(written.count, 8 * mebibyte)
    XCTAssertTrue(written.suffix(from: 3 * mebibyte + 123).allSatisfy { $0 == 0xFF })
  }

  func testRefusesARegularFileWithoutTheFlag() throws {
    let target = try file(size: 8 * mebibyte)
    let result = try flash(["--yes", try image(size: mebibyte).path, target.path])
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(
      result.output.contains("it is a regular file, not a removable disk"), result.output)
    XCTAssertEqual(try Data(contentsOf: target), Data(repeating: 0xFF, count: 8 * mebibyte))
  }

  func testAsksForTheDevicesNameAndRefusesAnythingElse() throws {
    let source = try image(size: 2 * mebibyte)
    let target = try file(size: 4 * mebibyte)
    for answer in ["", "yes\n", "sdb\n"] {
      let refused = try flash(["--allow-non-removable", source.path, target.path], typing: answer)
      XCTAssertEqual(refused.status, 1, refused.output)
      XCTAssertTrue(refused.output.contains("Type 'target' to go on"), refused.output)
      XCTAssertTrue(refused.output.contains("not confirmed"), refused.output)
      XCTAssertEqual(try Data(contentsOf: target), Data(repeating: 0xFF, count: 4 * mebibyte))
    }
    let confirmed = try flash(
      ["--allow-non-removable", source.path, target.path], typing: "target\n")
    XCTAssertEqual(confirmed.status, 0, confirmed.output)
    XCTAssertEqual(try Data(contentsOf: target).prefix(2 * mebibyte), try Data(contentsOf: source))
  }

  func testRefusesWhatIsNeitherADiskNorAFile() throws {
    let source = try image(size: mebibyte)
    for target in ["/dev/null", directory.path, directory.appendingPathComponent("absent").path] {
      let result = try flash(["--yes", "--allow-non-removable", source.path, target])
      XCTAssertEqual(result.status, 1, result.output)
      XCTAssertTrue(result.output.contains("it is not a block device"), result.output)
    }
    let itself = try flash(["--yes", "--allow-non-removable", source.path, source.path])
    XCTAssertEqual(itself.status, 1, itself.output)
    XCTAssertTrue(itself.output.contains("it is the image itself"), itself.output)
  }

  func testALoopDeviceIsRefusedAsNotRemovableThenWrittenWithTheFlag() throws {
    let backing = try file(size: 8 * mebibyte)
    let device = try loopDevice(backing)
    let source = try image(size: 5 * mebibyte + 512)
    let refused = try flash(["--yes", source.path, device])
    XCTAssertEqual(refused.status, 1, refused.output)
    XCTAssertTrue(refused.output.contains("it is not a removable disk"), refused.output)
    XCTAssertTrue(refused.output.contains("removable is 0"), refused.output)

    let written = try flash(["--yes", "--allow-non-removable", source.path, device])
    XCTAssertEqual(written.status, 0, written.output)
    XCTAssertTrue(written.output.contains("flash: verified"), written.output)
    XCTAssertTrue(written.output.contains("copied"), "dd shows no progress:\n\(written.output)")
    XCTAssertEqual(
      try Data(contentsOf: backing).prefix(5 * mebibyte + 512), try Data(contentsOf: source))
  }

  func testRefusesAReadOnlyDeviceAndOneSmallerThanTheImage() throws {
    let source = try image(size: 3 * mebibyte)
    let readOnly = try loopDevice(
      try file(size: 8 * mebibyte, name: "read-only"), options: ["--read-only"])
    let locked = try flash(["--yes", "--allow-non-removable", source.path, readOnly])
    XCTAssertEqual(locked.status, 1, locked.output)
    XCTAssertTrue(locked.output.contains("it is read-only"), locked.output)

    let small = try loopDevice(try file(size: 2 * mebibyte, name: "small"))
    let tooSmall = try flash(["--yes", "--allow-non-removable", source.path, small])
    XCTAssertEqual(tooSmall.status, 1, tooSmall.output)
    XCTAssertTrue(
      tooSmall.output.contains("holds 2097152 bytes, fewer than the image's 3145728"),
      tooSmall.output)
  }

  func testRefusesAPartitionAndADiskWithAMountedFileSystem() throws {
    let backing = try file(size: 16 * mebibyte, byte: 0)
    let table = try runCommand(
      "/bin/sh", ["-c", "echo 'start=2048, type=83' | /usr/sbin/sfdisk -q '\(backing.path)'"])
    XCTAssertEqual(table.status, 0, table.output)
    let device = try loopDevice(backing, options: ["--partscan"])
    let partition = device + "p1"
    // A kernel built without MBR support (this machine's) reads no partition table; partx reads
    // it and tells the kernel, and fails harmlessly where the kernel found the partition first.
    _ = try runCommand("/usr/bin/partx", ["--add", device])
    try waitUntil("\(partition) appears", timeoutSeconds: 10) {
      FileManager.default.fileExists(atPath: partition)
    }
    let source = try image(size: mebibyte)
    let onPartition = try flash(["--yes", "--allow-non-removable", source.path, partition])
    XCTAssertEqual(onPartition.status, 1, onPartition.output)
    XCTAssertTrue(
      onPartition.output.contains("it is a partition; give the whole disk (\(device))"),
      onPartition.output)

    try must("/sbin/mkfs.ext4", ["-q", "-F", partition])
    let mountPoint = directory.appendingPathComponent("mounted")
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    try must("/bin/mount", [partition, mountPoint.path])
    cleanups.append { _ = try? runCommand("/bin/umount", [mountPoint.path]) }
    let mounted = try flash(["--yes", "--allow-non-removable", source.path, device])
    XCTAssertEqual(mounted.status, 1, mounted.output)
    XCTAssertTrue(
      mounted.output.contains("it is in use, mounted at \(mountPoint.path)"), mounted.output)
  }

  /// The disk `/` is on, refused as a system disk even with the flag. The confirmation is
  /// wrong too, so nothing could be written even if the check failed.
  func testRefusesTheSystemDisk() throws {
    let source = try must("/usr/bin/findmnt", ["-nvo", "SOURCE", "/"])
    guard source.hasPrefix("/dev/") else { throw XCTSkip("/ is on \(source), not a block device") }
    let parent = try must("/usr/bin/lsblk", ["-nrpo", "PKNAME", source])
    let disk = parent.isEmpty ? source : parent
    let result = try flash(
      ["--allow-non-removable", try image(size: mebibyte).path, disk], typing: "no\n")
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(result.output.contains("it is a system disk, mounted at "), result.output)
  }

  /// A card that claims 8 MiB and keeps 2: the image's third MiB lands on its first, every
  /// write succeeds, and only reading the card back shows it.
  func testVerifyFailsOnACounterfeitCard() throws {
    let mountPoint = directory.appendingPathComponent("counterfeit")
    try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
    let card = mountPoint.appendingPathComponent("card")
    let server = try ChildProcess(
      URL(fileURLWithPath: "/usr/bin/python3"),
      [
        repositoryRoot.appendingPathComponent("Tests/EndToEndTests/counterfeit-card.py").path,
        mountPoint.path, "\(8 * mebibyte)", "\(2 * mebibyte)",
      ], name: "counterfeit-card")
    cleanups.append {
      _ = try? runCommand("/bin/umount", [mountPoint.path])
      server.kill()
    }
    try waitUntil("the counterfeit card is mounted or its server gone", timeoutSeconds: 10) {
      FileManager.default.fileExists(atPath: card.path) || !server.process.isRunning
    }
    guard FileManager.default.fileExists(atPath: card.path) else {
      throw XCTSkip("no FUSE mount here (needs root and python3-fusepy): \(server.output)")
    }
    let device = try loopDevice(card)
    let result = try flash([
      "--yes", "--allow-non-removable", try image(size: 3 * mebibyte).path, device,
    ])
    XCTAssertEqual(result.status, 3, result.output)
    XCTAssertTrue(
      result.output.contains("flash: verify failed: \(device) holds sha256 "), result.output)
  }
}
