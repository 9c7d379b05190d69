import DiskImage
import XCTest

final class MasterBootRecordTests: XCTestCase {
  func testBootPartitionRecordBytes() {
    let partition = MasterBootRecord.Partition(
      type: MasterBootRecord.Partition.fat32LBA, firstSector: 8192, sectorCount: 131_072)
    // 8192 = (0 * 255 + 130) * 63 + 2: cylinder 0, head 130, sector 3. The last sector, 139263,
    // is cylinder 8, head 170, sector 34.
    XCTAssertEqual(
      partition.bytes,
      [0x00, 130, 3, 0, 0x0C, 170, 34, 8, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00])
  }

  func testSectorLayout() {
    let partition = MasterBootRecord.Partition(type: 0x0C, firstSector: 8192, sectorCount: 2048)
    let sector = MasterBootRecord(diskSignature: 0x1234_5678, partitions: [partition]).bytes
    XCTAssertEqual(sector.count, 512)
    XCTAssertEqual(Array(sector[0..<440]), [UInt8](repeating: 0, count: 440))
    XCTAssertEqual(Array(sector[440..<446]), [0x78, 0x56, 0x34, 0x12, 0, 0])
    XCTAssertEqual(Array(sector[446..<462]), partition.bytes)
    XCTAssertEqual(Array(sector[462..<510]), [UInt8](repeating: 0, count: 48))
    XCTAssertEqual(Array(sector[510..<512]), [0x55, 0xAA])
  }

  func testCHSAddresses() {
    XCTAssertEqual(CHSAddress(lba: 0).bytes, [0, 1, 0])
    XCTAssertEqual(CHSAddress(lba: 62).bytes, [0, 63, 0])
    XCTAssertEqual(CHSAddress(lba: 63).bytes, [1, 1, 0])
    // Cylinder 300 = 0x12C: its bits 8-9 (01) go into the sector byte's top bits.
    XCTAssertEqual(CHSAddress(lba: 300 * 16_065).bytes, [0, 0x40 | 1, 0x2C])
    XCTAssertEqual(CHSAddress(lba: 1023 * 16_065 + 16_064).bytes, [254, 0xFF, 0xFF])
    // Past cylinder 1023 every address is 1023/254/63.
    XCTAssertEqual(CHSAddress(lba: 1024 * 16_065).bytes, [254, 0xFF, 0xFF])
    XCTAssertEqual(CHSAddress(lba: UInt32.max).bytes, [254, 0xFF, 0xFF])
  }
}
