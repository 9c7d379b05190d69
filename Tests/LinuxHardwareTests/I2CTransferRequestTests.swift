import BoardSupport
import CI2CDev
import XCTest

@testable import LinuxHardware

/// What `LinuxI2CBus` hands the kernel for a transaction, read back through the same pointers
/// the kernel follows; the test plays the kernel's part by filling the read messages' buffers.
final class I2CTransferRequestTests: XCTestCase {
  /// The messages of `request` as (address, flags, the bytes at `buf`) triples, after `kernel`
  /// (standing in for the ioctl) has seen the table.
  private func messages(
    of request: inout I2CTransferRequest, kernel: (UnsafeMutablePointer<i2c_msg>) -> Void = { _ in }
  ) -> [(address: UInt16, flags: UInt16, bytes: [UInt8])] {
    request.withKernelRequest { argument in
      let table = argument.msgs!
      kernel(table)
      return (0..<Int(argument.nmsgs)).map { index in
        let message = table[index]
        let bytes = UnsafeBufferPointer(start: message.buf, count: Int(message.len))
        return (message.addr, message.flags, Array(bytes))
      }
    }
  }

  func testARegisterReadIsAWriteThenARead() {
    let address = I2CAddress(known: 0x77)
    var request = I2CTransferRequest(
      I2CTransaction(address: address, messages: [.write([0xD0]), .read(count: 2)]))
    let seen = messages(of: &request) { table in
      // The read's buffer follows the write's in the one buffer, as the kernel fills it.
      XCTAssertEqual(table[1].buf, table[0].buf! + 1)
      table[1].buf![0] = 0x60
      table[1].buf![1] = 0x61
    }
    XCTAssertEqual(seen.count, 2)
    XCTAssertEqual(seen[0].address, 0x77)
    XCTAssertEqual(seen[0].flags, 0)
    XCTAssertEqual(seen[0].bytes, [0xD0])
    XCTAssertEqual(seen[1].address, 0x77)
    XCTAssertEqual(seen[1].flags, UInt16(I2C_M_RD))
    XCTAssertEqual(seen[1].bytes, [0x60, 0x61])
    XCTAssertEqual(request.receivedBytes, [0x60, 0x61])
  }

  func testReadsAreReturnedInOrderAndWritesAreNot() {
    let transaction = I2CTransaction(
      address: I2CAddress(known: 0x58),
      messages: [.read(count: 1), .write([0x20, 0x08]), .read(count: 2)])
    var request = I2CTransferRequest(transaction)
    let seen = messages(of: &request) { table in
      table[0].buf![0] = 0xAA
      table[2].buf![0] = 0xBB
      table[2].buf![1] = 0xCC
    }
    XCTAssertEqual(seen.map(\.flags), [UInt16(I2C_M_RD), 0, UInt16(I2C_M_RD)])
    XCTAssertEqual(seen[1].bytes, [0x20, 0x08])
    XCTAssertEqual(request.receivedBytes, [0xAA, 0xBB, 0xCC])
    XCTAssertEqual(request.receivedBytes.count, transaction.readCount)
  }

  /// A write of no bytes (an address-only "quick write", as `i2cdetect` probes) is a message
  /// of length zero.
  func testAnEmptyWriteIsAMessageOfLengthZero() {
    var request = I2CTransferRequest(
      I2CTransaction(address: I2CAddress(known: 0x36), messages: [.write([])]))
    let seen = messages(of: &request)
    XCTAssertEqual(seen.count, 1)
    XCTAssertEqual(seen[0].bytes, [])
    XCTAssertEqual(request.receivedBytes, [])
  }
}
