import BoardSupport
import SimulatedBoard

/// A model of the BCM2835's BSC I2C controller at register level, for host tests: the driver
/// under test writes and reads its registers, and the model carries each transfer to the chip
/// models on a `SimulatedI2CBus`, as the real controller carries it over the wires.
///
/// Modelled: the FIFO (16 bytes), DLEN counting down, the ST/READ/CLEAR bits of C, and the
/// TXD/RXD/DONE/ERR bits of S with their write-1-to-clear behaviour.
final class SimulatedBSC: RegisterBlock {
  let bus: SimulatedI2CBus
  private(set) var control: UInt32 = 0
  private(set) var divider: UInt32 = 0x5DC
  private var address: UInt8 = 0
  private var dataLength = 0
  private var fifo: [UInt8] = []
  private var isDone = false
  private var isNotAcknowledged = false
  /// A write transfer started but waiting for the rest of its bytes in the FIFO.
  private var pendingWrite = false
  /// The bytes of that write which left the FIFO for the wires.
  private var outgoing: [UInt8] = []
  /// Transfers carried to the bus, for the tests to inspect.
  private(set) var transfers: [I2CTransaction] = []

  init(bus: SimulatedI2CBus) { self.bus = bus }

  func read(_ offset: Int) -> UInt32 {
    switch offset {
    case 0x00: return control
    case 0x04:
      var status: UInt32 = 0
      if isNotAcknowledged { status |= 1 << 8 }
      if !fifo.isEmpty && control & 1 != 0 { status |= 1 << 5 }  // RXD
      if fifo.count < 16 && control & 1 == 0 { status |= 1 << 4 }  // TXD
      if isDone { status |= 1 << 1 }
      if pendingWrite { status |= 1 }  // TA
      return status
    case 0x08: return UInt32(dataLength)
    case 0x0C: return UInt32(address)
    case 0x10: return fifo.isEmpty ? 0 : UInt32(fifo.removeFirst())
    case 0x14: return divider
    default: return 0
    }
  }

  func write(_ offset: Int, _ value: UInt32) {
    switch offset {
    case 0x00:
      control = value & ~(1 << 7 | 0b11 << 4)  // ST and CLEAR read back as 0
      if value & (0b11 << 4) != 0 { fifo = [] }
      if value & (1 << 7) != 0 { start(isRead: value & 1 != 0) }
    case 0x04:
      if value & (1 << 8) != 0 { isNotAcknowledged = false }
      if value & (1 << 1) != 0 { isDone = false }
    case 0x08: dataLength = Int(value & 0xFFFF)
    case 0x0C: address = UInt8(value & 0x7F)
    case 0x10:
      if pendingWrite {  // the FIFO drains to the wires as fast as it fills
        outgoing.append(UInt8(truncatingIfNeeded: value))
        if outgoing.count == dataLength { finishWrite() }
      } else if fifo.count < 16 {
        fifo.append(UInt8(truncatingIfNeeded: value))
      }
    case 0x14: divider = value
    default: break
    }
  }

  private func start(isRead: Bool) {
    if isRead {
      carry([.read(count: dataLength)]).map { fifo = $0 }
      isDone = true
    } else {
      outgoing = fifo
      fifo = []
      pendingWrite = true
      if outgoing.count == dataLength { finishWrite() }
    }
  }

  private func finishWrite() {
    pendingWrite = false
    _ = carry([.write(outgoing)])
    outgoing = []
    isDone = true
  }

  private func carry(_ messages: [I2CMessage]) -> [UInt8]? {
    let transaction = I2CTransaction(address: I2CAddress(known: address), messages: messages)
    transfers.append(transaction)
    do {
      let answer = try bus.perform(transaction)
      dataLength = 0
      return answer
    } catch {
      isNotAcknowledged = true  // DLEN keeps the whole length: nothing went out
      return nil
    }
  }
}
