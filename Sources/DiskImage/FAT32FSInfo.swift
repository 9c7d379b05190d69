/// The FSInfo sector of a FAT32 volume (Microsoft FAT32 File System Specification 1.03, "FAT32
/// FSInfo Sector Structure and Backup Boot Sector"): hints that spare a driver a scan of the FAT.
///
///     0     4  FSI_LeadSig    0x41615252
///     484   4  FSI_StrucSig   0x61417272
///     488   4  FSI_Free_Count free clusters
///     492   4  FSI_Nxt_Free   where to start looking for a free cluster
///     508   4  FSI_TrailSig   0xAA550000
public struct FAT32FSInfo: Equatable, Sendable {
  public let freeClusterCount: UInt32
  public let nextFreeCluster: UInt32

  public init(freeClusterCount: UInt32, nextFreeCluster: UInt32) {
    self.freeClusterCount = freeClusterCount
    self.nextFreeCluster = nextFreeCluster
  }

  public var bytes: [UInt8] {
    var sector = [UInt8](repeating: 0, count: Int(FAT32Geometry.bytesPerSector))
    sector.storeLittleEndian(UInt32(0x4161_5252), at: 0)
    sector.storeLittleEndian(UInt32(0x6141_7272), at: 484)
    sector.storeLittleEndian(freeClusterCount, at: 488)
    sector.storeLittleEndian(nextFreeCluster, at: 492)
    sector.storeLittleEndian(UInt32(0xAA55_0000), at: 508)
    return sector
  }
}
