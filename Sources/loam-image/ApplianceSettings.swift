import Foundation

/// The appliance's settings file on the boot partition, which its owner may edit on a PC
/// before the first boot: a JSON object of strings (Images/README.md, "The settings file").
///
///     {
///       "app" : "plant-pot",
///       "hub" : "http://hub.local:8080",
///       "name" : "plant-pot"
///     }
///
/// The firmware loads the file's bytes at a fixed address (config.txt's `initramfs` line) and
/// the unikernel reads them from there, up to the end of the first complete JSON value; it
/// reads at most `maximumByteCount` bytes.
struct ApplianceSettings {
  static let maximumByteCount = 4096

  /// The appliance's name (its id at the hub).
  let name: String
  /// Which appliance it is: the sensor profile it runs.
  let app: String
  /// The hub's address.
  let hub: String

  var bytes: [UInt8] {
    get throws {
      let object = ["name": name, "app": app, "hub": hub]
      var data = try JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
      data.append(UInt8(ascii: "\n"))
      guard data.count <= Self.maximumByteCount else {
        throw ToolError(
          "the settings come to \(data.count) bytes; the unikernel reads 4096 at most")
      }
      return Array(data)
    }
  }
}
