import Net
import Time

/// One frame of a fuzz input. An input is a series of records, each a control byte, a 16-bit
/// big-endian length and that many bytes of Ethernet frame (fewer if the input ends first):
///
///     +---------+-----------------+------------------------------+
///     | control | length (2 bytes)| frame (length bytes)         | next record ...
///     +---------+-----------------+------------------------------+
///
/// Control bit 7 asks for the frame's checksums to be corrected; bits 0-6 are a delay, in units
/// of 20 ms, before the frame arrives (up to 2.54 s, enough for a retransmission timer).
struct FuzzRecord {
  /// Records read from one input at most; a longer input's rest is ignored.
  static let maximumCount = 16

  var frame: [UInt8]
  var delay: Duration

  /// The records of `input`, the checksums corrected where asked.
  static func records(in input: [UInt8]) -> [FuzzRecord] {
    var records: [FuzzRecord] = []
    var index = 0
    while index + 3 <= input.count && records.count < maximumCount {
      let control = input[index]
      let length = Int(input[index + 1]) << 8 | Int(input[index + 2])
      let end = min(index + 3 + length, input.count)
      var frame = Array(input[(index + 3)..<end])
      if control & 0x80 != 0 { correctChecksums(&frame) }
      records.append(FuzzRecord(frame: frame, delay: .milliseconds(20 * Int64(control & 0x7F))))
      index = end
    }
    return records
  }

  /// Sets the IPv4 header checksum of an Ethernet frame carrying IPv4 and, for a datagram that
  /// is not a fragment, its TCP, UDP or ICMP checksum, wherever the fields the checksums cover
  /// are there to be read; other frames stay as they are.
  static func correctChecksums(_ frame: inout [UInt8]) {
    let ipStart = EthernetHeader.length
    guard frame.count >= ipStart + IPv4Header.length, frame[12] == 0x08, frame[13] == 0x00
    else { return }
    let headerLength = Int(frame[ipStart] & 0x0F) * 4
    guard headerLength >= IPv4Header.length, ipStart + headerLength <= frame.count else { return }
    store(checksumOf: frame[ipStart..<ipStart + headerLength], in: &frame, at: ipStart + 10)
    let totalLength = Int(frame[ipStart + 2]) << 8 | Int(frame[ipStart + 3])
    let isFragment = frame[ipStart + 6] & 0x3F != 0 || frame[ipStart + 7] != 0
    let start = ipStart + headerLength
    let end = ipStart + totalLength
    guard !isFragment, end >= start, end <= frame.count else { return }
    let pseudoHeader = Array(frame[(ipStart + 12)..<(ipStart + 20)]) + [0, frame[ipStart + 9]]
    switch frame[ipStart + 9] {
    case 1 where end - start >= 4:
      store(checksumOf: frame[start..<end], in: &frame, at: start + 2)
    case 6 where end - start >= 18:
      store(checksumOf: frame[start..<end], pseudoHeader: pseudoHeader, in: &frame, at: start + 16)
    case 17 where end - start >= 8:
      store(checksumOf: frame[start..<end], pseudoHeader: pseudoHeader, in: &frame, at: start + 6)
    default: break
    }
  }

  /// Zeroes the checksum field at `field`, then writes the checksum of `pseudoHeader` (with the
  /// length of `covered`) and `covered` there.
  private static func store(
    checksumOf covered: ArraySlice<UInt8>, pseudoHeader: [UInt8]? = nil, in frame: inout [UInt8],
    at field: Int
  ) {
    frame[field] = 0
    frame[field + 1] = 0
    var checksum = InternetChecksum()
    if let pseudoHeader {
      checksum.add(pseudoHeader)
      checksum.add(UInt16(covered.count))
    }
    checksum.add(frame[covered.indices])
    frame[field] = UInt8(checksum.value >> 8)
    frame[field + 1] = UInt8(checksum.value & 0xFF)
  }
}
