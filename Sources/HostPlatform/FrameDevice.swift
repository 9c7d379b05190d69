/// Something that carries whole Ethernet frames to and from a segment: a TAP interface, a port
/// on Loam's rootless virtual switch, or any other wire a `NetworkInterface` can sit on.
///
/// A frame runs from the destination address to the end of the payload, without the frame
/// check sequence. The descriptor is non-blocking: register `fileDescriptor` with the
/// `EventLoop` for readability and call `readFrame()` until it returns nil.
public protocol FrameDevice: AnyObject {
  /// The descriptor to watch for readability, or -1 after `close()`.
  var fileDescriptor: Int32 { get }
  /// The next frame that arrived, or nil if none is waiting.
  func readFrame() throws(SystemError) -> [UInt8]?
  /// Hands the next frame that arrived to `body`, in the device's own buffer where it has one
  /// (valid only inside `body`); nil, without calling `body`, if none is waiting.
  func readFrame<Result>(_ body: (ArraySlice<UInt8>) -> Result) throws(SystemError) -> Result?
  /// Sends one whole frame; the device takes it whole or not at all.
  func writeFrame(_ frame: [UInt8]) throws(SystemError)
  /// Releases the device. Safe to call twice.
  func close()
}

extension FrameDevice {
  /// For devices without a buffer of their own: the frame `readFrame()` makes.
  public func readFrame<Result>(
    _ body: (ArraySlice<UInt8>) -> Result
  ) throws(SystemError) -> Result? {
    try readFrame().map { body($0[...]) }
  }
}
