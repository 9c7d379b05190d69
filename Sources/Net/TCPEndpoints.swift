/// The four-tuple that names a TCP connection: our address and port, the peer's address and
/// port. Segments are demultiplexed to connections by it.
public struct TCPEndpoints: Hashable, Sendable, CustomStringConvertible {
  /// Our address.
  public var localAddress: IPv4Address
  /// Our port.
  public var localPort: UInt16
  /// The peer's address.
  public var remoteAddress: IPv4Address
  /// The peer's port.
  public var remotePort: UInt16

  /// The tuple of these four.
  public init(
    localAddress: IPv4Address, localPort: UInt16, remoteAddress: IPv4Address, remotePort: UInt16
  ) {
    self.localAddress = localAddress
    self.localPort = localPort
    self.remoteAddress = remoteAddress
    self.remotePort = remotePort
  }

  public var description: String {
    "\(localAddress):\(localPort)-\(remoteAddress):\(remotePort)"
  }
}
