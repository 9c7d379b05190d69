import BoardSupport
import CI2CDev

/// An `I2CTransaction` laid out as the `I2C_RDWR` ioctl takes it (<linux/i2c-dev.h>): a table of
/// `struct i2c_msg` (<linux/i2c.h>), one per message, each pointing at its part of one byte
/// buffer that holds the writes' data and room for the reads, end to end. The kernel fills the
/// reads' parts in place.
struct I2CTransferRequest {
  /// The transaction being laid out.
  let transaction: I2CTransaction
  /// Each message's bytes (data to write, or room for a read), in message order.
  private var bytes: [UInt8] = []
  /// Each message's length in `bytes`.
  private var lengths: [Int] = []

  /// The layout of `transaction`. More than `LinuxI2CBus.maximumMessageCount` messages, or a
  /// message longer than `LinuxI2CBus.maximumMessageLength`, is a programming error and traps.
  init(_ transaction: I2CTransaction) {
    precondition(
      transaction.messages.count <= LinuxI2CBus.maximumMessageCount,
      "too many messages for I2C_RDWR")
    self.transaction = transaction
    for message in transaction.messages {
      switch message {
      case .write(let data):
        bytes.append(contentsOf: data)
        lengths.append(data.count)
      case .read(let count):
        bytes.append(contentsOf: repeatElement(0, count: count))
        lengths.append(count)
      }
      precondition(lengths.last! <= LinuxI2CBus.maximumMessageLength, "I2C message too long")
    }
    assert(lengths.count == transaction.messages.count)
  }

  /// Calls `body` with the ioctl's argument. Its pointers are valid only while `body` runs.
  mutating func withKernelRequest<Result>(
    _ body: (inout i2c_rdwr_ioctl_data) -> Result
  ) -> Result {
    let address = UInt16(transaction.address.value)
    let messages = transaction.messages
    let lengths = lengths
    return bytes.withUnsafeMutableBufferPointer { storage in
      var table: [i2c_msg] = []
      table.reserveCapacity(messages.count)
      var offset = 0
      for (message, length) in zip(messages, lengths) {
        let isRead = if case .read = message { true } else { false }
        table.append(
          i2c_msg(
            addr: address, flags: isRead ? UInt16(I2C_M_RD) : 0, len: UInt16(length),
            buf: storage.baseAddress.map { $0 + offset }))
        offset += length
      }
      return table.withUnsafeMutableBufferPointer { table in
        var request = i2c_rdwr_ioctl_data(msgs: table.baseAddress, nmsgs: UInt32(table.count))
        return body(&request)
      }
    }
  }

  /// The bytes the reads received, concatenated in message order: what `I2CBus.perform`
  /// returns.
  var receivedBytes: [UInt8] {
    var received: [UInt8] = []
    received.reserveCapacity(transaction.readCount)
    var offset = 0
    for (message, length) in zip(transaction.messages, lengths) {
      if case .read = message { received.append(contentsOf: bytes[offset..<offset + length]) }
      offset += length
    }
    assert(received.count == transaction.readCount)
    return received
  }
}
