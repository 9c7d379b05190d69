import Foundation

/// `Images/recipes.json`: what goes into each board's image, and how each appliance is named.
struct ImageRecipes: Decodable {
  struct Board: Decodable {
    /// For people, in the image's name in Raspberry Pi Imager.
    let model: String
    /// The device tags Raspberry Pi Imager filters its list by (`pi4-64bit`).
    let imagerDevices: [String]
    /// The firmware directory's files the board boots from, copied to the boot partition.
    let firmware: [String]

    private enum CodingKeys: String, CodingKey {
      case model, firmware
      case imagerDevices = "imager_devices"
    }
  }

  struct App: Decodable {
    let title: String
    let description: String
  }

  /// The boot partition's size.
  let partitionMiB: UInt32
  let label: String
  /// The settings file's name on the boot partition, and where the firmware loads it.
  let settingsFile: String
  let settingsAddress: String
  let boards: [String: Board]
  let apps: [String: App]

  private enum CodingKeys: String, CodingKey {
    case label, boards, apps
    case partitionMiB = "partition_mib"
    case settingsFile = "settings_file"
    case settingsAddress = "settings_address"
  }

  static func load(_ path: String) throws -> ImageRecipes {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ToolError("cannot read \(path)")
    }
    do {
      return try JSONDecoder().decode(ImageRecipes.self, from: data)
    } catch let error as DecodingError {
      throw ToolError("\(path) is not an image recipe file: \(error)")
    }
  }

  func board(_ name: String) throws(ToolError) -> Board {
    guard let board = boards[name] else {
      throw .usage(
        "no image recipe for board '\(name)'; boards: \(boards.keys.sorted().joined(separator: ", "))"
      )
    }
    return board
  }

  func app(_ name: String) throws(ToolError) -> App {
    guard let app = apps[name] else {
      throw .usage(
        "no appliance '\(name)'; appliances: \(apps.keys.sorted().joined(separator: ", "))")
    }
    return app
  }
}
