import BareMetalRaspberryPi

/// The `rpi4b` board: a Raspberry Pi 4 Model B (BCM2711), bare metal. It logs its sensors and
/// drives its GPIO; the Pi's own Ethernet and Wi-Fi are not driven yet.
enum Board {
  static let name = "rpi4b"
  static let description = "Raspberry Pi 4 Model B (BCM2711)"

  /// Brings the Pi up and logs its sensors. (The image ships no device tree, so the firmware
  /// passes none in `deviceTree`.)
  static func run(deviceTree _: UInt) -> Never {
    RaspberryPiSensorLogger.run(layout: .bcm2711, banner: printBanner)
  }
}
