import BoardSupport
import Time

/// The command side of a simulated Sensirion chip (SGP30, SCD4x): takes a command with its
/// argument words, is busy for the command's execution time, then has answer words to read.
///
/// Like the real chips, it does not acknowledge its address while it executes a command (SGP30
/// datasheet, section 6: the host may "poll data until the read header is acknowledged") nor a
/// read with nothing to send (SCD4x datasheet, read_measurement: no data means a NACK), refuses arguments whose CRC is wrong (the
/// SGP30 "only accepts data if it is followed by the correct checksum"), and sends each word
/// followed by its CRC.
struct SensirionResponder {
  /// A command as the chip received it.
  struct Command {
    var code: UInt16
    var arguments: [UInt16]
  }

  private var answer: [UInt8] = []
  private var busyUntil = Instant.zero

  /// Decodes a command write; throws what the chip signals if it is busy or the bytes are bad.
  func accept(_ bytes: [UInt8], now: Instant) throws(I2CError) -> Command {
    guard now >= busyUntil else { throw .addressNotAcknowledged }
    guard bytes.count >= 2, (bytes.count - 2) % 3 == 0 else { throw .dataNotAcknowledged }
    guard let arguments = SensirionCRC.words(Array(bytes[2...])) else {
      throw .dataNotAcknowledged
    }
    return Command(code: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), arguments: arguments)
  }

  /// After a command: `words` can be read once `executionTime` has passed.
  mutating func respond(_ words: [UInt16], after executionTime: Duration, now: Instant) {
    answer = []
    for word in words { SensirionCRC.append(word: word, to: &answer) }
    busyUntil = now.advanced(by: executionTime)
  }

  /// The answer's first `count` bytes; no acknowledgement while busy or with nothing to say.
  mutating func read(count: Int, now: Instant) throws(I2CError) -> [UInt8] {
    guard now >= busyUntil, !answer.isEmpty else { throw .addressNotAcknowledged }
    // Reading past the answer gets 0xFF, the idle level of the data line.
    let bytes = (0..<count).map { $0 < answer.count ? answer[$0] : 0xFF }
    answer = []
    return bytes
  }

  /// Forgets everything, as at power-on.
  mutating func reset() {
    answer = []
    busyUntil = .zero
  }
}

/// `value` rounded and held within a 16-bit word's range.
func clampedWord(_ value: Double) -> UInt16 {
  UInt16(min(max(value.rounded(), 0), 65_535))
}

/// A 48-bit serial number as the three words Sensirion chips send it in, most significant first.
func serialNumberWords(_ serialNumber: UInt64) -> [UInt16] {
  precondition(serialNumber >> 48 == 0, "serial numbers have 48 bits")
  return [32, 16, 0].map { UInt16(truncatingIfNeeded: serialNumber >> $0) }
}
