/// A disk that a Raspberry Pi boots from: an MBR whose one partition, of type 0x0C (FAT32 with
/// LBA), holds the FAT32 boot volume the firmware reads `config.txt`, itself and the kernel from.
///
/// The partition starts at sector 8192 (4 MiB), as Raspberry Pi OS's images do: a multiple of
/// every SD card's erase-block size, so the volume's writes never straddle two blocks. The
/// image ends where the partition does; a card larger than the image keeps its rest unused.
public struct BootDisk: Equatable, Sendable {
  /// The boot partition's first sector.
  public static let partitionStartSector: UInt32 = 8192

  public let diskSignature: UInt32
  public let partitionSectorCount: UInt32
  public var volume: FAT32Volume

  /// A disk with a boot partition of `partitionSectorCount` sectors, holding an empty volume
  /// labelled `label` with serial number `volumeID`, dated `timestamp`.
  public init(
    diskSignature: UInt32, partitionSectorCount: UInt32, volumeID: UInt32, label: String,
    timestamp: FATTimestamp
  ) throws(DiskImageError) {
    guard partitionSectorCount > 0,
      partitionSectorCount <= UInt32.max - Self.partitionStartSector
    else { throw .partitionOutsideDisk }
    self.diskSignature = diskSignature
    self.partitionSectorCount = partitionSectorCount
    volume = try FAT32Volume(
      sectorCount: partitionSectorCount, hiddenSectors: Self.partitionStartSector,
      volumeID: volumeID, label: label, timestamp: timestamp)
  }

  /// The disk's length in bytes: the gap before the partition and the partition.
  public var byteCount: UInt64 {
    UInt64(Self.partitionStartSector + partitionSectorCount) * UInt64(FAT32Geometry.bytesPerSector)
  }

  /// The whole disk as runs of bytes.
  public func image() throws(DiskImageError) -> SparseImage {
    var image = SparseImage(byteCount: byteCount)
    let partition = MasterBootRecord.Partition(
      type: MasterBootRecord.Partition.fat32LBA, firstSector: Self.partitionStartSector,
      sectorCount: partitionSectorCount)
    try image.place(
      MasterBootRecord(diskSignature: diskSignature, partitions: [partition]).bytes, at: 0)
    try volume.place(
      into: &image,
      at: UInt64(Self.partitionStartSector) * UInt64(FAT32Geometry.bytesPerSector))
    return image
  }
}
