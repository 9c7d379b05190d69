/// A 32-byte short directory entry (Microsoft FAT32 File System Specification 1.03, "FAT
/// Directory Structure"):
///
///     0   11  DIR_Name          the 8.3 name (`ShortName`)
///     11   1  DIR_Attr          0x20 archive for a file, 0x08 for the volume label
///     12   1  DIR_NTRes         0
///     13   1  DIR_CrtTimeTenth  0
///     14   2  DIR_CrtTime       creation time
///     16   2  DIR_CrtDate       creation date
///     18   2  DIR_LstAccDate    last access date
///     20   2  DIR_FstClusHI     high 16 bits of the first cluster
///     22   2  DIR_WrtTime       last write time
///     24   2  DIR_WrtDate       last write date
///     26   2  DIR_FstClusLO     low 16 bits of the first cluster
///     28   4  DIR_FileSize      size in bytes
public struct DirectoryEntry: Equatable, Sendable {
  public static let byteCount = 32
  /// ATTR_ARCHIVE: a file changed since the last backup, set on every new file.
  public static let archiveAttribute: UInt8 = 0x20
  /// ATTR_VOLUME_ID: the entry holds the volume label, and no data.
  public static let volumeLabelAttribute: UInt8 = 0x08

  public let name: [UInt8]
  public let attributes: UInt8
  /// 0 for an empty file and for the volume label.
  public let firstCluster: UInt32
  public let fileSize: UInt32
  public let timestamp: FATTimestamp

  /// The entry of a file.
  public init(file name: ShortName, firstCluster: UInt32, fileSize: UInt32, timestamp: FATTimestamp)
  {
    self.name = name.bytes
    attributes = Self.archiveAttribute
    self.firstCluster = firstCluster
    self.fileSize = fileSize
    self.timestamp = timestamp
  }

  /// The entry holding the volume label: 11 bytes, upper case, padded with spaces.
  public init(volumeLabel: [UInt8], timestamp: FATTimestamp) {
    precondition(volumeLabel.count == 11, "a volume label is 11 bytes")
    name = volumeLabel
    attributes = Self.volumeLabelAttribute
    firstCluster = 0
    fileSize = 0
    self.timestamp = timestamp
  }

  public var bytes: [UInt8] {
    var entry = [UInt8](repeating: 0, count: Self.byteCount)
    entry.store(name, at: 0)
    entry[11] = attributes
    entry.storeLittleEndian(timestamp.time, at: 14)
    entry.storeLittleEndian(timestamp.date, at: 16)
    entry.storeLittleEndian(timestamp.date, at: 18)
    entry.storeLittleEndian(UInt16(truncatingIfNeeded: firstCluster >> 16), at: 20)
    entry.storeLittleEndian(timestamp.time, at: 22)
    entry.storeLittleEndian(timestamp.date, at: 24)
    entry.storeLittleEndian(UInt16(truncatingIfNeeded: firstCluster), at: 26)
    entry.storeLittleEndian(fileSize, at: 28)
    return entry
  }
}
