import BoardSupport

/// Mailbox 0 of the Raspberry Pi's SoC, through which the ARM asks the VideoCore firmware for
/// properties (channel 8): it writes a buffer's bus address to the mailbox and reads it back
/// once the firmware has answered in the same buffer.
///
/// The buffer is in cached RAM, and the VideoCore reads and writes memory behind the ARM's
/// caches, so `cleanCache` must write the buffer out before it is sent and `invalidateCache`
/// must drop stale lines before the answer is read (no-ops in host tests).
public struct PropertyMailbox<Registers: RegisterBlock> {
  private let registers: Registers
  private let buffer: UnsafeMutablePointer<UInt32>
  private let bufferWords: Int
  private let busAddress: UInt32
  private let cleanCache: (UnsafeRawBufferPointer) -> Void
  private let invalidateCache: (UnsafeRawBufferPointer) -> Void

  /// The mailbox at `registers`, with a `buffer` of `bufferWords` words that the VideoCore
  /// sees at `busAddress` (16-byte aligned; `busAddress(ofPhysical:)` for the ARM's RAM).
  public init(
    registers: Registers, buffer: UnsafeMutablePointer<UInt32>, bufferWords: Int,
    busAddress: UInt32, cleanCache: @escaping (UnsafeRawBufferPointer) -> Void,
    invalidateCache: @escaping (UnsafeRawBufferPointer) -> Void
  ) {
    precondition(busAddress % 16 == 0, "the mailbox takes 16-byte aligned buffers")
    self.registers = registers
    self.buffer = buffer
    self.bufferWords = bufferWords
    self.busAddress = busAddress
    self.cleanCache = cleanCache
    self.invalidateCache = invalidateCache
  }

  /// Sends `message` and returns the values of each tag (nil for a tag the firmware did not
  /// answer).
  public func request(_ message: PropertyMessage) throws(PropertyMailboxError) -> [[UInt32]?] {
    let words = message.requestWords
    precondition(words.count <= bufferWords, "the mailbox buffer is too small for the request")
    for index in words.indices { buffer[index] = words[index] }
    let bytes = UnsafeRawBufferPointer(start: buffer, count: words.count * 4)
    cleanCache(bytes)
    let request = busAddress | Mailbox.propertyChannel
    var polls = 0
    while registers.read(Mailbox.writeStatus) & Mailbox.full != 0 {
      polls += 1
      guard polls < Mailbox.maximumPolls else { throw .noAnswer }
    }
    registers.write(Mailbox.write, request)
    // Answers on other channels (none are asked for) are skipped, and count as polls: a
    // mailbox that never stops answering something else must end the wait too.
    while registers.read(Mailbox.readStatus) & Mailbox.empty != 0
      || registers.read(Mailbox.read) != request
    {
      polls += 1
      guard polls < Mailbox.maximumPolls else { throw .noAnswer }
    }
    invalidateCache(bytes)
    let answer = (0..<words.count).map { buffer[$0] }
    return try message.responseValues(from: answer)
  }
}

/// The address at which the VideoCore sees the ARM's physical address `address` (in the first
/// GiB): its alias that bypasses the VideoCore's L2 cache.
public func busAddress(ofPhysical address: UInt) -> UInt32 {
  precondition(address < 1 << 30, "the VideoCore addresses the ARM's first 1 GiB")
  return UInt32(address) | 0xC000_0000
}

/// Registers and constants. (They live outside the generic type: Swift has no static stored
/// properties in generic types.)
enum Mailbox {
  /// Mailbox 0, the VideoCore's answers: read, and its status.
  static let read = 0x00
  static let readStatus = 0x18
  /// Mailbox 1, the ARM's requests: write, and its status.
  static let write = 0x20
  static let writeStatus = 0x38
  /// Status bits.
  static let full: UInt32 = 1 << 31
  static let empty: UInt32 = 1 << 30
  /// The channel of the property interface, in a request's low four bits.
  static let propertyChannel: UInt32 = 8
  /// Status reads before the firmware counts as not answering.
  static let maximumPolls = 10_000_000
}
