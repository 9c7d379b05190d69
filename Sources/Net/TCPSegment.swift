/// A TCP segment a connection wants sent: its header and payload. The interface adds the
/// addresses from the connection's endpoints, the checksum and the IPv4 header.
struct TCPSegment: Sendable {
  var header: TCPHeader
  var payload: ArraySlice<UInt8>

  /// How much sequence space the segment takes: its payload, plus one each for SYN and FIN.
  var sequenceLength: Int {
    payload.count + (header.flags.contains(.syn) ? 1 : 0) + (header.flags.contains(.fin) ? 1 : 0)
  }
}
