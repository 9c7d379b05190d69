/// Where everything lies in a FAT32 volume of a given size, computed as the Microsoft FAT32 File
/// System Specification 1.03 ("fatgen103") asks a formatter to.
///
/// A volume is the reserved region (boot sector, FSInfo, their backups), two FATs, and the data
/// region of clusters numbered from 2. The root directory is a cluster chain like any file.
public struct FAT32Geometry: Equatable, Sendable {
  public static let bytesPerSector: UInt32 = 512
  /// 32 reserved sectors, the value the specification gives for FAT32 ("BPB_RsvdSecCnt").
  public static let reservedSectorCount: UInt32 = 32
  /// Two FATs, the value every FAT driver expects ("BPB_NumFATs").
  public static let fatCount: UInt32 = 2
  /// The fewest clusters a FAT32 volume may have ("FAT Type Determination": fewer is FAT16).
  public static let minimumClusterCount: UInt32 = 65_525
  /// The most: cluster numbers run from 2 to 0x0FFFFFF6; 0x0FFFFFF7 marks a bad cluster.
  public static let maximumClusterCount: UInt32 = 0x0FFF_FFF5

  /// The volume's size in sectors ("BPB_TotSec32").
  public let sectorCount: UInt32
  /// Sectors per cluster ("BPB_SecPerClus"), from the specification's table for FAT32.
  public let sectorsPerCluster: UInt32
  /// Sectors in each FAT ("BPB_FATSz32").
  public let sectorsPerFAT: UInt32
  /// The data region's clusters, numbered 2 to `clusterCount + 1`.
  public let clusterCount: UInt32

  /// The layout of a volume of `sectorCount` sectors.
  public init(sectorCount: UInt32) throws(DiskImageError) {
    self.sectorCount = sectorCount
    // The specification's DskTableFAT32: the cluster size for each volume size, in sectors.
    let sectorsPerCluster: UInt32 =
      switch sectorCount {
      case ...66_600: 0  // under 32.5 MB: too small for FAT32
      case ...532_480: 1  // up to 260 MB: 512-byte clusters
      case ...16_777_216: 8  // up to 8 GB: 4 KiB
      case ...33_554_432: 16  // up to 16 GB: 8 KiB
      case ...67_108_864: 32  // up to 32 GB: 16 KiB
      default: 64  // larger: 32 KiB
      }
    guard sectorsPerCluster > 0 else { throw .partitionSizeOutsideFAT32(sectors: sectorCount) }
    self.sectorsPerCluster = sectorsPerCluster
    // "BPB_FATSz32" as the specification computes it; it may exceed the exact need by a
    // little, never fall short.
    let sectorsAfterReserved = sectorCount - Self.reservedSectorCount
    let divisor = (256 * sectorsPerCluster + Self.fatCount) / 2
    sectorsPerFAT = (sectorsAfterReserved + divisor - 1) / divisor
    let dataSectors = sectorsAfterReserved - Self.fatCount * sectorsPerFAT
    clusterCount = dataSectors / sectorsPerCluster
    guard (Self.minimumClusterCount...Self.maximumClusterCount).contains(clusterCount) else {
      throw .partitionSizeOutsideFAT32(sectors: sectorCount)
    }
  }

  /// Bytes per cluster.
  public var bytesPerCluster: UInt32 { sectorsPerCluster * Self.bytesPerSector }

  /// The first sector of FAT `index` (0 or 1), from the volume's start.
  public func firstSector(ofFAT index: UInt32) -> UInt32 {
    Self.reservedSectorCount + index * sectorsPerFAT
  }

  /// The first sector of cluster `cluster` (2 or more), from the volume's start.
  public func firstSector(ofCluster cluster: UInt32) -> UInt32 {
    precondition(cluster >= 2 && cluster < clusterCount + 2, "no such cluster")
    return firstSector(ofFAT: Self.fatCount) + (cluster - 2) * sectorsPerCluster
  }

  /// How many clusters `byteCount` bytes take.
  public func clusters(forByteCount byteCount: UInt64) -> UInt64 {
    (byteCount + UInt64(bytesPerCluster) - 1) / UInt64(bytesPerCluster)
  }
}
