/// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed hash
/// with a 128-bit key and a 64-bit output.
///
/// Someone who does not know the key cannot predict the output for an input of their choice,
/// which makes it the function to hide values a network attacker must not guess: TCP initial
/// sequence numbers (RFC 6528), SYN cookies (RFC 4987) and ephemeral ports (RFC 6056). It is a
/// pseudorandom function, not a message authentication code for long-lived secrets, and 64 bits
/// is too short to resist collisions found offline.
///
/// The state is four 64-bit words. Each 8-byte little-endian word of input is mixed in with two
/// rounds ("compression"); the final word carries the length's low byte in its top byte, and
/// four more rounds produce the output ("finalization").
///
/// Input may be appended in pieces: the hash depends only on the concatenated bytes, not on how
/// they were split.
public struct SipHash: Sendable {
  private var v0: UInt64
  private var v1: UInt64
  private var v2: UInt64
  private var v3: UInt64
  /// Bytes that do not yet fill a word, little-endian: the first pending byte is the lowest.
  private var pending: UInt64 = 0
  /// How many bytes `pending` holds, 0 to 7.
  private var pendingCount = 0
  /// Bytes appended so far, modulo 2^64; finalization uses its low byte only.
  private var length: UInt64 = 0

  /// A hash keyed by two words: `key.0` is the key's first eight bytes read little-endian,
  /// `key.1` its last eight.
  public init(key: (UInt64, UInt64)) {
    // The constants spell "somepseudorandomlygeneratedbytes" in ASCII, an arbitrary start state.
    v0 = key.0 ^ 0x736f_6d65_7073_6575
    v1 = key.1 ^ 0x646f_7261_6e64_6f6d
    v2 = key.0 ^ 0x6c79_6765_6e65_7261
    v3 = key.1 ^ 0x7465_6462_7974_6573
  }

  /// A hash keyed by 16 bytes, in the byte order of the paper's test vectors.
  public init(key: [UInt8]) {
    precondition(key.count == 16, "a SipHash key is 16 bytes")
    self.init(key: (Self.littleEndianWord(key[0..<8]), Self.littleEndianWord(key[8..<16])))
  }

  /// Feeds more bytes into the hash.
  public mutating func append(_ bytes: some Collection<UInt8>) {
    // Arrays and slices take the word-at-a-time loop; anything else goes a byte at a time.
    let wasContiguous = bytes.withContiguousStorageIfAvailable { buffer in
      append(UnsafeRawBufferPointer(buffer))
      return true
    }
    guard wasContiguous == nil else { return }
    for byte in bytes { append(byte) }
  }

  /// Feeds one byte into the hash.
  public mutating func append(_ value: UInt8) {
    pending |= UInt64(value) &<< (8 * pendingCount)
    pendingCount += 1
    length &+= 1
    if pendingCount == 8 {
      compress(pending)
      pending = 0
      pendingCount = 0
    }
  }

  /// Feeds a 16-bit number into the hash as two bytes, most significant first (network order).
  public mutating func append(_ value: UInt16) {
    append(UInt8(value >> 8))
    append(UInt8(truncatingIfNeeded: value))
  }

  /// Feeds a 32-bit number into the hash as four bytes, most significant first (network order).
  public mutating func append(_ value: UInt32) {
    append(UInt16(value >> 16))
    append(UInt16(truncatingIfNeeded: value))
  }

  /// The hash of the bytes appended so far. The hash may be appended to and finalized again.
  public func finalize() -> UInt64 {
    var state = self
    let lastWord = (length & 0xFF) &<< 56 | pending
    state.compress(lastWord)
    state.v2 ^= 0xFF
    for _ in 0..<4 { state.round() }
    return state.v0 ^ state.v1 ^ state.v2 ^ state.v3
  }

  /// The hash of `bytes` under a 16-byte `key`, in one call.
  public static func hash(_ bytes: some Collection<UInt8>, key: [UInt8]) -> UInt64 {
    var hasher = SipHash(key: key)
    hasher.append(bytes)
    return hasher.finalize()
  }

  private mutating func append(_ buffer: UnsafeRawBufferPointer) {
    var offset = 0
    // Top up a partly filled word first, so that whole words below start on a word boundary of
    // the message.
    while pendingCount != 0, offset < buffer.count {
      append(buffer[offset])
      offset += 1
    }
    while buffer.count - offset >= 8 {
      let word = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      compress(UInt64(littleEndian: word))
      length &+= 8
      offset += 8
    }
    while offset < buffer.count {
      append(buffer[offset])
      offset += 1
    }
  }

  /// Mixes one message word into the state: SipHash-2-4's "2".
  private mutating func compress(_ word: UInt64) {
    v3 ^= word
    round()
    round()
    v0 ^= word
  }

  /// SipRound: additions, rotations and XORs that diffuse every state bit into the others.
  private mutating func round() {
    v0 &+= v1
    v1 = v1.rotatedLeft(by: 13) ^ v0
    v0 = v0.rotatedLeft(by: 32)
    v2 &+= v3
    v3 = v3.rotatedLeft(by: 16) ^ v2
    v0 &+= v3
    v3 = v3.rotatedLeft(by: 21) ^ v0
    v2 &+= v1
    v1 = v1.rotatedLeft(by: 17) ^ v2
    v2 = v2.rotatedLeft(by: 32)
  }

  private static func littleEndianWord(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var word: UInt64 = 0
    for (position, byte) in bytes.enumerated() {
      word |= UInt64(byte) &<< (8 * position)
    }
    return word
  }
}

extension UInt64 {
  /// The bits moved `count` places towards the most significant end, those that fall off the top
  /// coming back in at the bottom.
  fileprivate func rotatedLeft(by count: Int) -> UInt64 {
    self &<< count | self &>> (64 - count)
  }
}
