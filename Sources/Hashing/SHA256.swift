/// SHA-256 (FIPS 180-4, "Secure Hash Standard", section 6.2): a 256-bit digest of a message of
/// any length.
///
/// Loam uses it where a digest must match one other tools compute: the `extract_sha256` of an
/// SD-card image in Raspberry Pi Imager's OS list, and the read-back check after flashing an
/// image to a card.
///
/// The message is processed in 512-bit blocks (section 6.2.2). Input may be appended in pieces of
/// any size; the digest depends only on the concatenated bytes. Padding (section 5.1.1) appends a
/// one bit, zero bits up to 448 modulo 512, and the message length in bits as a 64-bit
/// big-endian number.
public struct SHA256: Sendable {
  /// The hash value H0 to H7 (section 6.2.2, step 4), starting from the initial value of
  /// section 5.3.3: the first 32 bits of the fractional parts of the square roots of the first
  /// eight primes.
  private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
    0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
  )
  /// Bytes that do not yet fill a block; fewer than 64 between calls.
  private var pending: [UInt8] = []
  /// Bytes appended so far; the padding carries it in bits, modulo 2^64.
  private var length: UInt64 = 0

  /// The size of a digest, in bytes.
  public static let digestByteCount = 32
  /// The size of a message block, in bytes (512 bits).
  public static let blockByteCount = 64

  /// A hash over no bytes yet.
  public init() {
    pending.reserveCapacity(Self.blockByteCount)
  }

  /// Feeds more bytes into the hash.
  public mutating func update(_ bytes: some Collection<UInt8>) {
    // Arrays and slices take the block-at-a-time loop; anything else goes through an array.
    let wasContiguous = bytes.withContiguousStorageIfAvailable { buffer in
      update(UnsafeRawBufferPointer(buffer))
      return true
    }
    guard wasContiguous == nil else { return }
    let copy = Array(bytes)
    copy.withUnsafeBytes { update($0) }
  }

  /// Feeds the bytes of a buffer into the hash.
  public mutating func update(_ buffer: UnsafeRawBufferPointer) {
    length &+= UInt64(buffer.count)
    var offset = 0
    if !pending.isEmpty {
      let taken = min(Self.blockByteCount - pending.count, buffer.count)
      pending.append(contentsOf: buffer[0..<taken])
      offset = taken
      guard pending.count == Self.blockByteCount else { return }
      let block = pending
      block.withUnsafeBytes { compress(UnsafeRawBufferPointer(rebasing: $0[0...])) }
      pending.removeAll(keepingCapacity: true)
    }
    while buffer.count - offset >= Self.blockByteCount {
      compress(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + Self.blockByteCount]))
      offset += Self.blockByteCount
    }
    pending.append(contentsOf: buffer[offset...])
  }

  /// The digest of the bytes fed so far, 32 bytes. The hash may be updated and finalized again.
  public func finalize() -> [UInt8] {
    var copy = self
    let bitLength = length &* 8
    // Section 5.1.1: a one bit, then zeros until the length is 56 modulo 64 bytes.
    let zeroCount = (Self.blockByteCount + 55 - pending.count) % Self.blockByteCount
    var padding: [UInt8] = [0x80] + [UInt8](repeating: 0, count: zeroCount)
    for shift in stride(from: 56, through: 0, by: -8) {
      padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    let totalLength = copy.length
    copy.update(padding)
    copy.length = totalLength
    var digest: [UInt8] = []
    digest.reserveCapacity(Self.digestByteCount)
    let words = copy.state
    for word in [words.0, words.1, words.2, words.3, words.4, words.5, words.6, words.7] {
      digest.append(UInt8(truncatingIfNeeded: word >> 24))
      digest.append(UInt8(truncatingIfNeeded: word >> 16))
      digest.append(UInt8(truncatingIfNeeded: word >> 8))
      digest.append(UInt8(truncatingIfNeeded: word))
    }
    return digest
  }

  /// The digest of `bytes` in one call.
  public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
    var hasher = SHA256()
    hasher.update(bytes)
    return hasher.finalize()
  }

  /// One block through the compression function (section 6.2.2, steps 1 to 4). Rotations are
  /// spelled out with masking shifts, which compile to single instructions even unoptimised.
  private mutating func compress(_ block: UnsafeRawBufferPointer) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
      let w = schedule.baseAddress!
      // Step 1: the message schedule W0 to W63.
      for t in 0..<16 {
        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
      }
      for t in 16..<64 {
        let w15 = w[t &- 15]
        let w2 = w[t &- 2]
        let sigma0 = (w15 &>> 7 | w15 &<< 25) ^ (w15 &>> 18 | w15 &<< 14) ^ (w15 &>> 3)
        let sigma1 = (w2 &>> 17 | w2 &<< 15) ^ (w2 &>> 19 | w2 &<< 13) ^ (w2 &>> 10)
        w[t] = sigma1 &+ w[t &- 7] &+ sigma0 &+ w[t &- 16]
      }
      // Steps 2 and 3: the eight working variables through 64 rounds.
      var (a, b, c, d, e, f, g, h) = state
      sha256RoundConstants.withUnsafeBufferPointer { constants in
        let k = constants.baseAddress!
        for t in 0..<64 {
          let bigSigma1 = (e &>> 6 | e &<< 26) ^ (e &>> 11 | e &<< 21) ^ (e &>> 25 | e &<< 7)
          let choose = (e & f) ^ (~e & g)
          let t1 = h &+ bigSigma1 &+ choose &+ k[t] &+ w[t]
          let bigSigma0 = (a &>> 2 | a &<< 30) ^ (a &>> 13 | a &<< 19) ^ (a &>> 22 | a &<< 10)
          let majority = (a & b) ^ (a & c) ^ (b & c)
          h = g
          g = f
          f = e
          e = d &+ t1
          d = c
          c = b
          b = a
          a = t1 &+ bigSigma0 &+ majority
        }
      }
      // Step 4: the intermediate hash value.
      state.0 &+= a
      state.1 &+= b
      state.2 &+= c
      state.3 &+= d
      state.4 &+= e
      state.5 &+= f
      state.6 &+= g
      state.7 &+= h
    }
  }
}

/// The constants K0 to K63 (section 4.2.2): the first 32 bits of the fractional parts of the
/// cube roots of the first 64 primes.
private let sha256RoundConstants: [UInt32] = [
  0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
  0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
  0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f,
  0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
  0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc,
  0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
  0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116,
  0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
  0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
  0xc671_78f2,
]
