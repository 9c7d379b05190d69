import Hashing

/// Chooses the local port of an outgoing connection so that an off-path attacker cannot guess
/// it: RFC 6056 section 3.3.3, Algorithm 3 ("simple hash-based").
///
/// Each destination (local address, remote address and port) starts its search at its own offset
/// in the range, a keyed hash an attacker cannot compute; a counter shared by all destinations
/// moves the start one step for every port tried, so consecutive connections to one destination
/// get different ports and a port just released is not handed out again at once. Knowing the
/// ports used towards one's own server says nothing about those used towards another.
///
/// RFC 6056's Algorithm 4 would give each destination its own counter, hiding even how busy the
/// host is; for an appliance that makes few connections the shared counter is enough.
public struct EphemeralPorts: Sendable {
  /// The ports handed out, IANA's dynamic range by default (RFC 6335 section 6).
  public let range: ClosedRange<UInt16>
  /// The hash keyed with the secret, copied for each connection.
  private let keyedHash: SipHash
  /// RFC 6056's `next_ephemeral`: how many ports have been tried, modulo the range's size (which
  /// keeps the sum below from wrapping).
  private var attempts: UInt32 = 0

  /// Ports from `range`, keyed by a 16-byte `secret` from the platform's entropy source.
  public init(secret: [UInt8], range: ClosedRange<UInt16> = 49152...65535) {
    precondition(range.lowerBound > 0, "port 0 is not a port a connection can use")
    keyedHash = SipHash(key: secret)
    self.range = range
  }

  /// A port for a connection from `local` to `remote`:`remotePort` for which `isInUse` is false,
  /// or nil when every port in the range is in use. Each port is tried at most once.
  public mutating func next(
    local: IPv4Address, remote: IPv4Address, remotePort: UInt16, isInUse: (UInt16) -> Bool
  ) -> UInt16? {
    let portCount = UInt32(range.upperBound - range.lowerBound) + 1
    var hasher = keyedHash
    hasher.append(KeyedHashPurpose.ephemeralPort.rawValue)
    hasher.append(local.value)
    hasher.append(remote.value)
    hasher.append(remotePort)
    let offset = UInt32(truncatingIfNeeded: hasher.finalize())
    for _ in 0..<portCount {
      let step = (attempts + offset % portCount) % portCount
      attempts = (attempts + 1) % portCount
      let port = range.lowerBound + UInt16(step)
      if !isInUse(port) { return port }
    }
    return nil
  }
}
