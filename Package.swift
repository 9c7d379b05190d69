// swift-tools-version:6.0
// Loam: a library operating system for sensor appliances.
//
// Modules fall in two layers (docs/ARCHITECTURE.md):
// - the core, which never imports Foundation and compiles as Embedded Swift
//   (`make embedded-check` proves it): Time, Hashing, DiskImage, Randomness, JSON, HTTP, Net,
//   NetHTTP, Readings, RecordLog, HubCore, BoardSupport, SensorDrivers, SimulatedBoard,
//   SimulatedAppliance, ApplianceProfiles, ApplianceCore, VirtIO, Heap, AArch64, DeviceTree,
//   BroadcomPeripherals;
// - host layers for the Linux `process` target: HostPlatform, LinuxHardware and the executables.
import PackageDescription

/// Core modules: sans-IO, Embedded-clean. `scripts/embedded-check` compiles these for bare metal.
let coreTargets: [Target] = [
  .target(name: "Time"),
  .target(name: "Hashing"),
  .target(name: "DiskImage"),
  .target(name: "Randomness"),
  .target(name: "JSON"),
  .target(name: "HTTP", dependencies: ["Time"]),
  .target(name: "Net", dependencies: ["Time", "Hashing", "Randomness"]),
  .target(name: "NetHTTP", dependencies: ["Time", "HTTP", "Net"]),
  .target(name: "Readings", dependencies: ["Time", "JSON"]),
  .target(name: "RecordLog", dependencies: ["Hashing"]),
  .target(name: "HubCore", dependencies: ["Time", "JSON", "HTTP", "Readings", "RecordLog"]),
  .target(
    name: "ApplianceCore",
    dependencies: [
      "Time", "JSON", "HTTP", "Randomness", "Readings", "RecordLog", "BoardSupport",
      "SensorDrivers", "ApplianceProfiles",
    ]),
  .target(
    name: "SimulatedAppliance",
    dependencies: [
      "Time", "BoardSupport", "SimulatedBoard", "ApplianceProfiles", "ApplianceCore",
    ]),
  .target(name: "BoardSupport", dependencies: ["Time"]),
  .target(name: "Heap"),
  .target(name: "AArch64"),
  .target(name: "DeviceTree"),
  .target(name: "BroadcomPeripherals", dependencies: ["BoardSupport"]),
  .target(name: "SensorDrivers", dependencies: ["Time", "BoardSupport"]),
  .target(name: "SimulatedBoard", dependencies: ["Time", "BoardSupport", "Randomness"]),
  .target(
    name: "ApplianceProfiles",
    dependencies: ["JSON", "Readings", "BoardSupport", "SensorDrivers"]),
  .target(name: "VirtIO", dependencies: ["BoardSupport", "Net"]),
]

/// Host layers: Linux only, thin.
let hostTargets: [Target] = [
  .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
  .target(name: "HostPlatform", dependencies: ["Time", "Hashing", "HTTP", "Net", "CLinux"]),
  // The kernel's i2c-dev interface and libgpiod 1.6, under LinuxHardware's I2C and GPIO backends.
  .systemLibrary(name: "CI2CDev", path: "Sources/CI2CDev"),
  .systemLibrary(
    name: "CLibgpiod", path: "Sources/CLibgpiod", pkgConfig: "libgpiod",
    providers: [.apt(["libgpiod-dev"])]),
  .target(
    name: "LinuxHardware",
    dependencies: ["Time", "BoardSupport", "HostPlatform", "CI2CDev", "CLibgpiod"]),
  .executableTarget(name: "ethernet-switch", dependencies: ["HostPlatform"]),
  .executableTarget(name: "loam-image", dependencies: ["DiskImage", "Hashing"]),
  .executableTarget(name: "bench-httpd", dependencies: ["HTTP", "HostPlatform"]),
  .executableTarget(name: "hub", dependencies: ["HubCore", "HostPlatform", "RecordLog"]),
  .executableTarget(
    name: "appliance",
    dependencies: [
      "ApplianceCore", "ApplianceProfiles", "HostPlatform", "LinuxHardware", "RecordLog",
      "BoardSupport", "SensorDrivers", "SimulatedBoard", "SimulatedAppliance",
    ]),
]

let testTargets: [Target] = [
  .testTarget(name: "TimeTests", dependencies: ["Time"]),
  .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
  .testTarget(name: "DiskImageTests", dependencies: ["DiskImage"]),
  .testTarget(name: "JSONTests", dependencies: ["JSON"], exclude: ["differential.py"]),
  .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
  .testTarget(name: "NetTests", dependencies: ["Net", "NetHTTP", "HTTP", "Randomness"]),
  .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
  .testTarget(name: "ReadingsTests", dependencies: ["Readings", "JSON"]),
  .testTarget(name: "RecordLogTests", dependencies: ["RecordLog"]),
  .testTarget(name: "HubCoreTests", dependencies: ["HubCore", "RecordLog"]),
  .testTarget(
    name: "ApplianceCoreTests",
    dependencies: [
      "ApplianceCore", "ApplianceProfiles", "RecordLog", "SensorDrivers", "SimulatedBoard",
    ]),
  .testTarget(name: "BoardSupportTests", dependencies: ["BoardSupport"]),
  .testTarget(name: "HeapTests", dependencies: ["Heap", "Randomness"]),
  .testTarget(name: "AArch64Tests", dependencies: ["AArch64"]),
  .testTarget(name: "DeviceTreeTests", dependencies: ["DeviceTree", "Randomness"]),
  .testTarget(
    name: "BroadcomPeripheralsTests",
    dependencies: [
      "BroadcomPeripherals", "BoardSupport", "Randomness", "SensorDrivers", "SimulatedBoard",
    ]),
  .testTarget(name: "SensorDriversTests", dependencies: ["SensorDrivers", "SimulatedBoard"]),
  .testTarget(name: "SimulatedBoardTests", dependencies: ["SimulatedBoard"]),
  .testTarget(
    name: "ApplianceProfilesTests", dependencies: ["ApplianceProfiles", "JSON", "Randomness"]),
  .testTarget(name: "VirtIOTests", dependencies: ["VirtIO", "BoardSupport", "Net", "Randomness"]),
  .testTarget(name: "HostPlatformTests", dependencies: ["HostPlatform", "Net"]),
  .testTarget(
    name: "LinuxHardwareTests",
    dependencies: ["LinuxHardware", "BoardSupport", "HostPlatform", "CI2CDev"]),
  .testTarget(
    name: "EndToEndTests", dependencies: ["JSON"],
    exclude: ["counterfeit-card.py", "qemu-tmp105-profile.json"]),
]

let package = Package(
  name: "Loam",
  products: [
    .executable(name: "hub", targets: ["hub"]),
    .executable(name: "appliance", targets: ["appliance"]),
    .executable(name: "ethernet-switch", targets: ["ethernet-switch"]),
  ],
  targets: coreTargets + hostTargets + testTargets,
  swiftLanguageModes: [.v6]
)
