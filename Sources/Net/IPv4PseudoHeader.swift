/// The IPv4 pseudo-header that UDP and TCP checksums cover (RFC 768, RFC 9293 section 3.1):
/// source address, destination address, a zero byte, the protocol number and the length of the
/// UDP or TCP header plus payload. It binds a segment to its addresses, so that a datagram
/// delivered to the wrong host fails its checksum.
struct IPv4PseudoHeader {
  /// The sender's address.
  var source: IPv4Address
  /// The receiver's address.
  var destination: IPv4Address
  /// The IP protocol number: 6 for TCP, 17 for UDP.
  var protocolNumber: UInt8
  /// The length of the UDP or TCP header and payload; at most 65535, as an IPv4 datagram is.
  var length: Int

  /// A checksum that has summed the pseudo-header, ready for the header and payload to be added.
  var checksum: InternetChecksum {
    precondition(length >= 0 && length <= 0xFFFF, "the pseudo-header length has 16 bits")
    var checksum = InternetChecksum()
    checksum.add(UInt16(source.value >> 16))
    checksum.add(UInt16(truncatingIfNeeded: source.value))
    checksum.add(UInt16(destination.value >> 16))
    checksum.add(UInt16(truncatingIfNeeded: destination.value))
    checksum.add(UInt16(protocolNumber))
    checksum.add(UInt16(length))
    return checksum
  }
}
