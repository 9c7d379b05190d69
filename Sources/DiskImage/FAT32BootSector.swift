/// The boot sector of a FAT32 volume: the BIOS parameter block that describes the volume
/// (Microsoft FAT32 File System Specification 1.03, "Boot Sector and BPB Structure" and "FAT32
/// Structure Starting at Offset 36"). A copy lies at sector 6 (`backupSector`).
public struct FAT32BootSector: Equatable, Sendable {
  /// BPB_FSInfo: the FSInfo sector's number in the reserved region.
  public static let fsInfoSector: UInt32 = 1
  /// BPB_BkBootSec: the backup boot sector's number; the backup FSInfo follows it.
  public static let backupSector: UInt32 = 6
  /// BPB_RootClus: the root directory's first cluster.
  public static let rootCluster: UInt32 = 2
  /// BPB_Media: 0xF8, a fixed (non-removable) medium, which a partitioned SD card is.
  public static let mediaDescriptor: UInt8 = 0xF8

  public let geometry: FAT32Geometry
  /// BPB_HiddSec: the sectors before the volume, its partition's first sector.
  public let hiddenSectors: UInt32
  /// BS_VolID: the volume's serial number.
  public let volumeID: UInt32
  /// BS_VolLab: 11 bytes, as the label's directory entry holds them.
  public let volumeLabel: [UInt8]

  public init(
    geometry: FAT32Geometry, hiddenSectors: UInt32, volumeID: UInt32, volumeLabel: [UInt8]
  ) {
    precondition(volumeLabel.count == 11, "a volume label is 11 bytes")
    self.geometry = geometry
    self.hiddenSectors = hiddenSectors
    self.volumeID = volumeID
    self.volumeLabel = volumeLabel
  }

  /// The 512-byte sector.
  public var bytes: [UInt8] {
    var sector = [UInt8](repeating: 0, count: Int(FAT32Geometry.bytesPerSector))
    // BS_jmpBoot: a short jump over the BPB, then a NOP; BS_OEMName: "MSWIN4.1", the value the
    // specification recommends as the one drivers least often misread.
    sector.store([0xEB, 0x58, 0x90], at: 0)
    sector.store(Array("MSWIN4.1".utf8), at: 3)
    sector.storeLittleEndian(UInt16(FAT32Geometry.bytesPerSector), at: 11)  // BPB_BytsPerSec
    sector[13] = UInt8(geometry.sectorsPerCluster)  // BPB_SecPerClus
    sector.storeLittleEndian(UInt16(FAT32Geometry.reservedSectorCount), at: 14)  // BPB_RsvdSecCnt
    sector[16] = UInt8(FAT32Geometry.fatCount)  // BPB_NumFATs
    // BPB_RootEntCnt, BPB_TotSec16 and BPB_FATSz16 stay 0 on FAT32.
    sector[21] = Self.mediaDescriptor  // BPB_Media
    sector.storeLittleEndian(UInt16(CHSAddress.sectorsPerTrack), at: 24)  // BPB_SecPerTrk
    sector.storeLittleEndian(UInt16(CHSAddress.headsPerCylinder), at: 26)  // BPB_NumHeads
    sector.storeLittleEndian(hiddenSectors, at: 28)  // BPB_HiddSec
    sector.storeLittleEndian(geometry.sectorCount, at: 32)  // BPB_TotSec32
    sector.storeLittleEndian(geometry.sectorsPerFAT, at: 36)  // BPB_FATSz32
    // BPB_ExtFlags 0: the FATs are mirrored; BPB_FSVer 0.0.
    sector.storeLittleEndian(Self.rootCluster, at: 44)  // BPB_RootClus
    sector.storeLittleEndian(UInt16(Self.fsInfoSector), at: 48)  // BPB_FSInfo
    sector.storeLittleEndian(UInt16(Self.backupSector), at: 50)  // BPB_BkBootSec
    sector[64] = 0x80  // BS_DrvNum: the first hard disk
    sector[66] = 0x29  // BS_BootSig: the next three fields are present
    sector.storeLittleEndian(volumeID, at: 67)  // BS_VolID
    sector.store(volumeLabel, at: 71)  // BS_VolLab
    sector.store(Array("FAT32   ".utf8), at: 82)  // BS_FilSysType, informational only
    sector[510] = 0x55
    sector[511] = 0xAA
    return sector
  }
}
