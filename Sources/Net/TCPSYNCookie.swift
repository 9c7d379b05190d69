import Hashing
import Time

/// SYN cookies (RFC 4987 section 3.6): a listener whose backlog is full answers a SYN without
/// remembering it, by packing what it must remember into the initial sequence number of its
/// SYN-ACK. The client's ACK echoes that number plus one, and the listener rebuilds the
/// connection from it.
///
/// The 32 bits, most significant first:
///
///     | counter (5) | MSS index (3) | hash (24) |
///
/// - counter: the low 5 bits of a clock ticking every 64 seconds. It bounds a cookie's life and,
///   sitting at the top, keeps successive cookies increasing like ordinary ISNs.
/// - MSS index: the client's maximum segment size, rounded down to `maximumSegmentSizes`. It is
///   the one option a connection cannot do without; others are lost unless timestamps carry them.
/// - hash: 24 bits of SipHash-2-4 over the full counter, the MSS index, the four-tuple and the
///   client's ISN, keyed with a secret. Forging a cookie means guessing it: one chance in 2^24.
///
/// A cookie is accepted in the counter period it was made and the next one: 64 to 128 seconds,
/// ample for a handshake and short enough that a captured cookie soon stops working.
public struct TCPSYNCookies: Sendable {
  /// The segment sizes a cookie can carry, ascending; a client's MSS is rounded down to one.
  ///
  /// Each is the MSS of a common path MTU, less 40 bytes of IPv4 and TCP headers, so rounding
  /// down rarely costs anything:
  /// - 536: the floor. Every IPv4 host must accept 576-byte datagrams (RFC 791), so it is safe
  ///   even for a client that asked for less, and it is TCP's default (RFC 9293 section 3.7.1).
  /// - 1220: 1280 bytes, IPv6's minimum MTU, the MTU of many tunnels carried over IPv6.
  /// - 1300, 1400: the values to which VPNs and mobile carriers commonly clamp the MSS.
  /// - 1440: 1480, IPv4 in IPv4 or a GRE tunnel without key.
  /// - 1452: 1492, Ethernet less the 8 bytes of PPPoE (DSL).
  /// - 1460: 1500, plain Ethernet, the most common of all.
  /// - 8960: 9000, jumbo frames inside a data centre.
  public static let maximumSegmentSizes: [UInt16] = [536, 1220, 1300, 1400, 1440, 1452, 1460, 8960]

  /// How long one counter period lasts: 64 seconds.
  public static let counterPeriodNanoseconds: UInt64 = 64_000_000_000

  /// The hash keyed with the secret, copied for each cookie.
  private let keyedHash: SipHash

  /// Cookies keyed by a 16-byte `secret` from the platform's entropy source. Cookies made before
  /// a change of secret no longer validate.
  public init(secret: [UInt8]) {
    keyedHash = SipHash(key: secret)
  }

  /// The sequence number for the SYN-ACK answering a SYN from `remote`:`remotePort` to
  /// `local`:`localPort` with sequence number `clientSequence` and MSS option
  /// `maximumSegmentSize` (536 when the SYN had none).
  ///
  /// The connection will use the MSS rounded down to `maximumSegmentSizes`, which `validate`
  /// returns.
  public func cookie(
    local: IPv4Address, localPort: UInt16, remote: IPv4Address, remotePort: UInt16,
    clientSequence: SequenceNumber, maximumSegmentSize: UInt16, now: Instant
  ) -> SequenceNumber {
    let sizes = Self.maximumSegmentSizes
    // The largest table entry that does not exceed the client's MSS, or the floor.
    let index = sizes.lastIndex { $0 <= maximumSegmentSize } ?? 0
    let counter = Self.counter(at: now)
    let hash = hash24(
      counter: counter, index: UInt8(index), local: local, localPort: localPort, remote: remote,
      remotePort: remotePort, clientSequence: clientSequence)
    return SequenceNumber((counter & 0x1F) << 27 | UInt32(index) << 24 | hash)
  }

  /// The MSS that a cookie carries, when `acknowledgement` (the ACK's acknowledgement number,
  /// the cookie plus one) is a cookie this listener made for this connection and `clientSequence`
  /// (the ACK's sequence number minus one) within the last one to two counter periods. Nil for a
  /// forged, altered or expired cookie.
  public func validate(
    acknowledgement: SequenceNumber, local: IPv4Address, localPort: UInt16,
    remote: IPv4Address, remotePort: UInt16, clientSequence: SequenceNumber, now: Instant
  ) -> UInt16? {
    let cookie = (acknowledgement - 1).rawValue
    let index = Int(cookie >> 24 & 0x7)
    let currentCounter = Self.counter(at: now)
    // The cookie keeps 5 bits of its counter: the age is their distance back from now's, modulo
    // 32. Only the current and the previous period are accepted.
    let age = (currentCounter &- (cookie >> 27)) & 0x1F
    guard age <= 1, currentCounter >= age else { return nil }
    let expected = hash24(
      counter: currentCounter - age, index: UInt8(index), local: local, localPort: localPort,
      remote: remote, remotePort: remotePort, clientSequence: clientSequence)
    guard cookie & 0xFF_FFFF == expected else { return nil }
    return Self.maximumSegmentSizes[index]
  }

  /// The counter period `now` falls in.
  private static func counter(at now: Instant) -> UInt32 {
    UInt32(truncatingIfNeeded: now.nanoseconds / counterPeriodNanoseconds)
  }

  private func hash24(
    counter: UInt32, index: UInt8, local: IPv4Address, localPort: UInt16, remote: IPv4Address,
    remotePort: UInt16, clientSequence: SequenceNumber
  ) -> UInt32 {
    var hasher = keyedHash
    hasher.append(KeyedHashPurpose.synCookie.rawValue)
    hasher.append(counter)
    hasher.append(index)
    hasher.appendConnection(
      local: local, localPort: localPort, remote: remote, remotePort: remotePort)
    hasher.append(clientSequence.rawValue)
    return UInt32(truncatingIfNeeded: hasher.finalize()) & 0xFF_FFFF
  }
}

extension TCPSYNCookies {
  /// The SYN options that a cookie has no room for, carried instead in the low 5 bits of the
  /// SYN-ACK's timestamp value when the client offered timestamps, as Linux does. The client
  /// echoes that value in every ACK's TSecr, so the third segment of the handshake brings them
  /// back. Without timestamps a cookie connection goes without window scaling and SACK.
  ///
  /// Bits 0 to 3 hold the client's window scale shift count (15: none), bit 4 SACK-permitted.
  /// They are not covered by the cookie's hash: a client that alters them only spoils its own
  /// connection.
  public struct TimestampOptions: Hashable, Sendable {
    /// The client's window scale shift count, at most `TCPOptions.maximumWindowScale`; nil when
    /// its SYN had no window scale option.
    public var windowScale: UInt8?
    /// Whether the client's SYN offered SACK-permitted.
    public var sackPermitted: Bool

    /// The options with these values.
    public init(windowScale: UInt8?, sackPermitted: Bool) {
      precondition(
        (windowScale ?? 0) <= TCPOptions.maximumWindowScale, "window scale above 14")
      self.windowScale = windowScale
      self.sackPermitted = sackPermitted
    }
  }

  /// The TSval for a cookie's SYN-ACK: `clock` (the connection's timestamp clock, offset
  /// included) with its low 5 bits replaced by `options`, moved back 32 ticks if that would put
  /// it ahead of `clock`, so that the peer never sees the clock go backwards afterwards.
  public static func timestampValue(clock: UInt32, carrying options: TimestampOptions) -> UInt32 {
    let windowScaleBits = UInt32(options.windowScale ?? 0xF)
    let bits = windowScaleBits | (options.sackPermitted ? 0x10 : 0)
    let value = clock & ~0x1F | bits
    return bits > clock & 0x1F ? value &- 0x20 : value
  }

  /// The options a cookie's SYN-ACK carried, read from the TSecr (`echoReply`) of the ACK that
  /// completes the handshake.
  public static func options(echoedIn echoReply: UInt32) -> TimestampOptions {
    let windowScaleBits = UInt8(echoReply & 0xF)
    return TimestampOptions(
      windowScale: windowScaleBits == 0xF ? nil : windowScaleBits,
      sackPermitted: echoReply & 0x10 != 0)
  }
}
