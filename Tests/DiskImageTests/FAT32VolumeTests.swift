import DiskImage
import XCTest

/// Builds small disks and reads them back the way a FAT driver would: boot sector, FAT chains,
/// directory entries, data.
final class FAT32VolumeTests: XCTestCase {
  private let timestamp = try! FATTimestamp(year: 2026, month: 11, day: 27)

  private func disk(_ files: [(String, [UInt8])]) throws -> (BootDisk, SparseImage) {
    var disk = try BootDisk(
      diskSignature: 0xCAFE_F00D, partitionSectorCount: 131_072, volumeID: 0x1234_5678,
      label: "LOAM", timestamp: timestamp)
    for (name, contents) in files { try disk.volume.addFile(named: name, contents: contents) }
    return (disk, try disk.image())
  }

  private let volumeStart: UInt64 = 8192 * 512

  private func sector(_ image: SparseImage, _ number: UInt64) -> [UInt8] {
    image.bytes(in: volumeStart + number * 512..<volumeStart + (number + 1) * 512)
  }

  private func fatEntry(_ image: SparseImage, fat: UInt64, cluster: UInt32) -> UInt32 {
    let offset = volumeStart + (32 + fat * 1016) * 512 + UInt64(cluster) * 4
    return image.bytes(in: offset..<offset + 4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
  }

  private func clusterOffset(_ cluster: UInt32) -> UInt64 {
    volumeStart + (2064 + UInt64(cluster) - 2) * 512
  }

  func testLayoutOfADiskWithThreeFiles() throws {
    let kernel = (0..<1500).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    let (disk, image) = try disk([
      ("kernel8.img", kernel), ("CONFIG.TXT", Array("arm_64bit=1\n".utf8)), ("empty.txt", []),
    ])
    XCTAssertEqual(image.byteCount, (8192 + 131_072) * 512)
    XCTAssertEqual(disk.byteCount, image.byteCount)
    XCTAssertEqual(Array(image.bytes(in: 510..<512)), [0x55, 0xAA])
    XCTAssertEqual(image.bytes(in: 446 + 4..<446 + 5), [0x0C])

    // The backup boot sector and FSInfo are copies.
    XCTAssertEqual(sector(image, 6), sector(image, 0))
    XCTAssertEqual(sector(image, 7), sector(image, 1))

    // Root directory at cluster 2 (one cluster), then the kernel's three clusters 3-5, then
    // CONFIG.TXT at 6; the empty file has no cluster.
    for fat: UInt64 in [0, 1] {
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 0), 0x0FFF_FFF8)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 1), 0x0FFF_FFFF)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 2), 0x0FFF_FFFF)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 3), 4)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 4), 5)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 5), 0x0FFF_FFFF)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 6), 0x0FFF_FFFF)
      XCTAssertEqual(fatEntry(image, fat: fat, cluster: 7), 0)
    }
    let fsInfo = sector(image, 1)
    let free = fsInfo[488..<492].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    let next = fsInfo[492..<496].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    XCTAssertEqual(free, 129_008 - 5)
    XCTAssertEqual(next, 7)

    // Directory: label; kernel8.img's long entry and short entry; CONFIG.TXT's short entry only;
    // empty.txt's long and short entries; then the end marker.
    let root = image.bytes(in: clusterOffset(2)..<clusterOffset(2) + 512)
    func entry(_ index: Int) -> ArraySlice<UInt8> { root[index * 32..<(index + 1) * 32] }
    XCTAssertEqual(String(decoding: entry(0).prefix(11), as: UTF8.self), "LOAM       ")
    XCTAssertEqual(entry(0)[entry(0).startIndex + 11], 0x08)
    XCTAssertEqual(entry(1)[entry(1).startIndex], 0x41)
    XCTAssertEqual(entry(1)[entry(1).startIndex + 11], 0x0F)
    XCTAssertEqual(String(decoding: entry(2).prefix(11), as: UTF8.self), "KERNEL8 IMG")
    let kernelEntry = Array(entry(2))
    XCTAssertEqual(kernelEntry[11], 0x20)
    XCTAssertEqual(Array(kernelEntry[20..<22]) + Array(kernelEntry[26..<28]), [0, 0, 3, 0])
    XCTAssertEqual(Array(kernelEntry[28..<32]), [0xDC, 0x05, 0, 0])
    XCTAssertEqual(Array(kernelEntry[24..<26]), [0x7B, 0x5D])  // 2026-11-27
    XCTAssertEqual(String(decoding: entry(3).prefix(11), as: UTF8.self), "CONFIG  TXT")
    XCTAssertEqual(Array(entry(3))[26], 6)
    XCTAssertEqual(entry(4)[entry(4).startIndex + 11], 0x0F)
    XCTAssertEqual(String(decoding: entry(5).prefix(11), as: UTF8.self), "EMPTY   TXT")
    XCTAssertEqual(Array(entry(5))[26..<32], [0, 0, 0, 0, 0, 0])
    XCTAssertEqual(entry(6)[entry(6).startIndex], 0)

    XCTAssertEqual(image.bytes(in: clusterOffset(3)..<clusterOffset(3) + 1500), kernel)
    XCTAssertEqual(
      image.bytes(in: clusterOffset(6)..<clusterOffset(6) + 12), Array("arm_64bit=1\n".utf8))
  }

  /// Only the sectors with something in them are runs: a 68 MiB disk of 1500 bytes of files
  /// comes to a few KiB.
  func testTheImageIsSparse() throws {
    let (_, image) = try disk([("kernel8.img", [UInt8](repeating: 1, count: 1500))])
    let placed = image.runs.reduce(0) { $0 + $1.bytes.count }
    XCTAssertLessThan(placed, 8192)
  }

  func testARootDirectoryOverOneClusterIsAChain() throws {
    // 40 long names of two entries each and their short entries: 121 entries, 8 clusters.
    let files = (0..<40).map { ("settings-file-\($0).json", [UInt8]("\($0)".utf8)) }
    let (_, image) = try disk(files)
    for cluster: UInt32 in 2..<9 {
      XCTAssertEqual(fatEntry(image, fat: 0, cluster: cluster), cluster + 1)
    }
    XCTAssertEqual(fatEntry(image, fat: 0, cluster: 9), 0x0FFF_FFFF)
    XCTAssertEqual(fatEntry(image, fat: 0, cluster: 10), 0x0FFF_FFFF)
  }

  func testMistakesAreRefused() throws {
    var disk = try BootDisk(
      diskSignature: 1, partitionSectorCount: 131_072, volumeID: 1, label: "LOAM",
      timestamp: timestamp)
    XCTAssertThrowsError(try disk.volume.addFile(named: "a/b", contents: [])) {
      XCTAssertEqual($0 as? DiskImageError, .invalidFileName("a/b"))
    }
    try disk.volume.addFile(named: "config.txt", contents: [])
    XCTAssertThrowsError(try disk.volume.addFile(named: "CONFIG.TXT", contents: [])) {
      XCTAssertEqual($0 as? DiskImageError, .duplicateFileName("CONFIG.TXT"))
    }
    XCTAssertThrowsError(
      try disk.volume.addFile(named: "huge.bin", contents: [UInt8](repeating: 0, count: 70 << 20))
    ) { XCTAssertEqual($0 as? DiskImageError, .volumeFull) }
    XCTAssertEqual(disk.volume.files.map(\.name), ["config.txt"])
    XCTAssertThrowsError(
      try BootDisk(
        diskSignature: 1, partitionSectorCount: 131_072, volumeID: 1, label: "LOAM/1",
        timestamp: timestamp))
    XCTAssertThrowsError(
      try BootDisk(
        diskSignature: 1, partitionSectorCount: 2048, volumeID: 1, label: "LOAM",
        timestamp: timestamp))
  }
}
