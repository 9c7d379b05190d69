import BareMetalRaspberryPi

/// The `rpi3b` board: a Raspberry Pi 3 Model B (BCM2837), bare metal. It samples the profile's sensors on the
/// header's I2C bus, drives the profile's GPIO roles and logs on its console; the Pi's own
/// Ethernet and Wi-Fi are not driven yet.
enum Board {
  static let name = "rpi3b"
  static let description = "Raspberry Pi 3 Model B (BCM2837)"

  /// Brings the Pi up and runs the appliance. (The image ships no device tree, so the firmware
  /// passes none in `deviceTree`.)
  static func run(deviceTree _: UInt) -> Never {
    RaspberryPiAppliance.run(
      layout: .bcm2837, banner: printBanner, configuration: builtInConfiguration,
      profileFileName: BuiltInConfiguration.profileFileName)
  }
}
