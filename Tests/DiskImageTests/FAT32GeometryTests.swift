import DiskImage
import XCTest

final class FAT32GeometryTests: XCTestCase {
  /// A 64 MiB volume, the images' boot partition; fsck.fat reports the same figures for it.
  func testSixtyFourMebibyteVolume() throws {
    let geometry = try FAT32Geometry(sectorCount: 131_072)
    XCTAssertEqual(geometry.sectorsPerCluster, 1)
    XCTAssertEqual(geometry.sectorsPerFAT, 1016)
    XCTAssertEqual(geometry.clusterCount, 129_008)
    XCTAssertEqual(geometry.firstSector(ofFAT: 1), 32 + 1016)
    XCTAssertEqual(geometry.firstSector(ofCluster: 2), 2064)
    XCTAssertEqual(geometry.firstSector(ofCluster: 3), 2065)
  }

  func testClusterSizeFollowsTheSpecificationsTable() throws {
    XCTAssertEqual(try FAT32Geometry(sectorCount: 532_480).sectorsPerCluster, 1)
    XCTAssertEqual(try FAT32Geometry(sectorCount: 532_481).sectorsPerCluster, 8)
    XCTAssertEqual(try FAT32Geometry(sectorCount: 16_777_217).sectorsPerCluster, 16)
    XCTAssertEqual(try FAT32Geometry(sectorCount: 67_108_865).sectorsPerCluster, 64)
  }

  /// The FATs must hold an entry for every cluster and the two reserved entries.
  func testFATsCoverEveryCluster() throws {
    for sectors: UInt32 in [66_601, 100_000, 131_072, 532_480, 600_000, 4_194_304] {
      let geometry = try FAT32Geometry(sectorCount: sectors)
      XCTAssertGreaterThanOrEqual(
        geometry.sectorsPerFAT * 512 / 4, geometry.clusterCount + 2, "\(sectors) sectors")
      XCTAssertGreaterThanOrEqual(geometry.clusterCount, 65_525)
      XCTAssertLessThanOrEqual(
        geometry.firstSector(ofCluster: geometry.clusterCount + 1) + geometry.sectorsPerCluster,
        sectors)
    }
  }

  func testVolumesTooSmallForFAT32AreRefused() {
    XCTAssertThrowsError(try FAT32Geometry(sectorCount: 66_600)) { error in
      XCTAssertEqual(error as? DiskImageError, .partitionSizeOutsideFAT32(sectors: 66_600))
    }
  }

  func testBootSectorFields() throws {
    let geometry = try FAT32Geometry(sectorCount: 131_072)
    let sector = FAT32BootSector(
      geometry: geometry, hiddenSectors: 8192, volumeID: 0xA1B2_C3D4,
      volumeLabel: Array("LOAM       ".utf8)
    ).bytes
    func word(_ offset: Int) -> UInt16 { UInt16(sector[offset]) | UInt16(sector[offset + 1]) << 8 }
    func long(_ offset: Int) -> UInt32 { UInt32(word(offset)) | UInt32(word(offset + 2)) << 16 }
    XCTAssertEqual(Array(sector[0..<3]), [0xEB, 0x58, 0x90])
    XCTAssertEqual(String(decoding: sector[3..<11], as: UTF8.self), "MSWIN4.1")
    XCTAssertEqual(word(11), 512)
    XCTAssertEqual(sector[13], 1)
    XCTAssertEqual(word(14), 32)
    XCTAssertEqual(sector[16], 2)
    XCTAssertEqual(word(17), 0)  // BPB_RootEntCnt
    XCTAssertEqual(word(19), 0)  // BPB_TotSec16
    XCTAssertEqual(sector[21], 0xF8)
    XCTAssertEqual(word(22), 0)  // BPB_FATSz16
    XCTAssertEqual(word(24), 63)
    XCTAssertEqual(word(26), 255)
    XCTAssertEqual(long(28), 8192)
    XCTAssertEqual(long(32), 131_072)
    XCTAssertEqual(long(36), 1016)
    XCTAssertEqual(word(40), 0)
    XCTAssertEqual(word(42), 0)
    XCTAssertEqual(long(44), 2)
    XCTAssertEqual(word(48), 1)
    XCTAssertEqual(word(50), 6)
    XCTAssertEqual(Array(sector[52..<64]), [UInt8](repeating: 0, count: 12))
    XCTAssertEqual(sector[64], 0x80)
    XCTAssertEqual(sector[66], 0x29)
    XCTAssertEqual(long(67), 0xA1B2_C3D4)
    XCTAssertEqual(String(decoding: sector[71..<82], as: UTF8.self), "LOAM       ")
    XCTAssertEqual(String(decoding: sector[82..<90], as: UTF8.self), "FAT32   ")
    XCTAssertEqual(Array(sector[510..<512]), [0x55, 0xAA])
  }

  func testFSInfoSignaturesAndCounts() {
    let sector = FAT32FSInfo(freeClusterCount: 1000, nextFreeCluster: 9).bytes
    XCTAssertEqual(Array(sector[0..<4]), [0x52, 0x52, 0x61, 0x41])
    XCTAssertEqual(Array(sector[4..<484]), [UInt8](repeating: 0, count: 480))
    XCTAssertEqual(Array(sector[484..<488]), [0x72, 0x72, 0x41, 0x61])
    XCTAssertEqual(Array(sector[488..<496]), [0xE8, 0x03, 0, 0, 9, 0, 0, 0])
    XCTAssertEqual(Array(sector[508..<512]), [0x00, 0x00, 0x55, 0xAA])
  }

  func testTimestampFields() throws {
    let stamp = try FATTimestamp(year: 2026, month: 11, day: 27, hour: 13, minute: 45, second: 59)
    XCTAssertEqual(stamp.date, 46 << 9 | 11 << 5 | 27)
    XCTAssertEqual(stamp.time, 13 << 11 | 45 << 5 | 29)
    XCTAssertNoThrow(try FATTimestamp(year: 2024, month: 2, day: 29))
    XCTAssertThrowsError(try FATTimestamp(year: 2026, month: 2, day: 29))
    XCTAssertThrowsError(try FATTimestamp(year: 1979, month: 12, day: 31))
    XCTAssertThrowsError(try FATTimestamp(year: 2108, month: 1, day: 1))
  }
}
