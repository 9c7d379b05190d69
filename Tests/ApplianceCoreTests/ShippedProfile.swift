import ApplianceProfiles
import Foundation

/// The sensor profile `Sensors/<name>.json` of this repository, found from this file's path.
func shippedProfile(_ name: String) throws -> SensorProfile {
  let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  let text = try Data(contentsOf: root.appendingPathComponent("Sensors/\(name).json"))
  return try SensorProfile.parse([UInt8](text), fileName: "Sensors/\(name).json")
}
