import BareMetal
import BroadcomPeripherals

/// What the VideoCore firmware says about the board, asked once at start.
public struct RaspberryPiInformation {
  /// The board's model number (0 on most boards; the revision code names the model).
  public var model: UInt32?
  /// The revision code (for example 0xa02082 for a Pi 3 Model B 1.2, 0xb03115 for a Pi 4 2 GB).
  public var revision: UInt32?
  /// The board's serial number.
  public var serialNumber: UInt64?
  /// The Ethernet MAC address.
  public var macAddress: [UInt8]?
  /// The ARM's share of RAM: base and size.
  public var armMemory: (base: UInt32, byteCount: UInt32)?
  /// The VideoCore core clock, which clocks the I2C controllers.
  public var coreClockHertz: UInt32?

  /// Nothing known.
  public init() {}

  /// Asks the firmware through `mailbox`; what it does not answer stays nil.
  init(asking mailbox: PropertyMailbox<DeviceRegisters>) {
    let message = PropertyMessage(tags: [
      .boardRevision, .serialNumber, .macAddress, .armMemory,
      .clockRate(clockID: PropertyMessage.coreClockID), .boardModel,
    ])
    guard let values = try? mailbox.request(message) else { return }
    revision = values[0]?.first
    model = values[5]?.first
    if let words = values[1], words.count == 2 {
      serialNumber = UInt64(words[1]) << 32 | UInt64(words[0])
    }
    if let words = values[2], words.count == 2 {
      let bytes = [
        UInt8(truncatingIfNeeded: words[0]), UInt8(truncatingIfNeeded: words[0] >> 8),
        UInt8(truncatingIfNeeded: words[0] >> 16), UInt8(truncatingIfNeeded: words[0] >> 24),
        UInt8(truncatingIfNeeded: words[1]), UInt8(truncatingIfNeeded: words[1] >> 8),
      ]
      macAddress = bytes
    }
    if let words = values[3], words.count == 2 { armMemory = (words[0], words[1]) }
    if let words = values[4], words.count == 2 { coreClockHertz = words[1] }
  }
}
