import Hashing
import Time

/// Initial sequence numbers an off-path attacker cannot guess (RFC 6528), and per-connection
/// timestamp offsets that do not reveal the host's uptime (RFC 7323 section 5.4).
///
/// RFC 6528 section 3 chooses `ISN = M + F(localip, localport, remoteip, remoteport, secretkey)`.
/// `M` is a timer ticking every 4 microseconds, so that successive incarnations of one connection
/// get increasing numbers and old duplicate segments fall outside the new window (RFC 9293
/// section 3.4.1). `F` is a keyed hash, here SipHash-2-4, so that the numbers of different
/// connections bear no relation an attacker could exploit to inject segments.
///
/// The secret must come from the platform's entropy source and stay the same while the host
/// runs; a new secret after reboot is fine.
public struct TCPInitialSequenceNumbers: Sendable {
  /// The hash keyed with the secret, copied for each connection.
  private let keyedHash: SipHash

  /// Numbers keyed by a 16-byte `secret`.
  public init(secret: [UInt8]) {
    keyedHash = SipHash(key: secret)
  }

  /// The initial sequence number for a connection from `local`:`localPort` to
  /// `remote`:`remotePort` opened at `now`.
  public func sequenceNumber(
    local: IPv4Address, localPort: UInt16, remote: IPv4Address, remotePort: UInt16, now: Instant
  ) -> SequenceNumber {
    // 2^32 ticks of 4 microseconds wrap every 4.77 hours, as RFC 9293 intends.
    let timer = UInt32(truncatingIfNeeded: now.nanoseconds / 4_000)
    var hasher = keyedHash
    hasher.append(KeyedHashPurpose.initialSequenceNumber.rawValue)
    hasher.appendConnection(
      local: local, localPort: localPort, remote: remote, remotePort: remotePort)
    return SequenceNumber(timer &+ UInt32(truncatingIfNeeded: hasher.finalize()))
  }

  /// The number to add to the local clock in this connection's TSval (RFC 7323 section 5.4).
  ///
  /// Without it every connection would show the same clock, which tells an observer the host's
  /// uptime and links connections to one host. The offset depends on the four-tuple alone, so a
  /// new incarnation of the same connection keeps a clock that only moves forward, as PAWS
  /// (RFC 7323 section 5) and the TIME-WAIT reuse of RFC 6191 need.
  public func timestampOffset(
    local: IPv4Address, localPort: UInt16, remote: IPv4Address, remotePort: UInt16
  ) -> UInt32 {
    var hasher = keyedHash
    hasher.append(KeyedHashPurpose.timestampOffset.rawValue)
    hasher.appendConnection(
      local: local, localPort: localPort, remote: remote, remotePort: remotePort)
    return UInt32(truncatingIfNeeded: hasher.finalize())
  }
}

/// The first byte hashed for each use of a secret, so that a platform may hand the same secret to
/// all of them without one value revealing another (domain separation).
enum KeyedHashPurpose: UInt8 {
  case initialSequenceNumber = 1
  case timestampOffset = 2
  case synCookie = 3
  case ephemeralPort = 4
}

extension SipHash {
  /// Appends a TCP connection's four-tuple, each part in network order.
  mutating func appendConnection(
    local: IPv4Address, localPort: UInt16, remote: IPv4Address, remotePort: UInt16
  ) {
    append(local.value)
    append(localPort)
    append(remote.value)
    append(remotePort)
  }
}
