/// The Internet checksum (RFC 1071) used by IPv4, ICMP, UDP and TCP: the ones' complement of the
/// ones' complement sum of the data taken as big-endian 16-bit words, an odd last byte padded
/// with zero.
///
/// The sum is kept in 32 bits and folded at the end; carries are added back in (the "end-around
/// carry"), which makes the sum independent of byte order and of how the data is split, as long
/// as each piece but the last has an even length.
public struct InternetChecksum: Sendable {
  private var sum: UInt32 = 0

  /// A checksum over no data yet.
  public init() {}

  /// Adds bytes; every call but the last must pass an even number of bytes.
  public mutating func add(_ bytes: some Collection<UInt8>) {
    let added: Void? = bytes.withContiguousStorageIfAvailable { addContiguous($0) }
    guard added == nil else { return }
    var iterator = bytes.makeIterator()
    while let high = iterator.next() {
      let low = iterator.next() ?? 0
      add(UInt16(high) << 8 | UInt16(low))
    }
  }

  /// Bytes in memory, four at a time: the sum of big-endian 32-bit words, folded, is the same
  /// ones' complement sum as that of the 16-bit words (2^16 is 1 modulo 2^16 - 1), and a 64-bit
  /// accumulator cannot overflow for any length an IP datagram has. This is most of the work a
  /// stack does per byte of TCP data, so it is worth the second path.
  private mutating func addContiguous(_ buffer: UnsafeBufferPointer<UInt8>) {
    var wide: UInt64 = 0
    var index = 0
    let wordsEnd = buffer.count & ~3
    while index < wordsEnd {
      wide &+= UInt64(
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16
          | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3]))
      index += 4
    }
    while wide > 0xFFFF { wide = (wide & 0xFFFF) &+ (wide >> 16) }
    add(UInt16(wide))
    while index < buffer.count {
      let high = buffer[index]
      let low = index + 1 < buffer.count ? buffer[index + 1] : 0
      add(UInt16(high) << 8 | UInt16(low))
      index += 2
    }
  }

  /// Adds one 16-bit word, as the pseudo-headers of UDP and TCP need.
  public mutating func add(_ word: UInt16) {
    sum &+= UInt32(word)
    // Fold early so that the 32-bit sum can never overflow, whatever the length of the data.
    if sum > 0xFFFF_0000 { sum = (sum & 0xFFFF) &+ (sum >> 16) }
  }

  /// The checksum field's value: the complement of the folded sum.
  public var value: UInt16 {
    var folded = sum
    while folded > 0xFFFF { folded = (folded & 0xFFFF) + (folded >> 16) }
    return ~UInt16(folded)
  }

  /// The checksum of `bytes` in one call.
  public static func checksum(_ bytes: some Collection<UInt8>) -> UInt16 {
    var checksum = InternetChecksum()
    checksum.add(bytes)
    return checksum.value
  }

  /// Whether data that includes its own checksum field verifies: its sum folds to all ones.
  public static func verifies(_ bytes: some Collection<UInt8>) -> Bool {
    checksum(bytes) == 0
  }
}
