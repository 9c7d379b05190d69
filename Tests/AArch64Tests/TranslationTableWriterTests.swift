import AArch64
import XCTest

final class TranslationTableWriterTests: XCTestCase {
  private var tables: UnsafeMutableRawBufferPointer!

  override func setUp() {
    tables = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * 4096, alignment: 4096)
  }

  override func tearDown() { tables.deallocate() }

  private var level1: UnsafeMutablePointer<UInt64> {
    tables.baseAddress!.assumingMemoryBound(to: UInt64.self)
  }

  private func writer(spareTables: Int) -> TranslationTableWriter {
    TranslationTableWriter(
      level1: level1, spareTables: level1 + 512, spareTableCount: spareTables)
  }

  func testBlockDescriptorsCarryTheArchitecturesBits() {
    // Normal memory at 1 GiB: block (0b01), AttrIndx 0, inner shareable (SH 0b11 at 9:8),
    // AF (bit 10), UXN (bit 54); executable at EL1.
    XCTAssertEqual(
      TranslationTableWriter.blockDescriptor(address: 0x4000_0000, kind: .normal),
      0x0040_0000_4000_0701)
    // Device memory: AttrIndx 1 (bits 4:2 = 0b001), not shareable, PXN and UXN (bits 53, 54).
    XCTAssertEqual(
      TranslationTableWriter.blockDescriptor(address: 0x0800_0000, kind: .device),
      0x0060_0000_0800_0405)
  }

  func testQEMUVirtMapsWholeGigabytesAsBlocks() {
    // QEMU virt: devices in the first gigabyte, RAM from 1 GiB.
    var tables = writer(spareTables: 0)
    tables.map(MemoryRegion(start: 0, byteCount: 1 << 30, kind: .device))
    tables.map(MemoryRegion(start: 1 << 30, byteCount: 2 << 30, kind: .normal))
    XCTAssertEqual(tables.usedSpareTables, 0)
    XCTAssertEqual(level1[0], TranslationTableWriter.blockDescriptor(address: 0, kind: .device))
    XCTAssertEqual(
      level1[2], TranslationTableWriter.blockDescriptor(address: 2 << 30, kind: .normal))
    XCTAssertEqual(level1[3], 0, "nothing mapped past the regions")
  }

  func testARaspberryPi4SplitsItsLastGigabyteInto2MiBBlocks() {
    // BCM2711 in low-peripheral mode: RAM to 0xFC000000, peripherals from there to 4 GiB.
    var tables = writer(spareTables: 2)
    tables.map(MemoryRegion(start: 0, byteCount: 0xFC00_0000, kind: .normal))
    tables.map(MemoryRegion(start: 0xFC00_0000, byteCount: 0x0400_0000, kind: .device))
    XCTAssertEqual(tables.usedSpareTables, 1)
    XCTAssertEqual(level1[0], TranslationTableWriter.blockDescriptor(address: 0, kind: .normal))
    XCTAssertEqual(level1[3] & 0b11, 0b11, "the shared gigabyte points to a table")
    let level2 = UnsafeMutablePointer<UInt64>(bitPattern: UInt(level1[3] & 0xFFFF_FFFF_F000))!
    XCTAssertEqual(level2, level1 + 512)
    XCTAssertEqual(
      level2[0], TranslationTableWriter.blockDescriptor(address: 0xC000_0000, kind: .normal))
    XCTAssertEqual(
      level2[479], TranslationTableWriter.blockDescriptor(address: 0xFBE0_0000, kind: .normal))
    XCTAssertEqual(
      level2[480], TranslationTableWriter.blockDescriptor(address: 0xFC00_0000, kind: .device))
    XCTAssertEqual(
      level2[511], TranslationTableWriter.blockDescriptor(address: 0xFFE0_0000, kind: .device))
  }

  func testControlRegisterValues() {
    XCTAssertEqual(MemoryAttributes.memoryAttributeIndirection, 0x04FF)
    // T0SZ 25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, EPD1, IPS 36 bits (code 1).
    XCTAssertEqual(
      MemoryAttributes.translationControl(physicalAddressSizeCode: 1), 0x1_0080_3519)
  }
}
