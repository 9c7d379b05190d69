/// The image's `config.txt`: the board's own (`Boards/BOARD/config.txt`) with the line that has
/// the firmware load the settings file for the unikernel.
enum BootConfiguration {
  /// `initramfs FILE ADDRESS` loads FILE's bytes at ADDRESS before the firmware starts the
  /// kernel (Raspberry Pi documentation, config.txt, "initramfs").
  static func text(boardConfiguration: String, settingsFile: String, settingsAddress: String)
    -> String
  {
    var text = boardConfiguration
    if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
    return text
      + "# The appliance's settings (\(settingsFile)), loaded at \(settingsAddress), just past the\n"
      + "# 64 MiB Loam's unikernel uses; it reads them from there.\n"
      + "initramfs \(settingsFile) \(settingsAddress)\n"
  }
}
