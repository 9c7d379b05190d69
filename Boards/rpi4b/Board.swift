import BareMetalRaspberryPi

/// The `rpi4b` board: a Raspberry Pi 4 Model B (BCM2711), bare metal. It samples the profile's sensors on the
/// header's I2C bus, drives the profile's GPIO roles and logs on its console; the Pi's own
/// Ethernet and Wi-Fi are not driven yet.
enum Board {
  static let name = "rpi4b"
  static let description = "Raspberry Pi 4 Model B (BCM2711)"

  /// Brings the Pi up and runs the appliance. (The image ships no device tree, so the firmware
  /// passes none in `deviceTree`.)
  static func run(deviceTree _: UInt) -> Never {
    RaspberryPiAppliance.run(
      layout: .bcm2711, banner: printBanner, configuration: builtInConfiguration,
      profileFileName: BuiltInConfiguration.profileFileName)
  }
}
