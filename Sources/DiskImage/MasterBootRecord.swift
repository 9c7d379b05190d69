/// The master boot record: a disk's first sector, holding its partition table (UEFI
/// Specification 2.10, section 5.2.1, "Legacy Master Boot Record (MBR)", tables 5-1 and 5-2).
///
///     0    440  boot code (left zero: the Raspberry Pi's boot ROM reads only the table)
///     440    4  disk signature, which Linux shows as the disk identifier (label-id)
///     444    2  zero
///     446   64  four partition records of 16 bytes
///     510    2  signature 0x55, 0xAA
public struct MasterBootRecord: Equatable, Sendable {
  /// One of the four partition records.
  public struct Partition: Equatable, Sendable {
    /// The partition type for FAT32 addressed by LBA, the boot partition's type on a Pi.
    public static let fat32LBA: UInt8 = 0x0C

    public let type: UInt8
    public let firstSector: UInt32
    public let sectorCount: UInt32
    /// The boot indicator, 0x80 when set. PCs' boot code looks at it; the Pi's ROM does not.
    public let isBootable: Bool

    public init(type: UInt8, firstSector: UInt32, sectorCount: UInt32, isBootable: Bool = false) {
      precondition(sectorCount > 0, "a partition holds at least one sector")
      self.type = type
      self.firstSector = firstSector
      self.sectorCount = sectorCount
      self.isBootable = isBootable
    }

    /// The 16-byte record: boot indicator, first CHS, type, last CHS, first LBA, size in LBAs.
    public var bytes: [UInt8] {
      var record = [UInt8](repeating: 0, count: 16)
      record[0] = isBootable ? 0x80 : 0x00
      record.store(CHSAddress(lba: firstSector).bytes, at: 1)
      record[4] = type
      record.store(CHSAddress(lba: firstSector + sectorCount - 1).bytes, at: 5)
      record.storeLittleEndian(firstSector, at: 8)
      record.storeLittleEndian(sectorCount, at: 12)
      return record
    }
  }

  public static let sectorByteCount = 512

  public let diskSignature: UInt32
  /// At most four; the remaining records are left empty.
  public let partitions: [Partition]

  public init(diskSignature: UInt32, partitions: [Partition]) {
    precondition(partitions.count <= 4, "an MBR holds four partition records")
    self.diskSignature = diskSignature
    self.partitions = partitions
  }

  /// The 512-byte sector.
  public var bytes: [UInt8] {
    var sector = [UInt8](repeating: 0, count: Self.sectorByteCount)
    sector.storeLittleEndian(diskSignature, at: 440)
    for (index, partition) in partitions.enumerated() {
      sector.store(partition.bytes, at: 446 + 16 * index)
    }
    sector[510] = 0x55
    sector[511] = 0xAA
    return sector
  }
}
