import BoardSupport
import Time

/// A command of a Sensirion chip (SGP30, SCD4x): a 16-bit code, the time the chip needs before
/// its answer can be read, and how many words (each with its CRC) it answers.
public struct SensirionCommand: Equatable, Sendable {
  /// The command code, sent big-endian.
  public let code: UInt16
  /// The longest execution time the datasheet gives; the answer is read after it.
  public let executionTime: Duration
  /// Words in the answer; zero for commands that answer nothing.
  public let responseWordCount: Int

  /// A command `code` answering `responseWordCount` words after `executionTime`.
  public init(code: UInt16, executionTime: Duration, responseWordCount: Int) {
    self.code = code
    self.executionTime = executionTime
    self.responseWordCount = responseWordCount
  }
}

/// Runs one Sensirion command at a time: send it (with argument words and their CRCs), wait its
/// execution time, read the answer and check every CRC.
///
/// Both SGP30 and SCD4x drivers hold one. An operation calls `step` with the same command until it
/// gets `.done`; a failure leaves the exchange idle, so the next call starts the command again.
struct SensirionExchange {
  /// A command that was sent and whose answer is due at `readyAt`.
  private struct Pending {
    var command: SensirionCommand
    var readyAt: Instant
  }

  private var pending: Pending?

  /// The command in progress, if any.
  var commandInProgress: SensirionCommand? { pending?.command }

  /// Sends `command`, or reads its answer once its execution time has passed.
  mutating func step<Bus: I2CBus>(
    _ command: SensirionCommand, arguments: [UInt16] = [], chip: I2CChipAccess,
    on bus: inout Bus, now: Instant
  ) throws(SensorError) -> DriverStep<[UInt16]> {
    if let pending {
      precondition(pending.command == command, "another command is still in progress")
      guard now >= pending.readyAt else { return .wait(until: pending.readyAt) }
      self.pending = nil
      return .done(try readAnswer(of: command, chip: chip, on: &bus))
    }
    var bytes = [UInt8(command.code >> 8), UInt8(truncatingIfNeeded: command.code)]
    for argument in arguments { SensirionCRC.append(word: argument, to: &bytes) }
    try chip.write(bytes, on: &bus)
    if command.executionTime == .zero && command.responseWordCount == 0 { return .done([]) }
    let readyAt = now.advanced(by: command.executionTime)
    pending = Pending(command: command, readyAt: readyAt)
    return .wait(until: readyAt)
  }

  private func readAnswer<Bus: I2CBus>(
    of command: SensirionCommand, chip: I2CChipAccess, on bus: inout Bus
  ) throws(SensorError) -> [UInt16] {
    guard command.responseWordCount > 0 else { return [] }
    let bytes = try chip.read(count: command.responseWordCount * 3, on: &bus)
    guard let words = SensirionCRC.words(bytes) else { throw .checksumMismatch }
    assert(words.count == command.responseWordCount)
    return words
  }
}

/// The 48-bit serial number in the three words of `get_serial_id` (SGP30) or `get_serial_number`
/// (SCD4x), most significant word first.
func serialNumber(fromWords words: [UInt16]) -> UInt64 {
  precondition(words.count == 3, "a serial number is three words")
  return words.reduce(0) { serial, word in serial << 16 | UInt64(word) }
}
