import Foundation
import JSON
import XCTest

/// Builds SD-card images with `loam-image build` (what `make image` runs) from a stand-in
/// firmware directory of files with known contents, and checks them with tools no one here
/// wrote: util-linux's sfdisk, dosfstools' fsck.fat, mtools' mdir and mcopy, xz and coreutils'
/// sha256sum (`scripts/deps test` installs them).
final class ImageLayoutTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-image-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  /// The tools the checks run; a missing one fails the test with what installs it.
  private func tool(_ path: String) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: path) else {
      XCTFail(
        "\(path) is missing: `scripts/deps test` installs fdisk, dosfstools, mtools, xz-utils")
      throw CocoaError(.fileNoSuchFile)
    }
    return path
  }

  /// Files named as the board's firmware, each with different contents and sizes from a few
  /// bytes to several clusters.
  private func standInFirmware(_ names: [String]) throws -> (URL, [String: Data]) {
    let firmware = directory.appendingPathComponent("firmware")
    try FileManager.default.createDirectory(at: firmware, withIntermediateDirectories: true)
    var contents: [String: Data] = [:]
    for (index, name) in names.enumerated() {
      let size = 7 + index * 40_000
      let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* (index + 3) &+ index) })
      try data.write(to: firmware.appendingPathComponent(name))
      contents[name] = data
    }
    return (firmware, contents)
  }

  /// The board's unikernel when `make unikernels` has built it, else a stand-in of a size that
  /// spans many clusters.
  private func kernel(_ board: String) throws -> URL {
    let built = repositoryRoot.appendingPathComponent("Images/out/\(board)/kernel8.img")
    if FileManager.default.fileExists(atPath: built.path) { return built }
    let standIn = directory.appendingPathComponent("kernel8.img")
    try Data((0..<90_001).map { UInt8(truncatingIfNeeded: $0 >> 3) }).write(to: standIn)
    return standIn
  }

  private func build(board: String, app: String, firmware: URL, kernel: URL) throws -> (
    status: Int32, output: String
  ) {
    try runCommand(
      try executable("loam-image").path,
      [
        "build", "--recipes", "Images/recipes.json", "--board", board, "--app", app,
        "--kernel", kernel.path, "--config", "Boards/\(board)/config.txt",
        "--firmware", firmware.path, "--name", "kitchen-fridge", "--hub", "http://192.0.2.1:8080",
        "--out", directory.path, "--release-date", "2026-11-27",
      ])
  }

  func testRaspberryPi3ImageLayoutAsToolsSeeIt() throws {
    let names = [
      "bootcode.bin", "start.elf", "fixup.dat", "start_cd.elf", "fixup_cd.dat", "LICENCE.broadcom",
    ]
    let (firmware, firmwareContents) = try standInFirmware(names)
    let kernel = try kernel("rpi3b")
    let result = try build(board: "rpi3b", app: "fridge", firmware: firmware, kernel: kernel)
    XCTAssertEqual(result.status, 0, result.output)
    let image = directory.appendingPathComponent("rpi3b-fridge.img")
    let imageSize = try XCTUnwrap(
      FileManager.default.attributesOfItem(atPath: image.path)[.size] as? Int)
    XCTAssertEqual(imageSize, (8192 + 131_072) * 512)

    // The partition table: one partition of type 0x0C from sector 8192 to the image's end.
    let dump = try runCommand(try tool("/usr/sbin/sfdisk"), ["--dump", image.path])
    XCTAssertEqual(dump.status, 0, dump.output)
    XCTAssertTrue(dump.output.contains("label: dos"), dump.output)
    let partitions = dump.output.split(separator: "\n").filter { $0.hasPrefix(image.path) }
    XCTAssertEqual(partitions.count, 1, dump.output)
    let fields = partitions.first.map { $0.replacingOccurrences(of: " ", with: "") } ?? ""
    XCTAssertTrue(fields.hasSuffix(":start=8192,size=131072,type=c"), fields)

    // fsck.fat on the partition alone, read-only: no errors, every file and cluster accounted.
    let partition = directory.appendingPathComponent("partition.img")
    let extract = try runCommand(
      "/bin/dd", ["if=\(image.path)", "of=\(partition.path)", "bs=1M", "skip=4", "status=none"])
    XCTAssertEqual(extract.status, 0, extract.output)
    let fsck = try runCommand(try tool("/usr/sbin/fsck.fat"), ["-n", "-v", partition.path])
    XCTAssertEqual(fsck.status, 0, fsck.output)
    XCTAssertTrue(fsck.output.contains("8192 hidden sectors"), fsck.output)
    XCTAssertTrue(fsck.output.contains("131072 sectors total"), fsck.output)
    XCTAssertTrue(fsck.output.contains("Checking free cluster summary"), fsck.output)
    XCTAssertFalse(fsck.output.lowercased().contains("differ"), fsck.output)
    XCTAssertFalse(fsck.output.contains("wrong"), fsck.output)

    // mtools reads the volume through the image's partition offset.
    let volume = "\(image.path)@@4M"
    let mdir = try runCommand(try tool("/usr/bin/mdir"), ["-i", volume, "::"])
    XCTAssertEqual(mdir.status, 0, mdir.output)
    XCTAssertTrue(mdir.output.contains("Volume in drive : is LOAM"), mdir.output)
    for name in names + ["config.txt", "kernel8.img", "appliance.json"] {
      XCTAssertTrue(mdir.output.contains(" \(name)\n"), "mdir lists no \(name):\n\(mdir.output)")
    }
    XCTAssertTrue(mdir.output.contains("LICENC~1 BRO"), mdir.output)
    XCTAssertTrue(mdir.output.contains("APPLIA~1 JSO"), mdir.output)

    // Every file copied back out is byte for byte what went in.
    var expected = firmwareContents
    expected["kernel8.img"] = try Data(contentsOf: kernel)
    for (name, data) in expected {
      XCTAssertEqual(try copyOut(name, from: volume), data, name)
    }
    let configuration = String(decoding: try copyOut("config.txt", from: volume), as: UTF8.self)
    let boardConfiguration = try String(
      contentsOf: repositoryRoot.appendingPathComponent("Boards/rpi3b/config.txt"), encoding: .utf8)
    XCTAssertTrue(configuration.hasPrefix(boardConfiguration), configuration)
    XCTAssertTrue(configuration.hasSuffix("\ninitramfs appliance.json 0x04000000\n"), configuration)
    for line in ["arm_64bit=1", "enable_uart=1", "kernel=kernel8.img"] {
      XCTAssertTrue(configuration.split(separator: "\n").contains(Substring(line)), line)
    }
    let settingsBytes = try copyOut("appliance.json", from: volume)
    XCTAssertLessThanOrEqual(settingsBytes.count, 4096)
    let settings = try JSONParser.parse(Array(settingsBytes))
    XCTAssertEqual(settings["name"]?.stringValue, "kitchen-fridge")
    XCTAssertEqual(settings["app"]?.stringValue, "fridge")
    XCTAssertEqual(settings["hub"]?.stringValue, "http://192.0.2.1:8080")

    try checkImagerEntry(image: image, imageSize: imageSize, devices: ["pi3-64bit"])
  }

  /// Imager's entry describes the files beside it: sizes, the uncompressed image's SHA-256 as
  /// sha256sum computes it, and the .xz decompresses to that image.
  private func checkImagerEntry(image: URL, imageSize: Int, devices: [String]) throws {
    let compressed = URL(fileURLWithPath: image.path + ".xz")
    let listFile = image.deletingPathExtension().appendingPathExtension("imager.json")
    let list = try JSONParser.parse(Array(try Data(contentsOf: listFile)))
    let entries = try XCTUnwrap(list["os_list"]?.arrayValue)
    XCTAssertEqual(entries.count, 1)
    let entry = entries[0]
    XCTAssertEqual(entry["extract_size"]?.int64Value, Int64(imageSize))
    let compressedSize = try XCTUnwrap(
      FileManager.default.attributesOfItem(atPath: compressed.path)[.size] as? Int)
    XCTAssertEqual(entry["image_download_size"]?.int64Value, Int64(compressedSize))
    XCTAssertLessThan(compressedSize, imageSize / 10)
    let sha256sum = try runCommand("/usr/bin/sha256sum", [image.path])
    XCTAssertEqual(
      entry["extract_sha256"]?.stringValue, String(sha256sum.output.prefix(64)), sha256sum.output)
    let unpacked = try runCommand(
      "/bin/sh", ["-c", "xz -dc '\(compressed.path)' | sha256sum"])
    XCTAssertEqual(String(unpacked.output.prefix(64)), String(sha256sum.output.prefix(64)))
    XCTAssertEqual(entry["url"]?.stringValue, compressed.absoluteString)
    XCTAssertEqual(entry["release_date"]?.stringValue, "2026-11-27")
    XCTAssertEqual(entry["devices"]?.arrayValue?.compactMap(\.stringValue), devices)
    XCTAssertNotNil(entry["name"]?.stringValue)
    XCTAssertNotNil(entry["description"]?.stringValue)
  }

  private func copyOut(_ name: String, from volume: String) throws -> Data {
    let destination = directory.appendingPathComponent("copied-\(name)")
    let result = try runCommand(
      try tool("/usr/bin/mcopy"), ["-n", "-i", volume, "::\(name)", destination.path])
    XCTAssertEqual(result.status, 0, result.output)
    return try Data(contentsOf: destination)
  }

  func testRaspberryPi4ImageHoldsItsFirmwareAndPassesFsck() throws {
    let names = ["start4.elf", "fixup4.dat", "start4cd.elf", "fixup4cd.dat", "LICENCE.broadcom"]
    let (firmware, _) = try standInFirmware(names)
    let result = try build(
      board: "rpi4b", app: "plant-pot", firmware: firmware, kernel: try kernel("rpi4b"))
    XCTAssertEqual(result.status, 0, result.output)
    let image = directory.appendingPathComponent("rpi4b-plant-pot.img")
    let mdir = try runCommand(try tool("/usr/bin/mdir"), ["-b", "-i", "\(image.path)@@4M", "::"])
    XCTAssertEqual(
      Set(mdir.output.split(separator: "\n").map { String($0.dropFirst(3)) }),
      Set(names + ["config.txt", "kernel8.img", "appliance.json"]), mdir.output)
    let partition = directory.appendingPathComponent("partition.img")
    _ = try runCommand(
      "/bin/dd", ["if=\(image.path)", "of=\(partition.path)", "bs=1M", "skip=4", "status=none"])
    let fsck = try runCommand(try tool("/usr/sbin/fsck.fat"), ["-n", partition.path])
    XCTAssertEqual(fsck.status, 0, fsck.output)
    let size = try XCTUnwrap(
      FileManager.default.attributesOfItem(atPath: image.path)[.size] as? Int)
    try checkImagerEntry(image: image, imageSize: size, devices: ["pi4-64bit"])
  }

  func testMissingFirmwareIsNamed() throws {
    let (firmware, _) = try standInFirmware(["start4.elf", "fixup4.dat"])
    let result = try build(
      board: "rpi4b", app: "plant-pot", firmware: firmware, kernel: try kernel("rpi4b"))
    XCTAssertEqual(result.status, 1, result.output)
    XCTAssertTrue(
      result.output.contains("lacks start4cd.elf, fixup4cd.dat, LICENCE.broadcom"), result.output)
    XCTAssertFalse(
      FileManager.default.fileExists(
        atPath: directory.appendingPathComponent("rpi4b-plant-pot.img").path))
  }

  func testUnknownBoardOrAppliance() throws {
    let (firmware, _) = try standInFirmware([])
    let board = try build(
      board: "qemu-virt", app: "fridge", firmware: firmware, kernel: try kernel("rpi3b"))
    XCTAssertEqual(board.status, 2, board.output)
    XCTAssertTrue(board.output.contains("no image recipe for board 'qemu-virt'"), board.output)
    let app = try build(
      board: "rpi3b", app: "toaster", firmware: firmware, kernel: try kernel("rpi3b"))
    XCTAssertEqual(app.status, 2, app.output)
    XCTAssertTrue(app.output.contains("no appliance 'toaster'"), app.output)
  }
}
