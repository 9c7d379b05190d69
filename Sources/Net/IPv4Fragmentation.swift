/// One piece of a datagram split for a link's MTU: a header and the part of the payload it
/// carries (a slice of the original payload, not a copy).
public struct IPv4Fragment: Hashable, Sendable {
  /// The fragment's header: the original's, with its own offset and MF flag.
  public var header: IPv4Header
  /// The bytes this fragment carries.
  public var payload: ArraySlice<UInt8>

  /// A fragment with this header and payload.
  public init(header: IPv4Header, payload: ArraySlice<UInt8>) {
    self.header = header
    self.payload = payload
  }
}

/// Why a datagram cannot be sent over a link as it is.
public enum IPv4FragmentationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The datagram is larger than the MTU and has DF set; a router answers with ICMP
  /// "fragmentation needed" carrying this MTU, a sender must send smaller datagrams.
  case dontFragment(datagramLength: Int, maximumTransmissionUnit: Int)

  public var description: String {
    switch self {
    case .dontFragment(let datagramLength, let maximumTransmissionUnit):
      return "IPv4: \(datagramLength)-byte datagram with DF set exceeds MTU"
        + " \(maximumTransmissionUnit)"
    }
  }
}

extension IPv4Header {
  /// The smallest MTU every IPv4 link must support (RFC 791): a 60-byte header and 8 bytes.
  public static let minimumMaximumTransmissionUnit = 68

  /// Splits a datagram with this header and `payload` into fragments that fit
  /// `maximumTransmissionUnit` bytes each when emitted (20-byte headers, no options).
  ///
  /// A datagram that fits comes back whole, as the only element. Otherwise every fragment but
  /// the last carries a multiple of 8 bytes (offsets count 8-byte units) and has MF set; the
  /// last keeps this header's MF, so that a fragment can itself be fragmented again. All keep
  /// the identification, which the caller chooses unique per (source, destination, protocol).
  public func fragments(
    of payload: ArraySlice<UInt8>, maximumTransmissionUnit: Int
  ) throws(IPv4FragmentationError) -> [IPv4Fragment] {
    precondition(
      maximumTransmissionUnit >= IPv4Header.minimumMaximumTransmissionUnit, "MTU below 68")
    let datagramLength = IPv4Header.length + payload.count
    precondition(
      fragmentByteOffset + datagramLength <= IPv4Header.maximumDatagramLength,
      "IPv4 payload too long")
    if datagramLength <= maximumTransmissionUnit {
      return [IPv4Fragment(header: self, payload: payload)]
    }
    if dontFragment {
      throw .dontFragment(
        datagramLength: datagramLength, maximumTransmissionUnit: maximumTransmissionUnit)
    }
    // The largest multiple of 8 that fits after the header.
    let piece = (maximumTransmissionUnit - IPv4Header.length) & ~7
    var fragments: [IPv4Fragment] = []
    fragments.reserveCapacity((payload.count + piece - 1) / piece)
    var start = payload.startIndex
    while start < payload.endIndex {
      let end = min(start + piece, payload.endIndex)
      var header = self
      header.fragmentOffset = fragmentOffset + UInt16((start - payload.startIndex) / 8)
      header.moreFragments = end < payload.endIndex || moreFragments
      fragments.append(IPv4Fragment(header: header, payload: payload[start..<end]))
      start = end
    }
    return fragments
  }
}
