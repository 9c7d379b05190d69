import DiskImage
import Foundation
import Hashing

/// `loam-image build`: one board's boot files and one appliance's settings into
/// `OUT/BOARD-APP.img`, its `.img.xz`, and `OUT/BOARD-APP.imager.json` for Raspberry Pi Imager.
struct ImageBuild {
  let options: CommandLineOptions

  init(arguments: [String]) throws {
    options = try CommandLineOptions(
      arguments,
      known: [
        "recipes", "board", "app", "kernel", "config", "firmware", "name", "hub", "out",
        "release-date", "url-base",
      ])
  }

  func run() throws {
    let recipes = try ImageRecipes.load(try options.required("recipes"))
    let boardName = try options.required("board")
    let appName = try options.required("app")
    let board = try recipes.board(boardName)
    let app = try recipes.app(appName)
    let releaseDate = options.optional("release-date") ?? Self.today()
    let out = URL(fileURLWithPath: try options.required("out"), isDirectory: true)
    let imageName = "\(boardName)-\(appName)"

    let settings = try ApplianceSettings(
      name: try options.required("name"), app: appName, hub: try options.required("hub")
    ).bytes
    let configuration = BootConfiguration.text(
      boardConfiguration: try String(
        contentsOfFile: try options.required("config"), encoding: .utf8),
      settingsFile: recipes.settingsFile, settingsAddress: recipes.settingsAddress)

    var disk = try BootDisk(
      diskSignature: CRC32.checksum(Array("disk \(imageName) \(releaseDate)".utf8)),
      partitionSectorCount: recipes.partitionMiB * (1 << 20) / FAT32Geometry.bytesPerSector,
      volumeID: CRC32.checksum(Array("volume \(imageName) \(releaseDate)".utf8)),
      label: recipes.label, timestamp: try Self.timestamp(releaseDate))
    let firmware = URL(fileURLWithPath: try options.required("firmware"), isDirectory: true)
    let missing = board.firmware.filter {
      !FileManager.default.fileExists(atPath: firmware.appendingPathComponent($0).path)
    }
    guard missing.isEmpty else {
      throw ToolError(
        "\(firmware.path) lacks \(missing.joined(separator: ", ")), which \(boardName) boots from")
    }
    for file in board.firmware {
      try disk.volume.addFile(
        named: file, contents: try Self.contents(of: firmware.appendingPathComponent(file).path))
    }
    try disk.volume.addFile(named: "config.txt", contents: Array(configuration.utf8))
    try disk.volume.addFile(
      named: "kernel8.img", contents: try Self.contents(of: try options.required("kernel")))
    try disk.volume.addFile(named: recipes.settingsFile, contents: settings)

    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let imagePath = out.appendingPathComponent("\(imageName).img").path
    let compressedPath = imagePath + ".xz"
    try SparseImageFile.write(try disk.image(), to: imagePath)
    let imageDigest = try FileDigest.sha256(of: imagePath)
    try Self.compress(imagePath)
    let compressedDigest = try FileDigest.sha256(of: compressedPath)
    let compressedSize = try Self.size(of: compressedPath)

    let urlBase = options.optional("url-base")
    let osList = ImagerOSList(
      name: "Loam \(app.title) (\(board.model))",
      description: app.description,
      url: urlBase.map { "\($0.hasSuffix("/") ? $0 : $0 + "/")\(imageName).img.xz" }
        ?? URL(fileURLWithPath: compressedPath).absoluteString,
      extractSize: disk.byteCount, extractSHA256: hexadecimal(imageDigest),
      imageDownloadSize: compressedSize, imageDownloadSHA256: hexadecimal(compressedDigest),
      releaseDate: releaseDate, devices: board.imagerDevices)
    let listPath = out.appendingPathComponent("\(imageName).imager.json").path
    try osList.data.write(to: URL(fileURLWithPath: listPath))
    print(
      "loam-image: \(imagePath) (\(disk.byteCount) bytes, sha256 \(hexadecimal(imageDigest)))"
    )
    print("loam-image: \(compressedPath) (\(compressedSize) bytes)")
    print("loam-image: \(listPath)")
  }

  private static func contents(of path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ToolError("cannot read \(path)")
    }
    return Array(data)
  }

  private static func size(of path: String) throws -> UInt64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
  }

  /// Today's date in UTC, YYYY-MM-DD.
  private static func today() -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd"
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.locale = Locale(identifier: "en_US_POSIX")
    return formatter.string(from: Date())
  }

  /// The files' date on the volume: the release date, at midnight.
  private static func timestamp(_ date: String) throws -> FATTimestamp {
    let parts = date.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3, date.count == 10 else {
      throw ToolError.usage("--release-date takes YYYY-MM-DD, not \(date)")
    }
    return try FATTimestamp(year: parts[0], month: parts[1], day: parts[2])
  }

  /// `xz -T0 -9 -k -f`: every core, the strongest preset, keeping the image and replacing an
  /// older `.xz`. The image is mostly zeros, so the preset costs little time.
  private static func compress(_ path: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/xz")
    process.arguments = ["-T0", "-9", "-k", "-f", "--", path]
    do {
      try process.run()
    } catch {
      throw ToolError("cannot run /usr/bin/xz (Debian's xz-utils): \(error.localizedDescription)")
    }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ToolError("xz failed with status \(process.terminationStatus) on \(path)")
    }
  }
}
